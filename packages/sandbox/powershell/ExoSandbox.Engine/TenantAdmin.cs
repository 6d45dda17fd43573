// Tenant management: status, settings, and ending sessions from outside (a simulated dropped connection).
using System;
using System.Collections.Generic;
using System.Linq;

namespace ExoConnect.Sandbox
{
    public sealed class SessionStatus
    {
        public string SessionId { get; set; }
        public string UserPrincipalName { get; set; }
        public int ProcessId { get; set; }
        public int ClientProcessId { get; set; }
        public DateTime StartedUtc { get; set; }
        public DateTime ExpiresUtc { get; set; }
        public bool Expired { get; set; }
    }

    public sealed class TenantStatus
    {
        public string Path { get; set; }
        public bool Exists { get; set; }
        public string TenantId { get; set; }
        public string Organization { get; set; }
        public long Generation { get; set; }
        public int Seed { get; set; }
        public int GeneratedMailboxCount { get; set; }
        public int MailboxCount { get; set; }
        public int RecipientCount { get; set; }
        public int SessionLimit { get; set; }
        public int SessionLifetimeSeconds { get; set; }
        public int CommandLatencyMs { get; set; }
        public DateTime? CreatedUtc { get; set; }
        public DateTime? UpdatedUtc { get; set; }
        public List<SessionStatus> Sessions { get; set; } = new List<SessionStatus>();
        /// <summary>Sessions that hold a slot (live and not expired), per user.</summary>
        public SortedDictionary<string, int> SessionsByUser { get; set; } = new SortedDictionary<string, int>(StringComparer.OrdinalIgnoreCase);
    }

    public static class TenantAdmin
    {
        public static TenantStatus Status(string dir)
        {
            var store = new TenantStore(dir);
            var status = new TenantStatus { Path = store.Directory, Exists = store.Exists };
            if (!status.Exists) return status;
            var snapshot = store.Load();
            var m = snapshot.Manifest;
            status.TenantId = m.TenantId.ToString();
            status.Organization = m.Organization?.Name;
            status.Generation = m.Generation;
            status.Seed = m.Seed;
            status.GeneratedMailboxCount = m.GeneratedMailboxCount;
            status.MailboxCount = snapshot.MailboxCount;
            status.RecipientCount = snapshot.Recipients.Count;
            status.SessionLimit = m.Settings.SessionLimit;
            status.SessionLifetimeSeconds = m.Settings.SessionLifetimeSeconds;
            status.CommandLatencyMs = m.Settings.CommandLatencyMs;
            status.CreatedUtc = m.CreatedUtc;
            status.UpdatedUtc = m.UpdatedUtc;
            foreach (var s in new SessionRegistry(store.Directory).Live())
            {
                status.Sessions.Add(new SessionStatus
                {
                    SessionId = s.SessionId,
                    UserPrincipalName = s.UserPrincipalName,
                    ProcessId = s.ProcessId,
                    ClientProcessId = s.ClientProcessId,
                    StartedUtc = s.StartedUtc,
                    ExpiresUtc = s.ExpiresUtc,
                    Expired = s.Expired,
                });
                if (!s.Expired)
                {
                    status.SessionsByUser.TryGetValue(s.UserPrincipalName, out var n);
                    status.SessionsByUser[s.UserPrincipalName] = n + 1;
                }
            }
            return status;
        }

        public static void Configure(string dir, int? sessionLimit, int? sessionLifetimeSeconds, int? commandLatencyMs = null)
        {
            var probe = new TenantCreateOptions
            {
                SessionLimit = sessionLimit ?? 3,
                SessionLifetimeSeconds = sessionLifetimeSeconds ?? 3600,
                CommandLatencyMs = commandLatencyMs ?? 0,
            };
            probe.Validate();
            new TenantStore(dir).Write(tx =>
            {
                if (sessionLimit.HasValue) tx.Settings.SessionLimit = sessionLimit.Value;
                if (sessionLifetimeSeconds.HasValue) tx.Settings.SessionLifetimeSeconds = sessionLifetimeSeconds.Value;
                if (commandLatencyMs.HasValue) tx.Settings.CommandLatencyMs = commandLatencyMs.Value;
                tx.MarkSettingsChanged();
            });
        }

        /// <summary>
        /// Marks live sessions (all, by pid, or by user) to drop: each one's server process dies during its next
        /// command, so that command fails and the runspace goes Broken, as after a network drop. (A server killed
        /// while idle would leave PowerShell's runspace Opened and its next command waiting for ever.)
        /// </summary>
        public static List<SessionStatus> StopSessions(string dir, int[] processIds, string userPrincipalName)
        {
            var registry = new SessionRegistry(dir);
            var stopped = new List<SessionStatus>();
            foreach (var s in registry.Live())
            {
                if (processIds != null && processIds.Length > 0 && !processIds.Contains(s.ProcessId)) continue;
                if (!string.IsNullOrEmpty(userPrincipalName) && !string.Equals(s.UserPrincipalName, userPrincipalName, StringComparison.OrdinalIgnoreCase)) continue;
                registry.RequestDrop(s.ProcessId);
                stopped.Add(new SessionStatus
                {
                    SessionId = s.SessionId,
                    UserPrincipalName = s.UserPrincipalName,
                    ProcessId = s.ProcessId,
                    ClientProcessId = s.ClientProcessId,
                    StartedUtc = s.StartedUtc,
                    ExpiresUtc = s.ExpiresUtc,
                    Expired = s.Expired,
                });
            }
            return stopped;
        }
    }
}
