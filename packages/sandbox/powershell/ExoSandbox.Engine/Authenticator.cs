// Who may open a session, in the order the real service decides: a federated domain sends the sign-in to its
// identity provider first; then the password; then the account's remote PowerShell permission.
using System;
using System.Management.Automation;

namespace ExoConnect.Sandbox
{
    public enum AuthenticationOutcome
    {
        Success,
        AccessDenied,
        RemotePowerShellDisabled,
        FederatedServiceUnreachable,
        MultiFactorRequired,
    }

    public sealed class AuthenticationResult
    {
        public AuthenticationOutcome Outcome { get; set; }
        public string UserPrincipalName { get; set; }
        public string FederationEndpoint { get; set; }
        public int SessionLifetimeSeconds { get; set; }
        public int SessionLimit { get; set; }
        public int CommandLatencyMs { get; set; }
        public bool DropsSession { get; set; }
        /// <summary>The account's role group: RoleGroups.OrganizationManagement unless the account names another.</summary>
        public string RoleGroup { get; set; } = RoleGroups.OrganizationManagement;
    }

    /// <summary>
    /// The role groups the sandbox knows. The PSSession face picks the session configuration by the group (a
    /// view-only session exports only the Get- cmdlets); the REST face's roles.ts filters by the same rule.
    /// </summary>
    public static class RoleGroups
    {
        public const string OrganizationManagement = "Organization Management";
        public const string ViewOnly = "View-Only Organization Management";

        public static string Of(RecipientRecord account) =>
            string.IsNullOrEmpty(account?.RoleGroup) ? OrganizationManagement : account.RoleGroup;
    }

    public static class Authenticator
    {
        public static AuthenticationResult Authenticate(string tenantDir, PSCredential credential)
        {
            var snapshot = new TenantStore(tenantDir).Load();
            var result = new AuthenticationResult
            {
                Outcome = AuthenticationOutcome.AccessDenied,
                SessionLimit = snapshot.Manifest.Settings.SessionLimit,
                SessionLifetimeSeconds = snapshot.Manifest.Settings.SessionLifetimeSeconds,
                CommandLatencyMs = snapshot.Manifest.Settings.CommandLatencyMs,
            };
            var upn = credential?.UserName?.Trim();
            if (string.IsNullOrEmpty(upn)) return result;
            var domain = snapshot.DomainOf(upn);
            if (domain != null && string.Equals(domain.AuthenticationType, "Federated", StringComparison.OrdinalIgnoreCase))
            {
                result.Outcome = AuthenticationOutcome.FederatedServiceUnreachable;
                result.FederationEndpoint = domain.FederationEndpoint ?? TenantConstants.FederationEndpoint;
                return result;
            }
            var account = snapshot.FindAccount(upn);
            if (account == null || !Passwords.Verify(credential.Password, account.PasswordHash)) return result;
            result.UserPrincipalName = account.UserPrincipalName;
            if (account.RequiresMfa)
            {
                result.Outcome = AuthenticationOutcome.MultiFactorRequired;
                return result;
            }
            if (!account.RemotePowerShellEnabled)
            {
                result.Outcome = AuthenticationOutcome.RemotePowerShellDisabled;
                return result;
            }
            result.Outcome = AuthenticationOutcome.Success;
            result.DropsSession = account.DropsSession;
            result.RoleGroup = RoleGroups.Of(account);
            if (account.SessionLifetimeSeconds.HasValue) result.SessionLifetimeSeconds = account.SessionLifetimeSeconds.Value;
            return result;
        }
    }
}
