// Errors with the real services' texts (REFERENCE.md §4) and shapes: what New-PSSession reports when a
// connection is refused, and what Exchange cmdlets report, including the exception type names that show in
// CategoryInfo ("ObjectNotFound: (x:String) [Get-Mailbox], ManagementObjectNotFoundException").
using System;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;

namespace ExoConnect.Sandbox
{
    public abstract class ExchangeTaskException : Exception
    {
        protected ExchangeTaskException(string message, ErrorCategory category, object target)
            : base(message)
        {
            Category = category;
            Target = target;
        }

        public ErrorCategory Category { get; }

        public object Target { get; }

        /// <summary>The namespace of Exchange's own exception of this name (the REST face reports its full name).</summary>
        protected abstract string ExchangeNamespace { get; }

        /// <summary>Exchange's full type name, e.g. Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException.</summary>
        public string ExchangeTypeName => ExchangeNamespace + "." + GetType().Name;

        /// <summary>
        /// Exchange's error id: "[Server=…,RequestId=…,TimeStamp=…] [FailureCategory=Cmdlet-…] &lt;hash&gt;".
        /// PowerShell appends ",&lt;cmdlet&gt;" when the cmdlet writes the record.
        /// </summary>
        public ErrorRecord ToErrorRecord()
        {
            var name = GetType().Name;
            var hash = (uint)StableHash(name);
            var id = string.Format(CultureInfo.InvariantCulture,
                "[Server={0},RequestId={1},TimeStamp={2:M/d/yyyy h:mm:ss tt}] [FailureCategory=Cmdlet-{3}] {4:X8}",
                TenantConstants.Server, Guid.NewGuid(), DateTime.UtcNow, name, hash);
            return new ErrorRecord(this, id, Category, Target);
        }

        private static int StableHash(string s)
        {
            unchecked
            {
                var h = (int)2166136261;
                foreach (var c in s) h = (h ^ c) * 16777619;
                return h;
            }
        }
    }

    public sealed class ManagementObjectNotFoundException : ExchangeTaskException
    {
        protected override string ExchangeNamespace => "Microsoft.Exchange.Configuration.Tasks";

        public ManagementObjectNotFoundException(string identity)
            : base($"The operation couldn't be performed because object '{identity}' couldn't be found on '{TenantConstants.DomainController}'.",
                ErrorCategory.ObjectNotFound, identity) { }
    }

    public sealed class ManagementObjectAmbiguousException : ExchangeTaskException
    {
        protected override string ExchangeNamespace => "Microsoft.Exchange.Configuration.Tasks";

        public ManagementObjectAmbiguousException(string identity)
            : base($"The operation couldn't be performed because '{identity}' matches multiple entries.", ErrorCategory.InvalidArgument, identity) { }
    }

    public sealed class ADObjectAlreadyExistsException : ExchangeTaskException
    {
        protected override string ExchangeNamespace => "Microsoft.Exchange.Data.Directory";

        public ADObjectAlreadyExistsException(string name)
            : base($"The name \"{name}\" is already being used. Please try another name.", ErrorCategory.ResourceExists, name) { }
    }

    public sealed class ProxyAddressExistsException : ExchangeTaskException
    {
        protected override string ExchangeNamespace => "Microsoft.Exchange.Configuration.ObjectModel";

        public ProxyAddressExistsException(string address, string owner)
            : base($"The proxy address \"{address}\" is already being used by the proxy addresses or LegacyExchangeDN of \"{owner}\". Please choose another proxy address.",
                ErrorCategory.ResourceExists, address) { }
    }

    public sealed class MemberAlreadyExistsException : ExchangeTaskException
    {
        protected override string ExchangeNamespace => "Microsoft.Exchange.Management.Tasks";

        public MemberAlreadyExistsException(string member, string group)
            : base($"The recipient \"{member}\" is already a member of the group \"{group}\".", ErrorCategory.ResourceExists, member) { }
    }

    public sealed class MemberNotFoundException : ExchangeTaskException
    {
        protected override string ExchangeNamespace => "Microsoft.Exchange.Management.Tasks";

        public MemberNotFoundException(string member, string group)
            : base($"The recipient \"{member}\" isn't a member of the group \"{group}\".", ErrorCategory.ObjectNotFound, member) { }
    }

    public sealed class DataValidationException : ExchangeTaskException
    {
        protected override string ExchangeNamespace => "Microsoft.Exchange.Data";

