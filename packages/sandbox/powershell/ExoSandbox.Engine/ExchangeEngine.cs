// What the Exchange cmdlets do, over the tenant store. The PowerShell functions in ExoSandbox.Server bind
// parameters and write records and errors; the semantics live here.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;

namespace ExoConnect.Sandbox
{
    /// <summary>Results of a Get- cmdlet, projected in batches so that 100,000 records stream with flat memory.</summary>
    public sealed class RecipientQuery
    {
        private readonly TenantSnapshot _snapshot;
        private readonly IEnumerator<RecipientRecord> _matches;
        private readonly string[] _view;
        private readonly string[] _typeNames;
        private bool _peeked;
        private bool _hasPeeked;

        internal RecipientQuery(TenantSnapshot snapshot, IEnumerable<RecipientRecord> matches, string[] view, string[] typeNames)
        {
            _snapshot = snapshot;
            _matches = matches.GetEnumerator();
            _view = view;
            _typeNames = typeNames;
        }

        public PSObject[] Next(int max) =>
            NextRecords(max).Select(r => Properties.Project(r, _snapshot, _view, _typeNames)).ToArray();

        /// <summary>The cmdlet's properties, in order: what Next's objects hold.</summary>
        internal string[] View => _view;

        internal TenantSnapshot Source => _snapshot;

        /// <summary>The next matches themselves: the REST face writes their properties without making PSObjects.</summary>
        internal List<RecipientRecord> NextRecords(int max)
        {
            var batch = new List<RecipientRecord>(Math.Min(max, 1024));
            while (batch.Count < max && Advance())
            {
                batch.Add(_matches.Current);
                _hasPeeked = false;
            }
            return batch;
        }

        /// <summary>Whether more results exist than were taken.</summary>
        public bool HasMore => Advance();

        private bool Advance()
        {
            if (!_hasPeeked)
            {
                _peeked = _matches.MoveNext();
                _hasPeeked = true;
            }
            return _peeked;
        }
    }

    public sealed class ExchangeEngine
    {
        private static readonly string[] KnownRecipientTypeDetails =
        {
            "UserMailbox", "SharedMailbox", "RoomMailbox", "EquipmentMailbox", "LinkedMailbox", "TeamMailbox",
            "DiscoveryMailbox", "SchedulingMailbox", "GroupMailbox", "MailUser", "GuestMailUser", "MailContact",
            "MailUniversalDistributionGroup", "MailUniversalSecurityGroup", "DynamicDistributionGroup", "RoomList",
            "User", "DisabledUser",
        };

        private static readonly Regex AliasPattern = new Regex(@"^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$", RegexOptions.Compiled);

        private static readonly Regex AddressPattern = new Regex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.Compiled);

        public ExchangeEngine(string tenantDir)
        {
            Store = new TenantStore(tenantDir);
        }

        public TenantStore Store { get; }

        public TenantSnapshot Snapshot() => Store.Load();

        // ---- Reading ----

        public RecipientQuery Query(string view, string identity, string filter, string[] recipientType, string[] recipientTypeDetails, string anr)
        {
            var snapshot = Snapshot();
            var opath = string.IsNullOrEmpty(filter) ? null : OpathFilter.Parse(filter);
            Func<RecipientRecord, bool> scope;
            string[] properties, typeNames;
            switch (view)
            {
                case "Mailbox":
                    scope = r => r.IsMailbox; properties = Properties.MailboxView; typeNames = Properties.MailboxTypeNames; break;
                case "User":
                    scope = r => r.IsMailbox; properties = Properties.UserView; typeNames = Properties.UserTypeNames; break;
                case "DistributionGroup":
                    scope = r => r.IsGroup; properties = Properties.DistributionGroupView; typeNames = Properties.DistributionGroupTypeNames; break;
                default:
                    scope = r => true; properties = Properties.RecipientView; typeNames = Properties.RecipientTypeNames; break;
            }
            var details = ValidateDetails(recipientTypeDetails);
            var types = recipientType == null || recipientType.Length == 0 ? null : new HashSet<string>(recipientType, StringComparer.OrdinalIgnoreCase);
            IEnumerable<RecipientRecord> source;
            if (!string.IsNullOrEmpty(identity))
            {
                var found = snapshot.Resolve(identity, scope);
                if (found.Count == 0) throw new ManagementObjectNotFoundException(identity);
                source = found;
            }
            else
            {
                source = snapshot.Recipients.Where(scope);
            }
            var matches = source.Where(r =>
                (details == null || details.Contains(r.RecipientTypeDetails))
                && (types == null || types.Contains((string)Properties.Get(r, snapshot, "RecipientType")))
                && (string.IsNullOrEmpty(anr) || MatchesAnr(r, anr))
                && (opath == null || opath.Matches(r, snapshot)));
            return new RecipientQuery(snapshot, matches, properties, typeNames);
        }

