// The tenant's stored data. Property names follow Exchange's; fields marked "sandbox" drive failure personas
// and are never shown by a cmdlet.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;

namespace ExoConnect.Sandbox
{
    public static class RecipientKinds
    {
        public const string UserMailbox = "UserMailbox";
        public const string SharedMailbox = "SharedMailbox";
        public const string RoomMailbox = "RoomMailbox";
        public const string EquipmentMailbox = "EquipmentMailbox";
        public const string DistributionGroup = "MailUniversalDistributionGroup";
    }

    public sealed class RecipientRecord
    {
        public long Sequence { get; set; }
        public Guid Guid { get; set; }
        public string RecipientTypeDetails { get; set; }
        public string Name { get; set; }
        public string DisplayName { get; set; }
        public string Alias { get; set; }
        public string PrimarySmtpAddress { get; set; }
        public List<string> EmailAddresses { get; set; } = new List<string>();
        public bool HiddenFromAddressListsEnabled { get; set; }
        /// <summary>CustomAttribute1..15; null when all are empty.</summary>
        public string[] CustomAttributes { get; set; }
        public DateTime WhenCreatedUtc { get; set; }
        public DateTime WhenChangedUtc { get; set; }

        // Mailbox and user.
        public Guid ExchangeGuid { get; set; }
        public string UserPrincipalName { get; set; }
        public string FirstName { get; set; }
        public string LastName { get; set; }
        public string Title { get; set; }
        public string Department { get; set; }
        public string Company { get; set; }
        public string Office { get; set; }
        public string City { get; set; }
        public string StateOrProvince { get; set; }
        public string CountryOrRegion { get; set; }
        public string Phone { get; set; }
        public bool AccountDisabled { get; set; }
        public bool RemotePowerShellEnabled { get; set; } = true;
        public bool LitigationHoldEnabled { get; set; }
        public string ForwardingSmtpAddress { get; set; }
        public bool DeliverToMailboxAndForward { get; set; }

        // Sandbox: PBKDF2 hash of the account's password (never the password itself); personas.
        public string PasswordHash { get; set; }
        public int? SessionLifetimeSeconds { get; set; }
        public bool DropsSession { get; set; }
        public bool RequiresMfa { get; set; }
        // The account's one role group when not Organization Management (RoleGroups.ViewOnly); null for the rest.
        public string RoleGroup { get; set; }

        // Distribution group.
        public List<Guid> Members { get; set; }
        public List<Guid> ManagedBy { get; set; }
        public bool RequireSenderAuthenticationEnabled { get; set; }
        public string MemberJoinRestriction { get; set; }
        public string MemberDepartRestriction { get; set; }

        [JsonIgnore]
        public bool IsGroup => RecipientTypeDetails == RecipientKinds.DistributionGroup;

        [JsonIgnore]
        public bool IsMailbox => !IsGroup;

        public string GetCustomAttribute(int index)
        {
            return CustomAttributes == null ? null : CustomAttributes[index - 1];
        }

        public void SetCustomAttribute(int index, string value)
        {
            if (CustomAttributes == null)
            {
                if (string.IsNullOrEmpty(value)) return;
                CustomAttributes = new string[15];
            }
            CustomAttributes[index - 1] = string.IsNullOrEmpty(value) ? null : value;
            if (CustomAttributes.All(string.IsNullOrEmpty)) CustomAttributes = null;
        }

        public RecipientRecord Clone()
        {
            var copy = (RecipientRecord)MemberwiseClone();
            copy.EmailAddresses = EmailAddresses == null ? new List<string>() : new List<string>(EmailAddresses);
            copy.CustomAttributes = CustomAttributes == null ? null : (string[])CustomAttributes.Clone();
            copy.Members = Members == null ? null : new List<Guid>(Members);
            copy.ManagedBy = ManagedBy == null ? null : new List<Guid>(ManagedBy);
            return copy;
        }
    }

    public sealed class TenantSettings
    {
        public int SessionLimit { get; set; } = 3;
        public int SessionLifetimeSeconds { get; set; } = 3600;
        /// <summary>Milliseconds each cmdlet waits before it runs: the round trip to a distant service (default 0).</summary>
        public int CommandLatencyMs { get; set; }

        public TenantSettings Clone() => (TenantSettings)MemberwiseClone();
    }

    public sealed class OrganizationRecord
    {
        public Guid Guid { get; set; }
        public string Name { get; set; }
        public string DisplayName { get; set; }
        public DateTime WhenCreatedUtc { get; set; }
        public DateTime WhenChangedUtc { get; set; }
    }

    public sealed class AcceptedDomainRecord
    {
        public Guid Guid { get; set; }
        public string Name { get; set; }
        public string DomainName { get; set; }
        public string DomainType { get; set; } = "Authoritative";
        public bool Default { get; set; }
        public bool InitialDomain { get; set; }
        public string AuthenticationType { get; set; } = "Managed";
        /// <summary>Sandbox: the WS-Trust endpoint a federated domain's sign-in goes to (never reachable).</summary>
        public string FederationEndpoint { get; set; }
        public DateTime WhenCreatedUtc { get; set; }
    }

    /// <summary>
    /// tenant.json: everything small, plus the list of immutable shard files that hold the recipients. A writer
    /// publishes a new generation by renaming a new manifest over the old one.
    /// </summary>
    public sealed class TenantManifest
    {
        public const string CurrentFormat = "exo-connect-sandbox/1";

        public string Format { get; set; } = CurrentFormat;
        public Guid TenantId { get; set; }
        public long Generation { get; set; }
        public DateTime CreatedUtc { get; set; }
        public DateTime UpdatedUtc { get; set; }
        public int Seed { get; set; }
        public int GeneratedMailboxCount { get; set; }
        public long NextSequence { get; set; }
        public TenantSettings Settings { get; set; } = new TenantSettings();
        public OrganizationRecord Organization { get; set; }
        public List<AcceptedDomainRecord> AcceptedDomains { get; set; } = new List<AcceptedDomainRecord>();
        /// <summary>Shard key (two hex digits of the recipient Guid) → file name under recipients/.</summary>
        public SortedDictionary<string, string> Shards { get; set; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    }
}
