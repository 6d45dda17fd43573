// Deterministic tenants: the same seed and mailbox count always give the same recipients (names, Guids,
// dates). Only password hashes differ between runs: each gets a fresh salt.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ExoConnect.Sandbox
{
    public sealed class TenantExistsException : Exception
    {
        public TenantExistsException(string dir)
            : base($"A sandbox tenant already exists at '{dir}'. Use Reset-ExoSandboxTenant to restore it, or New-ExoSandboxTenant -Force to replace it.") { }
    }

    public sealed class TenantCreateOptions
    {
        public const int MaxMailboxCount = 100_000;

        public int MailboxCount { get; set; } = 50;
        public int Seed { get; set; } = 1;
        public int SessionLimit { get; set; } = 3;
        public int SessionLifetimeSeconds { get; set; } = 3600;
        public int CommandLatencyMs { get; set; }
        public const int MaxCommandLatencyMs = 60_000;

        public void Validate()
        {
            if (CommandLatencyMs < 0 || CommandLatencyMs > MaxCommandLatencyMs)
                throw new ArgumentOutOfRangeException(nameof(CommandLatencyMs), CommandLatencyMs, $"CommandLatencyMs must be between 0 and {MaxCommandLatencyMs}.");
            if (MailboxCount < 0 || MailboxCount > MaxMailboxCount)
                throw new ArgumentOutOfRangeException(nameof(MailboxCount), MailboxCount, $"MailboxCount must be between 0 and {MaxMailboxCount}.");
            if (SessionLimit < 1 || SessionLimit > 1000)
                throw new ArgumentOutOfRangeException(nameof(SessionLimit), SessionLimit, "SessionLimit must be between 1 and 1000.");
            if (SessionLifetimeSeconds < 1)
                throw new ArgumentOutOfRangeException(nameof(SessionLifetimeSeconds), SessionLifetimeSeconds, "SessionLifetimeSeconds must be at least 1.");
        }
    }

    /// <summary>The fixed accounts every tenant has besides the generated mailboxes.</summary>
    public sealed class Persona
    {
        public string UserPrincipalName { get; set; }
        public string Name { get; set; }
        public string Behavior { get; set; }

        public static readonly Persona[] All =
        {
            new Persona { UserPrincipalName = TenantConstants.DemoAdmin, Name = "Sandbox Admin", Behavior = "Demo administrator: connects normally." },
            new Persona { UserPrincipalName = "norps@" + TenantConstants.PrimaryDomain, Name = "No Remote PowerShell", Behavior = "RemotePowerShellEnabled is False: New-PSSession fails with Access is denied." },
            new Persona { UserPrincipalName = "federated@" + TenantConstants.FederatedDomain, Name = "Federated User", Behavior = "Its domain is federated and the identity provider cannot be reached." },
            new Persona { UserPrincipalName = "mfa@" + TenantConstants.PrimaryDomain, Name = "MFA User", Behavior = "Needs multi-factor authentication: Basic auth is denied, Connect-ExchangeOnline -Credential fails with AADSTS50076." },
            new Persona { UserPrincipalName = "expiring@" + TenantConstants.PrimaryDomain, Name = "Expiring Session", Behavior = "Its sessions expire after 30 seconds." },
            new Persona { UserPrincipalName = "dropped@" + TenantConstants.PrimaryDomain, Name = "Dropped Session", Behavior = "Its session's server process dies at the first Exchange cmdlet; the runspace goes Broken." },
            new Persona { UserPrincipalName = TenantConstants.ViewOnlyUser, Name = "View-Only Admin", Behavior = "View-Only Organization Management: its sessions and EXOModuleFile offer the Get- cmdlets only." },
        };
    }

    public static class TenantFactory
    {
        public const int ExpiringLifetimeSeconds = 30;

        public static TenantManifest Create(string dir, TenantCreateOptions options, bool force)
        {
            options.Validate();
            var store = new TenantStore(dir);
            using (TenantLock.Acquire(store.Directory))
            {
                long generation = 0;
                if (store.Exists)
                {
                    if (!force) throw new TenantExistsException(store.Directory);
                    generation = SafeGeneration(store);
                }
                return Write(store, options, Guid.NewGuid(), generation + 1);
            }
        }

        /// <summary>Regenerates the tenant from its seed, mailbox count and settings: every change since is undone.</summary>
        public static TenantManifest Reset(string dir)
        {
            var store = new TenantStore(dir);
            using (TenantLock.Acquire(store.Directory))
            {
                var old = store.ReadManifest();
                var options = new TenantCreateOptions
                {
                    MailboxCount = old.GeneratedMailboxCount,
                    Seed = old.Seed,
                    SessionLimit = old.Settings.SessionLimit,
                    SessionLifetimeSeconds = old.Settings.SessionLifetimeSeconds,
                    CommandLatencyMs = old.Settings.CommandLatencyMs,
                };
                return Write(store, options, old.TenantId, old.Generation + 1);
            }
        }

        /// <summary>Creates the default tenant when none exists (first New-PSSession on a fresh machine).</summary>
        public static void EnsureCreated(string dir)
        {
            var store = new TenantStore(dir);
            if (store.Exists) return;
            using (TenantLock.Acquire(store.Directory))
            {
                if (store.Exists) return;
                Write(store, new TenantCreateOptions(), Guid.NewGuid(), 1);
            }
        }

        private static long SafeGeneration(TenantStore store)
        {
            try { return store.ReadManifest().Generation; }
            catch (Exception e) when (e is IOException || e is System.Text.Json.JsonException) { return 0; }
        }

        private static TenantManifest Write(TenantStore store, TenantCreateOptions options, Guid tenantId, long generation)
        {
            var manifest = Generator.Manifest(options, tenantId, generation);
            var recipients = Generator.Recipients(options);
            manifest.NextSequence = recipients.Count == 0 ? 0 : recipients.Max(r => r.Sequence) + 1;
            store.ReplaceAll(manifest, recipients);
            return manifest;
        }
    }

    public static class Generator
    {
        private static readonly DateTime Epoch = new DateTime(2024, 1, 2, 8, 0, 0, DateTimeKind.Utc);

        private static readonly string[] FirstNames =
        {
            "Ava", "Liam", "Olivia", "Noah", "Emma", "Oliver", "Sophia", "Elijah", "Isabella", "James", "Mia", "Lucas",
            "Amelia", "Mateo", "Harper", "Ethan", "Evelyn", "Levi", "Abigail", "Aiden", "Emily", "Sebastian", "Ella",
            "Henry", "Scarlett", "Jack", "Grace", "Owen", "Chloe", "Samuel", "Aria", "Leo", "Layla", "Daniel", "Nora",
            "Hugo", "Zoe", "Ravi", "Priya", "Arjun", "Ananya", "Kenji", "Yuki", "Wei", "Mei", "Jun", "Sakura", "Omar",
            "Fatima", "Yusuf", "Amara", "Kofi", "Zara", "Mateus", "Lucia", "Diego", "Sofia", "Lars", "Ingrid", "Mikko",
            "Aino", "Pierre", "Chloé", "Björn",
        };

        private static readonly string[] LastNames =
        {
            "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
            "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
            "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
            "Young", "Allen", "King", "Wright", "Scott", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker",
            "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Sharma", "Tanaka", "Sato", "Chen",
            "Wang", "Kim", "Müller", "Schmidt", "Dubois", "Rossi", "Okafor", "Mensah", "Larsen", "O'Brien",
        };

        private static readonly (string Department, string[] Titles)[] Departments =
        {
            ("Sales", new[] { "Account Executive", "Sales Representative", "Sales Manager" }),
            ("Marketing", new[] { "Marketing Specialist", "Content Strategist", "Marketing Manager" }),
            ("Engineering", new[] { "Software Engineer", "Senior Software Engineer", "Engineering Manager" }),
            ("Finance", new[] { "Accountant", "Financial Analyst", "Controller" }),
            ("Human Resources", new[] { "HR Generalist", "Recruiter", "HR Manager" }),
            ("Legal", new[] { "Counsel", "Paralegal" }),
            ("Operations", new[] { "Operations Analyst", "Logistics Coordinator" }),
            ("Support", new[] { "Support Engineer", "Support Lead" }),
        };

        private static readonly (string Office, string City, string State, string Country, string Phone)[] Locations =
        {
            ("SEA-1", "Seattle", "WA", "United States", "+1 206 555 "),
            ("NYC-2", "New York", "NY", "United States", "+1 212 555 "),
            ("LON-1", "London", "", "United Kingdom", "+44 20 7946 "),
            ("DUB-1", "Dublin", "", "Ireland", "+353 1 555 "),
            ("MUC-1", "Munich", "Bavaria", "Germany", "+49 89 555 "),
            ("SYD-1", "Sydney", "NSW", "Australia", "+61 2 5550 "),
            ("YYZ-1", "Toronto", "ON", "Canada", "+1 416 555 "),
            ("SIN-1", "Singapore", "", "Singapore", "+65 6555 "),
        };

        private static readonly string[] SharedNames = { "Support Desk", "Sales Inquiries", "Invoices", "Recruiting", "Press", "Facilities", "Travel", "Payroll" };

        private static readonly string[] EquipmentNames = { "Projector", "Pool Car", "Camera Kit", "Van" };

        public static TenantManifest Manifest(TenantCreateOptions options, Guid tenantId, long generation)
        {
            var rng = new Random(unchecked(options.Seed * 7919 + 17));
            var created = Epoch.AddDays(-30);
            var now = DateTime.UtcNow;
            return new TenantManifest
            {
                TenantId = tenantId,
                Generation = generation,
                CreatedUtc = now,
                UpdatedUtc = now,
                Seed = options.Seed,
                GeneratedMailboxCount = options.MailboxCount,
                Settings = new TenantSettings { SessionLimit = options.SessionLimit, SessionLifetimeSeconds = options.SessionLifetimeSeconds, CommandLatencyMs = options.CommandLatencyMs },
                Organization = new OrganizationRecord
                {
                    Guid = NextGuid(rng),
                    Name = TenantConstants.OrganizationName,
                    DisplayName = TenantConstants.OrganizationDisplayName,
                    WhenCreatedUtc = created,
                    WhenChangedUtc = created,
                },
                AcceptedDomains = new List<AcceptedDomainRecord>
                {
                    new AcceptedDomainRecord { Guid = NextGuid(rng), Name = TenantConstants.PrimaryDomain, DomainName = TenantConstants.PrimaryDomain, Default = true, WhenCreatedUtc = created },
                    new AcceptedDomainRecord { Guid = NextGuid(rng), Name = TenantConstants.InitialDomain, DomainName = TenantConstants.InitialDomain, InitialDomain = true, WhenCreatedUtc = created },
                    new AcceptedDomainRecord
                    {
                        Guid = NextGuid(rng), Name = TenantConstants.FederatedDomain, DomainName = TenantConstants.FederatedDomain,
                        AuthenticationType = "Federated", FederationEndpoint = TenantConstants.FederationEndpoint, WhenCreatedUtc = created,
                    },
                },
            };
        }

        public static List<RecipientRecord> Recipients(TenantCreateOptions options)
        {
            var rng = new Random(options.Seed);
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var aliases = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var list = new List<RecipientRecord>(options.MailboxCount + Persona.All.Length + Departments.Length);
            long sequence = 0;

            RecipientRecord NewMailbox(string kind, string name, string alias, string domain)
            {
                var seq = sequence++;
                var created = Epoch.AddSeconds(seq * 97 + rng.Next(60));
                var r = new RecipientRecord
                {
                    Sequence = seq,
                    Guid = NextGuid(rng),
                    ExchangeGuid = NextGuid(rng),
                    RecipientTypeDetails = kind,
                    Name = name,
                    DisplayName = name,
                    Alias = alias,
                    PrimarySmtpAddress = alias + "@" + domain,
                    UserPrincipalName = alias + "@" + domain,
                    EmailAddresses = new List<string> { "SMTP:" + alias + "@" + domain, "smtp:" + alias + "@" + TenantConstants.InitialDomain },
                    WhenCreatedUtc = created,
                    WhenChangedUtc = created,
                    Company = TenantConstants.OrganizationDisplayName,
                    CountryOrRegion = null,
                    AccountDisabled = kind != RecipientKinds.UserMailbox,
                };
                names.Add(name);
                aliases.Add(alias);
                list.Add(r);
                return r;
            }

            var admin = default(RecipientRecord);
            foreach (var persona in Persona.All)
            {
                var at = persona.UserPrincipalName.IndexOf('@');
                var r = NewMailbox(RecipientKinds.UserMailbox, persona.Name, persona.UserPrincipalName.Substring(0, at), persona.UserPrincipalName.Substring(at + 1));
                var parts = persona.Name.Split(' ');
                r.FirstName = parts[0];
                r.LastName = parts[parts.Length - 1];
                r.Title = "Exchange Administrator";
                r.Department = "IT";
                ApplyLocation(r, Locations[0], 0);
                r.PasswordHash = Passwords.Hash(TenantConstants.DemoPassword);
                switch (r.Alias)
                {
                    case "admin": admin = r; break;
                    case "norps": r.RemotePowerShellEnabled = false; break;
                    case "mfa": r.RequiresMfa = true; break;
                    case "expiring": r.SessionLifetimeSeconds = TenantFactory.ExpiringLifetimeSeconds; break;
                    case "dropped": r.DropsSession = true; break;
                    case "viewonly": r.RoleGroup = RoleGroups.ViewOnly; r.Title = "Exchange Auditor"; break;
                }
            }

            var equipmentCounter = 0;
            for (var i = 0; i < options.MailboxCount; i++)
            {
                var roll = rng.Next(100);
                var dept = Departments[rng.Next(Departments.Length)];
                var location = Locations[rng.Next(Locations.Length)];
                if (roll < 3)
                {
                    var baseName = SharedNames[rng.Next(SharedNames.Length)] + " " + location.City;
                    var name = Unique(names, baseName, " ");
                    var r = NewMailbox(RecipientKinds.SharedMailbox, name, Unique(aliases, Slug(baseName), string.Empty), TenantConstants.PrimaryDomain);
                    r.Department = dept.Department;
                    ApplyLocation(r, location, rng.Next(10000));
                }
                else if (roll < 5)
                {
                    var baseName = "Room " + location.City;
                    var name = Unique(names, baseName, " ", 1);
                    var r = NewMailbox(RecipientKinds.RoomMailbox, name, Unique(aliases, Slug(name), string.Empty), TenantConstants.PrimaryDomain);
                    ApplyLocation(r, location, rng.Next(10000));
                }
                else if (roll < 6)
                {
                    var name = Unique(names, EquipmentNames[equipmentCounter++ % EquipmentNames.Length], " ", 1);
                    var r = NewMailbox(RecipientKinds.EquipmentMailbox, name, Unique(aliases, Slug(name), string.Empty), TenantConstants.PrimaryDomain);
                    ApplyLocation(r, location, rng.Next(10000));
                }
                else
                {
                    var first = FirstNames[rng.Next(FirstNames.Length)];
                    var last = LastNames[rng.Next(LastNames.Length)];
                    var name = Unique(names, first + " " + last, " ");
                    var alias = Unique(aliases, Slug(first) + "." + Slug(last), string.Empty);
                    var r = NewMailbox(RecipientKinds.UserMailbox, name, alias, TenantConstants.PrimaryDomain);
                    r.FirstName = first;
                    r.LastName = last;
                    r.Department = dept.Department;
                    r.Title = dept.Titles[rng.Next(dept.Titles.Length)];
                    r.AccountDisabled = false;
                    ApplyLocation(r, location, rng.Next(10000));
                }
            }

            foreach (var dept in Departments)
            {
                var alias = Slug(dept.Department);
                var seq = sequence++;
                var created = Epoch.AddSeconds(seq * 97);
                list.Add(new RecipientRecord
                {
                    Sequence = seq,
                    Guid = NextGuid(rng),
                    RecipientTypeDetails = RecipientKinds.DistributionGroup,
                    Name = dept.Department,
                    DisplayName = dept.Department,
                    Alias = alias,
                    PrimarySmtpAddress = alias + "@" + TenantConstants.PrimaryDomain,
                    EmailAddresses = new List<string> { "SMTP:" + alias + "@" + TenantConstants.PrimaryDomain, "smtp:" + alias + "@" + TenantConstants.InitialDomain },
                    WhenCreatedUtc = created,
                    WhenChangedUtc = created,
                    Members = list.Where(r => r.RecipientTypeDetails == RecipientKinds.UserMailbox && r.Department == dept.Department).Select(r => r.Guid).ToList(),
                    ManagedBy = new List<Guid> { admin.Guid },
                    RequireSenderAuthenticationEnabled = true,
                    MemberJoinRestriction = "Closed",
                    MemberDepartRestriction = "Closed",
                });
            }
            return list;
        }

        private static void ApplyLocation(RecipientRecord r, (string Office, string City, string State, string Country, string Phone) location, int extension)
        {
            r.Office = location.Office;
            r.City = location.City;
            r.StateOrProvince = location.State;
            r.CountryOrRegion = location.Country;
            r.Phone = location.Phone + extension.ToString("0000");
        }

        public static Guid NextGuid(Random rng)
        {
            var bytes = new byte[16];
            rng.NextBytes(bytes);
            bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            return new Guid(bytes);
        }

        private static string Unique(HashSet<string> taken, string candidate, string separator, int firstSuffix = 2)
        {
            if (firstSuffix == 2 && !taken.Contains(candidate)) return candidate;
            for (var n = firstSuffix; ; n++)
            {
                var next = candidate + separator + (separator.Length > 0 && firstSuffix == 1 ? n.ToString("00") : n.ToString());
                if (!taken.Contains(next)) return next;
            }
        }

        /// <summary>Lower-case ASCII letters and digits: "O'Brien" → "obrien", "Müller" → "muller".</summary>
        public static string Slug(string text)
        {
            var normalized = text.Normalize(System.Text.NormalizationForm.FormD);
            var chars = normalized.Where(c => c < 128 && char.IsLetterOrDigit(c)).Select(char.ToLowerInvariant).ToArray();
            return new string(chars);
        }
    }
}