        public RecipientQuery Members(string groupIdentity)
        {
            var snapshot = Snapshot();
            var group = ResolveOne(snapshot, groupIdentity, r => r.IsGroup);
            var members = (group.Members ?? new List<Guid>()).Select(snapshot.GetByGuid).Where(r => r != null);
            return new RecipientQuery(snapshot, members, Properties.RecipientView, Properties.RecipientTypeNames);
        }

        public PSObject[] AcceptedDomains(string identity)
        {
            var domains = Snapshot().Manifest.AcceptedDomains.AsEnumerable();
            if (!string.IsNullOrEmpty(identity))
            {
                domains = domains.Where(d => string.Equals(d.Name, identity, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(d.DomainName, identity, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(d.Guid.ToString(), identity, StringComparison.OrdinalIgnoreCase)).ToList();
                if (!domains.Any()) throw new ManagementObjectNotFoundException(identity);
            }
            return domains.Select(Properties.AcceptedDomain).ToArray();
        }

        public PSObject OrganizationConfig() => Properties.OrganizationConfig(Snapshot().Manifest);

        // ---- Writing ----

        public PSObject NewMailbox(IDictionary p)
        {
            return Store.Write(tx =>
            {
                var snapshot = tx.Base;
                var name = Required(p, "Name");
                var kind = Flag(p, "Shared") ? RecipientKinds.SharedMailbox
                    : Flag(p, "Room") ? RecipientKinds.RoomMailbox
                    : Flag(p, "Equipment") ? RecipientKinds.EquipmentMailbox
                    : RecipientKinds.UserMailbox;
                var upn = Text(p, "MicrosoftOnlineServicesID");
                var password = p.Contains("Password") ? p["Password"] as SecureString : null;
                if (kind == RecipientKinds.UserMailbox && (string.IsNullOrEmpty(upn) || password == null))
                {
                    throw new RecipientTaskException("A user mailbox needs -MicrosoftOnlineServicesID and -Password.", name);
                }
                if (tx.All().Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))) throw new ADObjectAlreadyExistsException(name);

                var alias = Text(p, "Alias");
                if (string.IsNullOrEmpty(alias))
                {
                    var seed = !string.IsNullOrEmpty(upn) ? upn.Substring(0, upn.IndexOf('@') < 0 ? upn.Length : upn.IndexOf('@')) : name;
                    alias = UniqueAlias(tx, Sanitize(seed));
                }
                ValidateAlias(alias);
                var primary = Text(p, "PrimarySmtpAddress") ?? upn ?? alias + "@" + DefaultDomain(snapshot);
                var now = DateTime.UtcNow;
                var record = new RecipientRecord
                {
                    Sequence = tx.NextSequence(),
                    Guid = Guid.NewGuid(),
                    ExchangeGuid = Guid.NewGuid(),
                    RecipientTypeDetails = kind,
                    Name = name,
                    DisplayName = Text(p, "DisplayName") ?? name,
                    Alias = alias,
                    FirstName = Text(p, "FirstName"),
                    LastName = Text(p, "LastName"),
                    UserPrincipalName = upn ?? primary,
                    PrimarySmtpAddress = primary,
                    EmailAddresses = new List<string> { "SMTP:" + primary, "smtp:" + alias + "@" + TenantConstants.InitialDomain },
                    Company = TenantConstants.OrganizationDisplayName,
                    AccountDisabled = kind != RecipientKinds.UserMailbox,
                    WhenCreatedUtc = now,
                    WhenChangedUtc = now,
                    PasswordHash = password == null ? null : Passwords.Hash(password),
                };
                record.EmailAddresses = record.EmailAddresses.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                CheckAddresses(tx, record, record.EmailAddresses.Concat(new[] { "upn:" + record.UserPrincipalName }));
                tx.Put(record);
                return Properties.Project(record, snapshot, Properties.MailboxView, Properties.MailboxTypeNames);
            });
        }

