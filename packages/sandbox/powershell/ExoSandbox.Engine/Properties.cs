// The properties the sandbox models, with Exchange's names and the .NET types a client sees after
// deserialization (Exchange's own types such as ByteQuantifiedSize arrive as strings). Cmdlet output and -Filter
// both read them from here.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ExoConnect.Sandbox
{
    public static class TenantConstants
    {
        public const string PrimaryDomain = "sandbox.exo.localhost";
        public const string InitialDomain = "sandbox.onmicrosoft.localhost";
        public const string FederatedDomain = "federated.sandbox.exo.localhost";
        public const string FederationEndpoint = "https://sts.federated.sandbox.exo.localhost/adfs/services/trust/2005/usernamemixed";
        public const string ServiceHost = "sandbox.exo.localhost";
        public const string OrganizationName = InitialDomain;
        public const string OrganizationDisplayName = "exo-connect sandbox";
        public const string DomainController = "SBXPR01A001DC01.SBXPR01A001.prod.exo.localhost";
        public const string Server = "SBXPR01MB0001";
        public const string Database = "SBXPR01DG001-db001";
        public const string DemoAdmin = "admin@" + PrimaryDomain;
        /// <summary>The persona whose only role group is View-Only Organization Management (Get- cmdlets only).</summary>
        public const string ViewOnlyUser = "viewonly@" + PrimaryDomain;
        /// <summary>Public on purpose: it opens nothing but the generated tenant on this machine.</summary>
        public const string DemoPassword = "Sandbox-Demo-Pa55!";

        public static readonly string OrganizationalUnit = "SBXPR01A001.prod.exo.localhost/Microsoft Exchange Hosted Organizations/" + InitialDomain;
    }

    public static class Properties
    {
        private delegate object Getter(RecipientRecord r, TenantSnapshot t);

        private static readonly Dictionary<string, Getter> Getters = new Dictionary<string, Getter>(StringComparer.OrdinalIgnoreCase);

        static Properties()
        {
            Getters["Name"] = (r, t) => r.Name;
            Getters["DisplayName"] = (r, t) => r.DisplayName;
            Getters["Alias"] = (r, t) => r.Alias;
            Getters["Identity"] = (r, t) => r.Name;
            Getters["Id"] = (r, t) => r.Name;
            Getters["Guid"] = (r, t) => r.Guid;
            Getters["ExternalDirectoryObjectId"] = (r, t) => r.Guid.ToString();
            Getters["DistinguishedName"] = (r, t) => DistinguishedName(r, t);
            Getters["OrganizationalUnit"] = (r, t) => TenantConstants.OrganizationalUnit;
            Getters["PrimarySmtpAddress"] = (r, t) => r.PrimarySmtpAddress;
            Getters["WindowsEmailAddress"] = (r, t) => r.PrimarySmtpAddress;
            Getters["EmailAddresses"] = (r, t) => r.EmailAddresses.ToArray();
            Getters["RecipientType"] = (r, t) => r.IsGroup ? RecipientKinds.DistributionGroup : RecipientKinds.UserMailbox;
            Getters["RecipientTypeDetails"] = (r, t) => r.RecipientTypeDetails;
            Getters["HiddenFromAddressListsEnabled"] = (r, t) => r.HiddenFromAddressListsEnabled;
            for (var i = 1; i <= 15; i++)
            {
                var index = i;
                Getters["CustomAttribute" + i] = (r, t) => r.GetCustomAttribute(index) ?? string.Empty;
            }
            Getters["WhenCreated"] = (r, t) => r.WhenCreatedUtc.ToLocalTime();
            Getters["WhenChanged"] = (r, t) => r.WhenChangedUtc.ToLocalTime();
            Getters["WhenCreatedUTC"] = (r, t) => r.WhenCreatedUtc;
            Getters["WhenChangedUTC"] = (r, t) => r.WhenChangedUtc;
            Getters["IsValid"] = (r, t) => true;
            Getters["ExchangeVersion"] = (r, t) => "0.20 (15.0.0.0)";
            Getters["OrganizationId"] = (r, t) => TenantConstants.OrganizationalUnit + " - " + TenantConstants.OrganizationalUnit;

            // Mailbox.
            Getters["UserPrincipalName"] = (r, t) => r.UserPrincipalName;
            Getters["MicrosoftOnlineServicesID"] = (r, t) => r.UserPrincipalName;
            Getters["ExchangeGuid"] = (r, t) => r.ExchangeGuid;
            Getters["Database"] = (r, t) => TenantConstants.Database;
            Getters["ServerName"] = (r, t) => TenantConstants.Server.ToLowerInvariant();
            Getters["UseDatabaseQuotaDefaults"] = (r, t) => false;
            Getters["IssueWarningQuota"] = (r, t) => "98 GB (105,226,698,752 bytes)";
            Getters["ProhibitSendQuota"] = (r, t) => "99 GB (106,300,440,576 bytes)";
            Getters["ProhibitSendReceiveQuota"] = (r, t) => "100 GB (107,374,182,400 bytes)";
            Getters["RecoverableItemsQuota"] = (r, t) => "30 GB (32,212,254,720 bytes)";
            Getters["MaxSendSize"] = (r, t) => "35 MB (36,700,160 bytes)";
            Getters["MaxReceiveSize"] = (r, t) => "36 MB (37,748,736 bytes)";
            Getters["ArchiveStatus"] = (r, t) => "None";
            Getters["RetentionPolicy"] = (r, t) => "Default MRM Policy";
            Getters["LitigationHoldEnabled"] = (r, t) => r.LitigationHoldEnabled;
            Getters["ForwardingAddress"] = (r, t) => null;
            Getters["ForwardingSmtpAddress"] = (r, t) => string.IsNullOrEmpty(r.ForwardingSmtpAddress) ? null : "smtp:" + r.ForwardingSmtpAddress;
            Getters["DeliverToMailboxAndForward"] = (r, t) => r.DeliverToMailboxAndForward;
            Getters["IsMailboxEnabled"] = (r, t) => r.IsMailbox;
            Getters["IsShared"] = (r, t) => r.RecipientTypeDetails == RecipientKinds.SharedMailbox;
            Getters["IsResource"] = (r, t) => r.RecipientTypeDetails == RecipientKinds.RoomMailbox || r.RecipientTypeDetails == RecipientKinds.EquipmentMailbox;
            Getters["ResourceType"] = (r, t) => r.RecipientTypeDetails == RecipientKinds.RoomMailbox ? "Room" : r.RecipientTypeDetails == RecipientKinds.EquipmentMailbox ? "Equipment" : null;
            Getters["AccountDisabled"] = (r, t) => r.AccountDisabled;

            // User.
            Getters["FirstName"] = (r, t) => r.FirstName ?? string.Empty;
            Getters["LastName"] = (r, t) => r.LastName ?? string.Empty;
            Getters["Title"] = (r, t) => r.Title ?? string.Empty;
            Getters["Department"] = (r, t) => r.Department ?? string.Empty;
            Getters["Company"] = (r, t) => r.Company ?? string.Empty;
            Getters["Office"] = (r, t) => r.Office ?? string.Empty;
            Getters["City"] = (r, t) => r.City ?? string.Empty;
            Getters["StateOrProvince"] = (r, t) => r.StateOrProvince ?? string.Empty;
            Getters["CountryOrRegion"] = (r, t) => r.CountryOrRegion;
            Getters["Phone"] = (r, t) => r.Phone ?? string.Empty;
            Getters["RemotePowerShellEnabled"] = (r, t) => r.RemotePowerShellEnabled;
            Getters["IsDirSynced"] = (r, t) => false;

            // Distribution group.
            Getters["GroupType"] = (r, t) => r.IsGroup ? "Universal" : null;
            Getters["ManagedBy"] = (r, t) => (r.ManagedBy ?? new List<Guid>()).Select(id => t.GetByGuid(id)?.Name).Where(n => n != null).ToArray();
            Getters["MemberJoinRestriction"] = (r, t) => r.MemberJoinRestriction;
            Getters["MemberDepartRestriction"] = (r, t) => r.MemberDepartRestriction;
            Getters["RequireSenderAuthenticationEnabled"] = (r, t) => r.RequireSenderAuthenticationEnabled;
        }

        private static readonly string[] CustomAttributeNames = Enumerable.Range(1, 15).Select(i => "CustomAttribute" + i).ToArray();

        public static readonly string[] MailboxView = new[]
        {
            "Database", "ServerName", "UseDatabaseQuotaDefaults", "IssueWarningQuota", "ProhibitSendQuota",
            "ProhibitSendReceiveQuota", "RecoverableItemsQuota", "MaxSendSize", "MaxReceiveSize", "ArchiveStatus",
            "RetentionPolicy", "LitigationHoldEnabled", "ForwardingAddress", "ForwardingSmtpAddress",
            "DeliverToMailboxAndForward", "IsMailboxEnabled", "IsShared", "IsResource", "ResourceType", "ExchangeGuid",
            "UserPrincipalName", "MicrosoftOnlineServicesID", "AccountDisabled", "Office", "Alias",
        }.Concat(CustomAttributeNames).Concat(new[]
        {
            "DisplayName", "EmailAddresses", "HiddenFromAddressListsEnabled", "PrimarySmtpAddress", "RecipientType",
            "RecipientTypeDetails", "WindowsEmailAddress", "Identity", "Id", "IsValid", "ExchangeVersion", "Name",
            "DistinguishedName", "Guid", "OrganizationalUnit", "OrganizationId", "ExternalDirectoryObjectId",
            "WhenChanged", "WhenCreated", "WhenChangedUTC", "WhenCreatedUTC",
        }).ToArray();

        public static readonly string[] UserView =
        {
            "Name", "DisplayName", "FirstName", "LastName", "Title", "Department", "Company", "Office", "City",
            "StateOrProvince", "CountryOrRegion", "Phone", "UserPrincipalName", "MicrosoftOnlineServicesID",
            "WindowsEmailAddress", "RecipientType", "RecipientTypeDetails", "RemotePowerShellEnabled", "AccountDisabled",
            "IsDirSynced", "Identity", "Id", "IsValid", "ExchangeVersion", "DistinguishedName", "Guid",
            "OrganizationalUnit", "OrganizationId", "ExternalDirectoryObjectId", "WhenChanged", "WhenCreated",
            "WhenChangedUTC", "WhenCreatedUTC",
        };

        public static readonly string[] RecipientView = new[]
        {
            "Name", "Alias", "DisplayName", "PrimarySmtpAddress", "EmailAddresses", "RecipientType",
            "RecipientTypeDetails", "HiddenFromAddressListsEnabled", "FirstName", "LastName", "Title", "Department",
            "Company", "Office", "City", "CountryOrRegion", "Phone",
        }.Concat(CustomAttributeNames).Concat(new[]
        {
            "ExternalDirectoryObjectId", "Identity", "Id", "IsValid", "ExchangeVersion", "DistinguishedName", "Guid",
            "OrganizationalUnit", "OrganizationId", "WhenChanged", "WhenCreated", "WhenChangedUTC", "WhenCreatedUTC",
        }).ToArray();

        public static readonly string[] DistributionGroupView = new[]
        {
            "GroupType", "ManagedBy", "MemberJoinRestriction", "MemberDepartRestriction",
            "RequireSenderAuthenticationEnabled", "Alias", "DisplayName", "EmailAddresses",
            "HiddenFromAddressListsEnabled", "PrimarySmtpAddress", "RecipientType", "RecipientTypeDetails",
            "WindowsEmailAddress",
        }.Concat(CustomAttributeNames).Concat(new[]
        {
            "Identity", "Id", "IsValid", "ExchangeVersion", "Name", "DistinguishedName", "Guid", "OrganizationalUnit",
            "OrganizationId", "ExternalDirectoryObjectId", "WhenChanged", "WhenCreated", "WhenChangedUTC",
            "WhenCreatedUTC",
        }).ToArray();

        public static readonly string[] MailboxTypeNames =
        {
            "Microsoft.Exchange.Data.Directory.Management.Mailbox",
            "Microsoft.Exchange.Data.Directory.Management.MailEnabledOrgPerson",
            "Microsoft.Exchange.Data.Directory.Management.MailEnabledRecipient",
            "Microsoft.Exchange.Data.Directory.ADPresentationObject",
            "Microsoft.Exchange.Data.ConfigurableObject",
            "System.Object",
        };

        public static readonly string[] UserTypeNames =
        {
            "Microsoft.Exchange.Data.Directory.Management.User",
            "Microsoft.Exchange.Data.Directory.Management.OrgPersonPresentationObject",
            "Microsoft.Exchange.Data.Directory.ADPresentationObject",
            "Microsoft.Exchange.Data.ConfigurableObject",
            "System.Object",
        };

        public static readonly string[] RecipientTypeNames =
        {
            "Microsoft.Exchange.Data.Directory.Management.ReducedRecipient",
            "Microsoft.Exchange.Data.ConfigurableObject",
            "System.Object",
        };

        public static readonly string[] DistributionGroupTypeNames =
        {
            "Microsoft.Exchange.Data.Directory.Management.DistributionGroup",
            "Microsoft.Exchange.Data.Directory.Management.DistributionGroupBase",
            "Microsoft.Exchange.Data.Directory.Management.MailEnabledRecipient",
            "Microsoft.Exchange.Data.Directory.ADPresentationObject",
            "Microsoft.Exchange.Data.ConfigurableObject",
            "System.Object",
        };

        /// <summary>Every property -Filter can name: all modelled recipient properties.</summary>
        public static IEnumerable<string> Filterable => Getters.Keys;

        public static bool IsKnown(string name) => Getters.ContainsKey(name);

        public static object Get(RecipientRecord r, TenantSnapshot t, string name) => Getters[name](r, t);

        public static string DistinguishedName(RecipientRecord r, TenantSnapshot t) =>
            "CN=" + (r.Name ?? string.Empty).Replace("\\", "\\\\").Replace(",", "\\,") + ",OU=" + TenantConstants.InitialDomain +
            ",OU=Microsoft Exchange Hosted Organizations,DC=SBXPR01A001,DC=prod,DC=exo,DC=localhost";

        public static PSObject Project(RecipientRecord r, TenantSnapshot t, string[] view, string[] typeNames)
        {
            var o = new PSObject();
            var props = o.Properties;
            foreach (var name in view)
            {
                props.Add(new PSNoteProperty(name, Getters[name](r, t)), true);
            }
            SetTypeNames(o, typeNames);
            return o;
        }

        public static void SetTypeNames(PSObject o, string[] typeNames)
        {
            o.TypeNames.Clear();
            foreach (var n in typeNames) o.TypeNames.Add(n);
        }

        public static PSObject AcceptedDomain(AcceptedDomainRecord d)
        {
            var o = new PSObject();
            void P(string n, object v) => o.Properties.Add(new PSNoteProperty(n, v));
            P("DomainName", d.DomainName);
            P("CatchAllRecipientID", null);
            P("DomainType", d.DomainType);
            P("MatchSubDomains", false);
            P("AddressBookEnabled", true);
            P("Default", d.Default);
            P("InitialDomain", d.InitialDomain);
            P("AuthenticationType", d.AuthenticationType);
            P("LiveIdInstanceType", "Business");
            P("PendingRemoval", false);
            P("PendingCompletion", false);
            P("FederatedOrganizationLink", null);
            P("MailFlowPartner", null);
            P("OutboundOnly", false);
            P("PendingFederatedAccountNamespace", false);
            P("PendingFederatedDomain", false);
            P("IsCoexistenceDomain", false);
            P("PerimeterDuplicateDetected", false);
            P("IsDefaultFederatedDomain", false);
            P("EnableNego2Authentication", false);
            P("IsValid", true);
            P("ExchangeVersion", "0.10 (14.0.100.0)");
            P("Name", d.Name);
            P("Identity", d.Name);
            P("Id", d.Name);
            P("Guid", d.Guid);
            P("ObjectCategory", "SBXPR01A001.prod.exo.localhost/Configuration/Schema/ms-Exch-Accepted-Domain");
            P("WhenChanged", d.WhenCreatedUtc.ToLocalTime());
            P("WhenCreated", d.WhenCreatedUtc.ToLocalTime());
            P("WhenChangedUTC", d.WhenCreatedUtc);
            P("WhenCreatedUTC", d.WhenCreatedUtc);
            P("OrganizationId", TenantConstants.OrganizationalUnit + " - " + TenantConstants.OrganizationalUnit);
            SetTypeNames(o, new[]
            {
                "Microsoft.Exchange.Data.Directory.SystemConfiguration.AcceptedDomain",
                "Microsoft.Exchange.Data.Directory.ADConfigurationObject",
                "Microsoft.Exchange.Data.Directory.ADObject",
                "Microsoft.Exchange.Data.ConfigurableObject",
                "System.Object",
            });
            return o;
        }

        public static PSObject OrganizationConfig(TenantManifest m)
        {
            var org = m.Organization;
            var o = new PSObject();
            void P(string n, object v) => o.Properties.Add(new PSNoteProperty(n, v));
            P("DisplayName", org.DisplayName);
            P("IsDehydrated", false);
            P("IsMixedMode", false);
            P("DefaultPublicFolderAgeLimit", null);
            P("MailTipsAllTipsEnabled", true);
            P("MailTipsExternalRecipientsTipsEnabled", false);
            P("MailTipsGroupMetricsEnabled", true);
            P("MailTipsLargeAudienceThreshold", 25);
            P("AuditDisabled", false);
            P("OAuth2ClientProfileEnabled", true);
            P("SmtpActionableMessagesEnabled", true);
            P("FocusedInboxOn", null);
            P("CustomerLockboxEnabled", false);
            P("DistributionGroupDefaultOU", null);
            P("MaxConcurrentMigrations", "Unlimited");
            P("AdminDisplayName", string.Empty);
            P("ExchangeVersion", "0.20 (15.0.0.0)");
            P("Name", org.Name);
            P("DistinguishedName", "CN=Configuration,CN=" + org.Name + ",CN=ConfigurationUnits,DC=SBXPR01A001,DC=prod,DC=exo,DC=localhost");
            P("Identity", org.Name);
            P("Id", org.Name);
            P("Guid", org.Guid);
            P("OrganizationId", TenantConstants.OrganizationalUnit + " - " + TenantConstants.OrganizationalUnit);
            P("IsValid", true);
            P("WhenChanged", org.WhenChangedUtc.ToLocalTime());
            P("WhenCreated", org.WhenCreatedUtc.ToLocalTime());
            P("WhenChangedUTC", org.WhenChangedUtc);
            P("WhenCreatedUTC", org.WhenCreatedUtc);
            SetTypeNames(o, new[]
            {
                "Microsoft.Exchange.Data.Directory.Management.OrganizationConfig",
                "Microsoft.Exchange.Data.Directory.ADPresentationObject",
                "Microsoft.Exchange.Data.ConfigurableObject",
                "System.Object",
            });
            return o;
        }
    }
}
