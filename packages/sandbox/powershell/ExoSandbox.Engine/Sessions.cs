// Session slots: sessions/<serverPid>.json per open session, sessions/pending-<id>.json while one opens. A slot is
// held only while its process lives (pid plus start time, so a reused pid does not count) and, for an open
// session, until it expires: a crashed client never holds a slot for ever.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;

namespace ExoConnect.Sandbox
{
    public sealed class SessionRecord
    {
        public string SessionId { get; set; }
        public string UserPrincipalName { get; set; }
        public int ProcessId { get; set; }
        public string ProcessStart { get; set; }
        public int ClientProcessId { get; set; }
        public string ClientProcessStart { get; set; }
        public DateTime StartedUtc { get; set; }
        public DateTime ExpiresUtc { get; set; }

        [JsonIgnore] public bool Pending { get; set; }
        [JsonIgnore] public string Path { get; set; }
        [JsonIgnore] public bool Alive { get; set; }
        [JsonIgnore] public bool Expired { get; set; }

        [JsonIgnore] public bool HoldsSlot => Alive && !Expired;
    }

    public sealed class SessionReservation
    {
        public bool Granted { get; set; }
        public int LiveCount { get; set; }
        public int Limit { get; set; }
        public string PendingPath { get; set; }
        public string SessionId { get; set; }
    }