        /// <summary>Applies Set-Mailbox parameters; false when nothing changed (the cmdlet then warns, as Exchange does).</summary>
        public bool SetMailbox(string identity, IDictionary p)
        {
            return Store.Write(tx =>
            {
                var current = ResolveOne(tx.Base, identity, r => r.IsMailbox);
                var r = current.Clone();
                foreach (DictionaryEntry entry in p)
                {
                    var key = (string)entry.Key;
                    var value = entry.Value;
                    switch (key)
                    {
                        case "DisplayName": r.DisplayName = RequiredValue(key, value); break;
                        case "Name":
                            var name = RequiredValue(key, value);
                            if (!string.Equals(name, r.Name, StringComparison.OrdinalIgnoreCase)
                                && tx.All().Any(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase)))
                            {
                                throw new ADObjectAlreadyExistsException(name);
                            }
                            r.Name = name;
                            break;
                        case "Alias":
                            var alias = RequiredValue(key, value);
                            ValidateAlias(alias);
                            if (!string.Equals(alias, r.Alias, StringComparison.OrdinalIgnoreCase)
                                && tx.All().Any(o => string.Equals(o.Alias, alias, StringComparison.OrdinalIgnoreCase)))
                            {
                                throw new ProxyAddressExistsException(alias, tx.All().First(o => string.Equals(o.Alias, alias, StringComparison.OrdinalIgnoreCase)).Name);
                            }
                            r.Alias = alias;
                            break;
                        case "HiddenFromAddressListsEnabled": r.HiddenFromAddressListsEnabled = ToBool(key, value); break;
                        case "DeliverToMailboxAndForward": r.DeliverToMailboxAndForward = ToBool(key, value); break;
                        case "LitigationHoldEnabled": r.LitigationHoldEnabled = ToBool(key, value); break;
                        case "Office": r.Office = ToText(value); break;
                        case "ForwardingSmtpAddress":
                            var forward = ToText(value);
                            if (forward != null && forward.StartsWith("smtp:", StringComparison.OrdinalIgnoreCase)) forward = forward.Substring(5);
                            if (forward != null && !AddressPattern.IsMatch(forward)) throw InvalidAddress(forward);
                            r.ForwardingSmtpAddress = forward;
                            break;
                        case "Type":
                            r.RecipientTypeDetails = MailboxType(ToText(value));
                            r.AccountDisabled = r.RecipientTypeDetails != RecipientKinds.UserMailbox;
                            break;
                        case "PrimarySmtpAddress":
                        case "WindowsEmailAddress":
                            SetPrimary(r, RequiredValue(key, value));
                            break;
                        case "EmailAddresses":
                            SetEmailAddresses(r, value);
                            break;
                        default:
                            if (key.StartsWith("CustomAttribute", StringComparison.Ordinal) && int.TryParse(key.Substring(15), out var index) && index >= 1 && index <= 15)
                            {
                                r.SetCustomAttribute(index, ToText(value));
                            }
                            break;
                    }
                }
                if (!Changed(current, r)) return false;
                CheckAddresses(tx, r, r.EmailAddresses);
                r.WhenChangedUtc = DateTime.UtcNow;
                tx.Put(r);
                return true;
            });
        }

        public bool SetUser(string identity, IDictionary p)
        {
            return Store.Write(tx =>
            {
                var current = ResolveOne(tx.Base, identity, r => r.IsMailbox);
                var r = current.Clone();
                foreach (DictionaryEntry entry in p)
                {
                    var key = (string)entry.Key;
                    switch (key)
                    {
                        case "FirstName": r.FirstName = ToText(entry.Value); break;
                        case "LastName": r.LastName = ToText(entry.Value); break;
                        case "DisplayName": r.DisplayName = RequiredValue(key, entry.Value); break;
                        case "Title": r.Title = ToText(entry.Value); break;
                        case "Department": r.Department = ToText(entry.Value); break;
                        case "Company": r.Company = ToText(entry.Value); break;
                        case "Office": r.Office = ToText(entry.Value); break;
                        case "City": r.City = ToText(entry.Value); break;
                        case "StateOrProvince": r.StateOrProvince = ToText(entry.Value); break;
                        case "CountryOrRegion": r.CountryOrRegion = ToText(entry.Value); break;
                        case "Phone": r.Phone = ToText(entry.Value); break;
                        case "RemotePowerShellEnabled": r.RemotePowerShellEnabled = ToBool(key, entry.Value); break;
                    }
                }
                if (!Changed(current, r)) return false;
                r.WhenChangedUtc = DateTime.UtcNow;
                tx.Put(r);
                return true;
            });
        }

        public void RemoveMailbox(string identity)
        {
            Store.Write(tx =>
            {
                var target = ResolveOne(tx.Base, identity, r => r.IsMailbox);
                tx.Delete(target.Guid);
                foreach (var group in tx.All().Where(g => g.IsGroup && ((g.Members?.Contains(target.Guid) ?? false) || (g.ManagedBy?.Contains(target.Guid) ?? false))).ToList())
                {
                    var copy = group.Clone();
                    copy.Members?.Remove(target.Guid);
                    copy.ManagedBy?.Remove(target.Guid);
                    copy.WhenChangedUtc = DateTime.UtcNow;
                    tx.Put(copy);
                }
            });
        }

        public void AddDistributionGroupMember(string groupIdentity, string memberIdentity)
        {
            Store.Write(tx =>
            {
                var group = ResolveOne(tx.Base, groupIdentity, r => r.IsGroup).Clone();
                var member = ResolveOne(tx.Base, memberIdentity, r => r.Guid != group.Guid);
                group.Members = group.Members ?? new List<Guid>();
                if (group.Members.Contains(member.Guid)) throw new MemberAlreadyExistsException(memberIdentity, groupIdentity);
                group.Members.Add(member.Guid);
                group.WhenChangedUtc = DateTime.UtcNow;
                tx.Put(group);
            });
        }

        public void RemoveDistributionGroupMember(string groupIdentity, string memberIdentity)
        {
            Store.Write(tx =>
            {
                var group = ResolveOne(tx.Base, groupIdentity, r => r.IsGroup).Clone();
                var member = ResolveOne(tx.Base, memberIdentity, r => true);
                if (group.Members == null || !group.Members.Remove(member.Guid)) throw new MemberNotFoundException(memberIdentity, groupIdentity);
                group.WhenChangedUtc = DateTime.UtcNow;
                tx.Put(group);
            });
        }

        // ---- Helpers ----

        public static RecipientRecord ResolveOne(TenantSnapshot snapshot, string identity, Func<RecipientRecord, bool> scope)
        {
            if (string.IsNullOrWhiteSpace(identity)) throw new ManagementObjectNotFoundException(identity ?? string.Empty);
            var found = snapshot.Resolve(identity, scope);
            if (found.Count == 0) throw new ManagementObjectNotFoundException(identity);
            if (found.Count > 1) throw new ManagementObjectAmbiguousException(identity);
            return found[0];
        }

        private static HashSet<string> ValidateDetails(string[] values)
        {
            if (values == null || values.Length == 0) return null;
            foreach (var v in values)
            {
                if (!KnownRecipientTypeDetails.Contains(v, StringComparer.OrdinalIgnoreCase))
                {
                    throw new ArgumentException($"Cannot convert value \"{v}\" to type \"Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails\". Error: \"Unable to match the identifier name {v} to a valid enumerator name. Specify one of the following enumerator names and try again: {string.Join(", ", KnownRecipientTypeDetails)}\"");
                }
            }
            return new HashSet<string>(values, StringComparer.OrdinalIgnoreCase);
        }

        private static bool MatchesAnr(RecipientRecord r, string anr)
        {
            bool Starts(string s) => s != null && s.StartsWith(anr, StringComparison.OrdinalIgnoreCase);
            return Starts(r.Name) || Starts(r.DisplayName) || Starts(r.Alias) || Starts(r.FirstName) || Starts(r.LastName)
                || Starts(r.PrimarySmtpAddress) || Starts(r.UserPrincipalName);
        }

        private static string DefaultDomain(TenantSnapshot s) =>
            s.Manifest.AcceptedDomains.FirstOrDefault(d => d.Default)?.DomainName ?? TenantConstants.PrimaryDomain;

        private static string UniqueAlias(TenantTransaction tx, string alias)
        {
            if (string.IsNullOrEmpty(alias)) alias = "mailbox";
            var taken = new HashSet<string>(tx.All().Select(r => r.Alias), StringComparer.OrdinalIgnoreCase);
            if (!taken.Contains(alias)) return alias;
            for (var n = 2; ; n++)
            {
                if (!taken.Contains(alias + n)) return alias + n;
            }
        }

        private static string Sanitize(string text) => new string(text.Where(c => c < 128 && (char.IsLetterOrDigit(c) || c == '.' || c == '_' || c == '-')).ToArray());

        private static void ValidateAlias(string alias)
        {
            if (!AliasPattern.IsMatch(alias) || alias.StartsWith(".", StringComparison.Ordinal) || alias.EndsWith(".", StringComparison.Ordinal) || alias.Contains(".."))
            {
                throw new DataValidationException($"Property expression \"{alias}\" isn't valid. Valid values are: Strings formed with characters from A to Z (uppercase or lowercase), digits from 0 to 9, !, #, $, %, &, ', *, +, -, /, =, ?, ^, _, `, {{, |, }} or ~. One or more periods may be embedded in an alias, but each period should be preceded and followed by at least one of the other characters. Unicode characters from U+00A1 to U+00FF are also valid in an alias, but they will be mapped to a best-fit US-ASCII string in the e-mail address, which is generated from such an alias.", alias);
            }
        }

        private static void CheckAddresses(TenantTransaction tx, RecipientRecord self, IEnumerable<string> addresses)
        {
            var snapshot = tx.Base;
            foreach (var entry in addresses)
            {
                var colon = entry.IndexOf(':');
                var address = colon >= 0 ? entry.Substring(colon + 1) : entry;
                if (!AddressPattern.IsMatch(address)) throw InvalidAddress(address);
                if (snapshot.DomainOf(address) == null)
                {
                    throw new DataValidationException($"The domain of the address \"{address}\" isn't an accepted domain for your organization.", address);
                }
                var owner = tx.All().FirstOrDefault(o => o.Guid != self.Guid && Owns(o, address));
                if (owner != null) throw new ProxyAddressExistsException("SMTP:" + address, owner.Name);
            }
        }

        private static bool Owns(RecipientRecord r, string address)
        {
            if (string.Equals(r.UserPrincipalName, address, StringComparison.OrdinalIgnoreCase)) return true;
            foreach (var e in r.EmailAddresses)
            {
                var colon = e.IndexOf(':');
                if (string.Equals(colon >= 0 ? e.Substring(colon + 1) : e, address, StringComparison.OrdinalIgnoreCase)) return true;
            }
            return false;
        }

        private static void SetPrimary(RecipientRecord r, string address)
        {
            if (address.StartsWith("smtp:", StringComparison.OrdinalIgnoreCase)) address = address.Substring(5);
            if (!AddressPattern.IsMatch(address)) throw InvalidAddress(address);
            var rest = r.EmailAddresses
                .Where(e => !string.Equals(Bare(e), address, StringComparison.OrdinalIgnoreCase))
                .Select(e => e.StartsWith("SMTP:", StringComparison.Ordinal) ? "smtp:" + e.Substring(5) : e);
            r.EmailAddresses = new[] { "SMTP:" + address }.Concat(rest).ToList();
            r.PrimarySmtpAddress = address;
        }

        private static void SetEmailAddresses(RecipientRecord r, object value)
        {
            value = Unwrap(value);
            if (value is IDictionary changes)
            {
                foreach (DictionaryEntry c in changes)
                {
                    var op = Convert.ToString(c.Key);
                    foreach (var item in Items(c.Value))
                    {
                        if (string.Equals(op, "Add", StringComparison.OrdinalIgnoreCase))
                        {
                            if (item.StartsWith("SMTP:", StringComparison.Ordinal)) SetPrimary(r, item.Substring(5));
                            else if (!r.EmailAddresses.Any(e => string.Equals(Bare(e), Bare(item), StringComparison.OrdinalIgnoreCase)))
                                r.EmailAddresses.Add("smtp:" + Bare(item));
                        }
                        else if (string.Equals(op, "Remove", StringComparison.OrdinalIgnoreCase))
                        {
                            if (string.Equals(Bare(item), r.PrimarySmtpAddress, StringComparison.OrdinalIgnoreCase))
                                throw new DataValidationException($"The primary SMTP address \"{Bare(item)}\" can't be removed. Set another primary address first.", item);
                            r.EmailAddresses.RemoveAll(e => string.Equals(Bare(e), Bare(item), StringComparison.OrdinalIgnoreCase));
                        }
                        else
                        {
                            throw new DataValidationException($"\"{op}\" isn't a valid operation for EmailAddresses; use Add or Remove.", op);
                        }
                    }
                }
                return;
            }
            var list = Items(value).ToList();
            var primaries = list.Where(e => e.StartsWith("SMTP:", StringComparison.Ordinal)).ToList();
            if (primaries.Count > 1) throw new DataValidationException("Only one primary SMTP address (SMTP:) is allowed.", string.Join(",", primaries));
            var primary = primaries.Count == 1 ? primaries[0].Substring(5) : r.PrimarySmtpAddress;
            var secondaries = list.Where(e => !e.StartsWith("SMTP:", StringComparison.Ordinal)).Select(e => "smtp:" + Bare(e))
                .Where(e => !string.Equals(Bare(e), primary, StringComparison.OrdinalIgnoreCase));
            r.EmailAddresses = new[] { "SMTP:" + primary }.Concat(secondaries).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            r.PrimarySmtpAddress = primary;
        }

        private static string Bare(string e)
        {
            var colon = e.IndexOf(':');
            return colon >= 0 && colon < 5 ? e.Substring(colon + 1) : e;
        }

        private static IEnumerable<string> Items(object value)
        {
            value = Unwrap(value);
            if (value == null) yield break;
            if (value is string s) { yield return s; yield break; }
            if (value is IEnumerable e)
            {
                foreach (var item in e)
                {
                    var text = Convert.ToString(Unwrap(item));
                    if (!string.IsNullOrEmpty(text)) yield return text;
                }
                yield break;
            }
            yield return Convert.ToString(value);
        }

        private static string MailboxType(string type)
        {
            switch ((type ?? string.Empty).ToLowerInvariant())
            {
                case "regular": return RecipientKinds.UserMailbox;
                case "shared": return RecipientKinds.SharedMailbox;
                case "room": return RecipientKinds.RoomMailbox;
                case "equipment": return RecipientKinds.EquipmentMailbox;
                default:
                    throw new DataValidationException($"Cannot convert value \"{type}\" to type \"Microsoft.Exchange.Management.RecipientTasks.ConvertibleMailboxSubType\". Specify one of the following values: Regular, Room, Equipment, Shared.", type);
            }
        }

        private static bool Changed(RecipientRecord a, RecipientRecord b) =>
            System.Text.Json.JsonSerializer.Serialize(a, SandboxJson.Options) != System.Text.Json.JsonSerializer.Serialize(b, SandboxJson.Options);

        private static Exception InvalidAddress(string address) =>
            new DataValidationException($"The e-mail address \"{address}\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.", address);

        private static object Unwrap(object value) => value is PSObject pso ? pso.BaseObject : value;

        private static string ToText(object value)
        {
            value = Unwrap(value);
            var s = value == null ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            return string.IsNullOrEmpty(s) ? null : s;
        }

        private static string RequiredValue(string key, object value)
        {
            var s = ToText(value);
            if (s == null) throw new DataValidationException($"The {key} property can't be empty.", key);
            return s;
        }

        private static bool ToBool(string key, object value)
        {
            value = Unwrap(value);
            if (value is bool b) return b;
            if (value is SwitchParameter sw) return sw.IsPresent;
            if (value is string s && bool.TryParse(s, out var parsed)) return parsed;
            throw new DataValidationException($"Cannot convert value \"{value}\" to type \"System.Boolean\" for {key}.", key);
        }

        private static string Required(IDictionary p, string key) => RequiredValue(key, p.Contains(key) ? p[key] : null);

        private static string Text(IDictionary p, string key) => p.Contains(key) ? ToText(p[key]) : null;

        private static bool Flag(IDictionary p, string key) => p.Contains(key) && ToBool(key, p[key]);
    }

    /// <summary>
    /// The server process's view of its own session, from the environment its client gave it; or, in the REST
    /// face's engine workers, a session configured in-process (ForRest) that never expires or drops.
    /// </summary>
    public sealed class ServerSession
    {
        private string _dropFlag;
        private int _commandLatencyMs;

        public string TenantDirectory { get; private set; }
        public string UserPrincipalName { get; private set; }
        public string ShellId { get; private set; }
        public DateTime ExpiresUtc { get; private set; }
        public bool DropsSession { get; private set; }

        /// <summary>True in the REST face's workers: each request is authorised on its own, by its token.</summary>
        public bool IsRest { get; private set; }

        /// <summary>
        /// The tenant's CommandLatencyMs: for a session, as it was when the session opened; for the REST face, as it
        /// is when each call starts (a worker lives longer than any setting).
        /// </summary>
        public int CommandLatencyMs => IsRest
            ? Math.Max(0, new TenantStore(TenantDirectory).ReadManifest().Settings.CommandLatencyMs)
            : _commandLatencyMs;

        public bool Expired => DateTime.UtcNow >= ExpiresUtc;

        /// <summary>True when the persona drops at its first command, or Stop-ExoSandboxSession asked for a drop.</summary>
        public bool ShouldDrop => !IsRest && (DropsSession || File.Exists(_dropFlag));

        /// <summary>Set in-process, before the module is imported, by a host that runs the cmdlets itself (REST workers).</summary>
        public static ServerSession Configured { get; set; }

        /// <summary>The session the ExoSandbox.Server module serves: the configured one, else its environment's.</summary>
        public static ServerSession Current() => Configured ?? FromEnvironment();

        public static ServerSession ForRest(string tenantDir) => new ServerSession
        {
            TenantDirectory = Path.GetFullPath(tenantDir),
            ShellId = Guid.Empty.ToString(),
            ExpiresUtc = DateTime.MaxValue,
            IsRest = true,
        };

        public static ServerSession FromEnvironment()
        {
            string Env(string name) => Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set: this module runs only inside a sandbox session.");
            var session = new ServerSession
            {
                TenantDirectory = Env("EXO_SANDBOX_DIR"),
                UserPrincipalName = Env("EXO_SANDBOX_USER"),
                ShellId = Env("EXO_SANDBOX_SESSION_ID"),
                ExpiresUtc = DateTime.Parse(Env("EXO_SANDBOX_SESSION_EXPIRES"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind).ToUniversalTime(),
                DropsSession = Environment.GetEnvironmentVariable("EXO_SANDBOX_SESSION_DROPS") == "1",
                _commandLatencyMs = int.TryParse(Environment.GetEnvironmentVariable("EXO_SANDBOX_COMMAND_LATENCY_MS"), out var latency) ? Math.Max(0, latency) : 0,
            };
            session._dropFlag = new SessionRegistry(session.TenantDirectory).DropFlagFor(Environment.ProcessId);
            return session;
        }
    }
}