        public DataValidationException(string message, object target)
            : base(message, ErrorCategory.InvalidData, target) { }
    }

    public sealed class RecipientTaskException : ExchangeTaskException
    {
        protected override string ExchangeNamespace => "Microsoft.Exchange.Management.Tasks";

        public RecipientTaskException(string message, object target)
            : base(message, ErrorCategory.InvalidArgument, target) { }
    }

    /// <summary>What New-PSSession writes when the sandbox refuses a connection.</summary>
    public static class ConnectionErrors
    {
        public const int AccessDeniedCode = 5;
        /// <summary>The WinRM error code New-PSSession reports with the service's own message (0x80338043).</summary>
        public const int ServiceErrorCode = -2144108477;

        public static string Connecting(string message) =>
            $"Connecting to remote server {TenantConstants.ServiceHost} failed with the following error message : {message} For more information, see the about_Remote_Troubleshooting Help topic.";

        public static ErrorRecord AccessDenied() =>
            Open("Access is denied.", AccessDeniedCode, "AccessDenied", null);

        /// <summary>
        /// The real service answers a user who may not use remote PowerShell with the same "Access is denied"; the
        /// sandbox says why in the inner exception (and the recommended action), so callers can tell it apart.
        /// </summary>
        public static ErrorRecord RemotePowerShellDisabled(string upn)
        {
            var reason = new UnauthorizedAccessException(
                $"The user '{upn}' is not enabled for remote PowerShell (RemotePowerShellEnabled is False).");
            var record = Open("Access is denied.", AccessDeniedCode, "AccessDenied", reason);
            record.ErrorDetails.RecommendedAction =
                $"An administrator can run: Set-User -Identity {upn} -RemotePowerShellEnabled $true";
            return record;
        }

        public static ErrorRecord MaxConcurrency(int limit) =>
            Open($"Fail to create a runspace because you have exceeded the maximum number of connections allowed : {limit} for the policy party : MaxConcurrency. Please close existing runspace and try again.",
                ServiceErrorCode, ServiceErrorCode.ToString(CultureInfo.InvariantCulture), null);

        public static ErrorRecord FederatedServiceUnreachable(string endpoint)
        {
            var host = new Uri(endpoint).Host;
            return Open($"Federated service at {endpoint} returned error: The remote name could not be resolved: '{host}'.",
                ServiceErrorCode, ServiceErrorCode.ToString(CultureInfo.InvariantCulture), null);
        }

        private static ErrorRecord Open(string message, int code, string reasonId, Exception inner)
        {
            var text = Connecting(message);
            var exception = inner == null ? new PSRemotingTransportException(text) : new PSRemotingTransportException(text, inner);
            exception.ErrorCode = code;
            // New-PSSession's target is the runspace that failed to open; this one never starts a process.
            var target = RunspaceFactory.CreateOutOfProcessRunspace(null);
            var record = new ErrorRecord(exception, reasonId + ",PSSessionOpenFailed", ErrorCategory.OpenError, target);
            record.ErrorDetails = new ErrorDetails("[" + TenantConstants.ServiceHost + "] " + text);
            return record;
        }

        /// <summary>The transport error of a dropped connection (the client prefixes "The background process reported an error with the following message: ").</summary>
        public static string DroppedConnection =>
            $"The background process closed or ended abnormally: the connection to {TenantConstants.ServiceHost} was lost";

        /// <summary>
        /// The service's text when a session's shell is gone (it expired): "Processing data for a remote command failed
        /// … [FailureCategory=WSMan-InvalidShellID] …", sent as the transport error that breaks the runspace.
        /// </summary>
        public static string ShellNotFound(string shellId) =>
            string.Format(CultureInfo.InvariantCulture,
                "Processing data for a remote command failed with the following error message: [ClientAccessServer={0},BackEndServer={1},RequestId={2},TimeStamp={3:M/d/yyyy h:mm:ss tt}] [FailureCategory=WSMan-InvalidShellID] The request for the Windows Remote Shell with ShellId {4} failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation. For more information, see the about_Remote_Troubleshooting Help topic.",
                TenantConstants.Server, TenantConstants.Server.ToLowerInvariant() + "." + TenantConstants.ServiceHost, Guid.NewGuid(), DateTime.UtcNow, shellId.ToUpperInvariant());
    }
}