    public static class ProcessIdentity
    {
        /// <summary>A value that changes when the pid is reused; null when the process is gone (or a zombie).</summary>
        public static string StartMarker(int pid)
        {
            if (pid <= 0) return null;
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    var fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
                    var state = fields[0];
                    if (state == "Z" || state == "X") return null;
                    return fields[19];
                }
                catch (IOException) { return null; }
                catch (UnauthorizedAccessException) { return null; }
            }
            try
            {
                using (var p = Process.GetProcessById(pid))
                {
                    if (p.HasExited) return null;
                    return p.StartTime.ToUniversalTime().Ticks.ToString();
                }
            }
            catch (ArgumentException) { return null; }
            catch (InvalidOperationException) { return null; }
            catch (System.ComponentModel.Win32Exception) { return null; }
        }

        public static bool IsAlive(int pid, string marker) => marker != null && StartMarker(pid) == marker;
    }

    public sealed class SessionRegistry
    {
        private static readonly TimeSpan PendingTimeout = TimeSpan.FromMinutes(2);

        public SessionRegistry(string tenantDir)
        {
            TenantDirectory = System.IO.Path.GetFullPath(tenantDir);
            Directory = System.IO.Path.Combine(TenantDirectory, "sessions");
        }

        public string TenantDirectory { get; }

        public string Directory { get; }

        /// <summary>Every session file with its liveness; files of dead processes included.</summary>
        public List<SessionRecord> ReadAll()
        {
            var result = new List<SessionRecord>();
            if (!System.IO.Directory.Exists(Directory)) return result;
            var now = DateTime.UtcNow;
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
            {
                SessionRecord r;
                try
                {
                    r = JsonSerializer.Deserialize<SessionRecord>(File.ReadAllBytes(path), SandboxJson.Options);
                }
                catch (Exception e) when (e is IOException || e is JsonException)
                {
                    continue;
                }
                if (r == null) continue;
                r.Path = path;
                r.Pending = System.IO.Path.GetFileName(path).StartsWith("pending-", StringComparison.Ordinal);
                if (r.Pending)
                {
                    r.Alive = ProcessIdentity.IsAlive(r.ClientProcessId, r.ClientProcessStart) && now - r.StartedUtc < PendingTimeout;
                    r.Expired = false;
                }
                else
                {
                    r.Alive = ProcessIdentity.IsAlive(r.ProcessId, r.ProcessStart);
                    r.Expired = r.ExpiresUtc <= now;
                }
                result.Add(r);
            }
            return result;
        }

        /// <summary>Open sessions whose server process is alive, oldest first.</summary>
        public List<SessionRecord> Live() => ReadAll().Where(r => !r.Pending && r.Alive).OrderBy(r => r.StartedUtc).ToList();

        /// <summary>Takes a slot for <paramref name="upn"/> if fewer than <paramref name="limit"/> are held.</summary>
        public SessionReservation Reserve(string upn, int limit, int clientPid)
        {
            using (TenantLock.Acquire(TenantDirectory))
            {
                System.IO.Directory.CreateDirectory(Directory);
                var all = ReadAll();
                foreach (var dead in all.Where(r => !r.Alive))
                {
                    TryDelete(dead.Path);
                    if (!dead.Pending) TryDelete(DropFlagFor(dead.ProcessId));
                }
                var held = all.Count(r => r.HoldsSlot && string.Equals(r.UserPrincipalName, upn, StringComparison.OrdinalIgnoreCase));
                var reservation = new SessionReservation { LiveCount = held, Limit = limit, SessionId = Guid.NewGuid().ToString() };
                if (held >= limit) return reservation;
                var pending = new SessionRecord
                {
                    SessionId = reservation.SessionId,
                    UserPrincipalName = upn,
                    ClientProcessId = clientPid,
                    ClientProcessStart = ProcessIdentity.StartMarker(clientPid),
                    StartedUtc = DateTime.UtcNow,
                    ExpiresUtc = DateTime.UtcNow + PendingTimeout,
                };
                reservation.PendingPath = System.IO.Path.Combine(Directory, "pending-" + reservation.SessionId + ".json");
                AtomicFile.WriteJson(reservation.PendingPath, pending, SandboxJson.Options);
                reservation.Granted = true;
                return reservation;
            }
        }

        /// <summary>Turns a reservation into an open session held by the server process <paramref name="serverPid"/>.</summary>
        public SessionRecord Register(SessionReservation reservation, string sessionId, string upn, int serverPid, int clientPid, DateTime expiresUtc)
        {
            var record = new SessionRecord
            {
                SessionId = sessionId,
                UserPrincipalName = upn,
                ProcessId = serverPid,
                ProcessStart = ProcessIdentity.StartMarker(serverPid),
                ClientProcessId = clientPid,
                ClientProcessStart = ProcessIdentity.StartMarker(clientPid),
                StartedUtc = DateTime.UtcNow,
                ExpiresUtc = expiresUtc,
            };
            AtomicFile.WriteJson(PathFor(serverPid), record, SandboxJson.Options);
            Cancel(reservation);
            return record;
        }

        public void Cancel(SessionReservation reservation)
        {
            if (reservation?.PendingPath != null) TryDelete(reservation.PendingPath);
        }

        public void Unregister(int serverPid)
        {
            TryDelete(PathFor(serverPid));
            TryDelete(DropFlagFor(serverPid));
        }

        public string PathFor(int serverPid) => System.IO.Path.Combine(Directory, serverPid + ".json");

        /// <summary>Present while a session is to drop: its server process dies during its next command.</summary>
        public string DropFlagFor(int serverPid) => System.IO.Path.Combine(Directory, serverPid + ".drop");

        public void RequestDrop(int serverPid)
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(DropFlagFor(serverPid), DateTime.UtcNow.ToString("o"));
        }

        private static void TryDelete(string path)
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Remove-PSSession closes the runspace but leaves the server process of a PowerShellProcessInstance running:
    /// this ends the process and frees the slot as soon as the runspace is closed or broken. The other way round,
    /// when the server process dies while no command runs (expiry, a dropped connection), PowerShell 7.6 leaves the
    /// runspace Opened and the next command waits for ever; this closes it, so the next command fails at once.
    /// (A server that dies during a command turns the runspace Broken by itself.)
    /// </summary>
    public static class SessionReaper
    {
        public static void Attach(Runspace runspace, PowerShellProcessInstance instance, string tenantDir, int serverPid)
        {
            var registry = new SessionRegistry(tenantDir);
            var reaped = 0;
            void Reap()
            {
                if (Interlocked.Exchange(ref reaped, 1) == 1) return;
                try { instance.Dispose(); } catch (Exception) { }
                registry.Unregister(serverPid);
            }
            runspace.StateChanged += (sender, e) =>
            {
                var state = e.RunspaceStateInfo.State;
                if (state == RunspaceState.Closed || state == RunspaceState.Broken) Reap();
            };
            instance.Process.Exited += (sender, e) =>
            {
                registry.Unregister(serverPid);
                // Let a command that was running see the failure (and break the runspace) first.
                Thread.Sleep(200);
                if (runspace.RunspaceStateInfo.State != RunspaceState.Opened || runspace.RunspaceAvailability != RunspaceAvailability.Available) return;
                try { runspace.CloseAsync(); } catch (InvalidRunspaceStateException) { }
            };
            var now = runspace.RunspaceStateInfo.State;
            if (now == RunspaceState.Closed || now == RunspaceState.Broken) Reap();
        }
    }

    /// <summary>Server side: ends this session, as a dropped connection or the service would.</summary>
    public static class ServerWatchdog
    {
        private static System.Runtime.InteropServices.PosixSignalRegistration interruptRegistration;

        /// <summary>
        /// A real service's session runs on another machine, out of reach of the user's terminal. This local server
        /// shares the terminal's process group, so a Ctrl+C meant for the shell (or a command in it) would end the
        /// session too: ignore it. The registration lives as long as the process.
        /// </summary>
        public static void IgnoreTerminalInterrupt()
        {
            if (interruptRegistration != null) return;
            interruptRegistration = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGINT, context => context.Cancel = true);
        }

        public static void ExitNow()
        {
            using (var self = Process.GetCurrentProcess()) self.Kill();
        }

        /// <summary>
        /// Breaks the client's runspace: a line on this process's standard error is a transport error for the client,
        /// which fails the running command ("The background process reported an error with the following message:
        /// …"), marks the runspace Broken, closes it (this process answers) and ends this process. Merely dying would
        /// cost the client PowerShell's 60-second close timeout before the runspace breaks.
        /// </summary>
        public static void ReportTransportError(string message)
        {
            using (var stderr = Console.OpenStandardError())
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(message.Replace('\n', ' ').TrimEnd('.') + "\n");
                stderr.Write(bytes, 0, bytes.Length);
                stderr.Flush();
            }
        }
    }
}
