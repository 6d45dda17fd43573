// The request loop of a REST face engine worker (ExoSandbox.Rest/worker.ps1 sets it up). One request per stdin line,
// one reply per stdout line; each reply is framed by this process's marker (sent by its parent as the first stdin
// line), so stray output can never pass for a reply. Requests name one of the ExoSandbox.Server module's exported
// functions and carry its parameters as JSON data, bound by PowerShell's own parameter binder in a runspace without
// a host (a missing mandatory parameter fails with the binder's text instead of prompting); nothing a request holds
// ever becomes script text.
//   {"id":1,"op":"invoke","cmdlet":"Get-Mailbox","parameters":{"ResultSize":10},"pageSize":1000,"caller":"…"}
//   {"id":2,"op":"next","cmdlet":"Get-Mailbox","cursor":"<token>","pageSize":1000,"caller":"…"}
// Replies: {"id","ok":true,"objects":[…],"warnings":[…],"cursor"?} | {"id","ok":false,"error":{…},"warnings"}
// | {"id","cursorExpired":true}; once at start {"ready":true,"pid","commands":[{"name","parameters"}]}.
using System;
using System.Buffers;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace ExoConnect.Sandbox
{
    public sealed class RestWorker
    {
        public const string ModuleName = "ExoSandbox.Server";
        private const int MaxPageSize = 1000;
        private static readonly byte[] Newline = { (byte)'\n' };

        private readonly Runspace _runspace;
        private readonly ServerSession _session;
        private readonly TextReader _input;
        private readonly Stream _output;
        private readonly byte[] _marker;
        private readonly CursorTable _cursors;
        private readonly Dictionary<string, FunctionInfo> _commands = new Dictionary<string, FunctionInfo>(StringComparer.OrdinalIgnoreCase);
        private readonly ArrayBufferWriter<byte> _buffer = new ArrayBufferWriter<byte>(1 << 16);
        private Runspace _emptyRunspace;

        public RestWorker(Runspace runspace, ServerSession session, TextReader input, Stream output, string marker, int maxCursors, int cursorIdleSeconds)
        {
            _runspace = runspace;
            _session = session;
            _input = input;
            _output = output;
            _marker = Encoding.UTF8.GetBytes(marker + " ");
            _cursors = new CursorTable(maxCursors, TimeSpan.FromSeconds(cursorIdleSeconds));
            using (var ps = PowerShell.Create())
            {
                ps.Runspace = runspace;
                ps.AddCommand("Get-Command").AddParameter("Module", ModuleName).AddParameter("CommandType", CommandTypes.Function);
                foreach (var f in ps.Invoke<FunctionInfo>()) _commands[f.Name] = f;
            }
            if (_commands.Count == 0) throw new InvalidOperationException($"The {ModuleName} module exported no cmdlets into the worker's runspace.");
        }

        /// <summary>Announces the worker, then answers requests until stdin closes.</summary>
        public void Run()
        {
            Reply(null, w =>
            {
                w.WriteBoolean("ready", true);
                w.WriteNumber("pid", Environment.ProcessId);
                w.WriteStartArray("commands");
                foreach (var f in _commands.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WriteStartArray("parameters");
                    // The cmdlet's own parameters (with -WhatIf/-Confirm where it has them), not the common ones.
                    foreach (var name in f.Parameters.Keys.Where(n => !PSCmdlet.CommonParameters.Contains(n))) w.WriteStringValue(name);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            string line;
            while ((line = _input.ReadLine()) != null)
            {
                if (line.Length > 0) Handle(line);
            }
        }

        private void Handle(string line)
        {
            long? id = null;
            var warnings = new List<string>();
            try
            {
                using (var doc = JsonDocument.Parse(line))
                {
                    var root = doc.RootElement;
                    id = root.GetProperty("id").GetInt64();
                    var op = root.GetProperty("op").GetString();
                    if (op == "invoke") Invoke(id, root, warnings);
                    else if (op == "next") Next(id, root, warnings);
                    else if (op == "authenticate") Authenticate(id, root);
                    else throw new InvalidOperationException($"Unknown engine request '{op}'.");
                }
            }
            catch (Exception e)
            {
                // A failure of the worker itself (not of the cmdlet): the service's 500.
                ReplyError(id, e, CategoryOf(e), warnings, 500);
            }
        }

        private void Invoke(long? id, JsonElement root, List<string> warnings)
        {
            var name = root.GetProperty("cmdlet").GetString();
            if (!_commands.TryGetValue(name ?? string.Empty, out var command))
            {
                var notFound = CommandNotFound(name);
                ReplyError(id, notFound, CategoryOf(notFound), warnings);
                return;
            }
            Collection<PSObject> output;
            Exception failure;
            ErrorCategory category;
            using (var ps = PowerShell.Create())
            {
                ps.Runspace = _runspace;
                // Module-qualified, in a local scope: the exported function itself, and no state left behind.
                ps.AddCommand(ModuleName + "\\" + command.Name, true);
                if (root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in parameters.EnumerateObject())
                    {
                        var value = RestJson.ToValue(p.Value);
                        if (value is string text && IsSecureStringParameter(command, p.Name)) value = RestJson.ToSecureString(text);
                        ps.AddParameter(p.Name, value);
                    }
                }
                RuntimeException terminating = null;
                try
                {
                    output = ps.Invoke();
                }
                catch (RuntimeException e)
                {
                    output = new Collection<PSObject>();
                    terminating = e;
                }
                foreach (var w in ps.Streams.Warning) warnings.Add(w.Message);
                // The first error, as a caller with -ErrorAction Stop would see it.
                if (ps.Streams.Error.Count > 0)
                {
                    failure = ps.Streams.Error[0].Exception;
                    category = ps.Streams.Error[0].CategoryInfo.Category;
                }
                else
                {
                    failure = Unwrap(terminating);
                    category = CategoryOf(terminating);
                }
            }
            if (failure != null)
            {
                ReplyError(id, failure, category, warnings);
                return;
            }
            var paged = output.Select(o => o?.BaseObject as PagedQuery).FirstOrDefault(q => q != null);
            if (paged != null)
            {
                ServePage(id, paged, root, warnings);
                return;
            }
            Reply(id, w =>
            {
                w.WriteBoolean("ok", true);
                w.WriteStartArray("objects");
                foreach (var o in output) RestJson.WriteValue(w, o);
                w.WriteEndArray();
                WriteWarnings(w, warnings);
            });
        }

        /// <summary>
        /// The PSSession face's sign-in check, for the identity platform's password grant. The password came on
        /// stdin and goes straight into a SecureString; the reply says only the outcome.
        /// </summary>
        private void Authenticate(long? id, JsonElement root)
        {
            var upn = (root.TryGetProperty("upn", out var u) ? u.GetString() : null)?.Trim() ?? string.Empty;
            var password = root.TryGetProperty("password", out var p) ? p.GetString() ?? string.Empty : string.Empty;
            AuthenticationResult result = null;
            if (upn.Length > 0) result = Authenticator.Authenticate(_session.TenantDirectory, new PSCredential(upn, RestJson.ToSecureString(password)));
            var outcome = result?.Outcome ?? AuthenticationOutcome.AccessDenied;
            // Refused: a wrong password, or no such account (Entra says which). Any other outcome found the account.
            var exists = outcome != AuthenticationOutcome.AccessDenied
                || (upn.Length > 0 && new TenantStore(_session.TenantDirectory).Load().FindAccount(upn) != null);
            Reply(id, w =>
            {
                w.WriteBoolean("ok", true);
                w.WriteString("outcome", outcome.ToString());
                if (result?.UserPrincipalName != null) w.WriteString("upn", result.UserPrincipalName);
                w.WriteBoolean("exists", exists);
            });
        }

        private void Next(long? id, JsonElement root, List<string> warnings)
        {
            var paged = _cursors.Take(root.GetProperty("cursor").GetString(), Owner(root));
            if (paged == null)
            {
                Reply(id, w => w.WriteBoolean("cursorExpired", true));
                return;
            }
            // Each page is a round trip to the service: the tenant's latency applies to it as to any call.
            var latency = _session.CommandLatencyMs;
            if (latency > 0) Thread.Sleep(latency);
            ServePage(id, paged, root, warnings);
        }

        private void ServePage(long? id, PagedQuery paged, JsonElement root, List<string> warnings)
        {
            var pageSize = root.TryGetProperty("pageSize", out var size) && size.TryGetInt32(out var n) ? Math.Clamp(n, 1, MaxPageSize) : MaxPageSize;
            Reply(id, w =>
            {
                w.WriteBoolean("ok", true);
                w.WritePropertyName("objects");
                paged.WriteNext(w, pageSize);
                string cursor = null;
                if (paged.HasNextPage) cursor = _cursors.Add(paged, Owner(root));
                else if (paged.FinalWarning != null) warnings.Add(paged.FinalWarning);
                WriteWarnings(w, warnings);
                if (cursor != null) w.WriteString("cursor", cursor);
            });
        }

        /// <summary>Who may continue a query: the same caller, for the same cmdlet.</summary>
        private static string Owner(JsonElement root)
        {
            var caller = root.TryGetProperty("caller", out var c) ? c.GetString() : null;
            var cmdlet = root.TryGetProperty("cmdlet", out var n) ? n.GetString() : null;
            return (caller ?? string.Empty) + "\n" + (cmdlet ?? string.Empty).ToLowerInvariant();
        }

        private static bool IsSecureStringParameter(FunctionInfo command, string name)
        {
            // The binder's rules: an exact name or alias wins; otherwise a prefix of exactly one parameter.
            ParameterMetadata byPrefix = null;
            var prefixes = 0;
            foreach (var p in command.Parameters.Values)
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) || p.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    return p.ParameterType == typeof(SecureString);
                }
                if (p.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                {
                    byPrefix = p;
                    prefixes++;
                }
            }
            return prefixes == 1 && byPrefix.ParameterType == typeof(SecureString);
        }

        /// <summary>PowerShell's own "is not recognized" error, from a runspace that has no commands at all.</summary>
        private Exception CommandNotFound(string name)
        {
            if (string.IsNullOrEmpty(name)) return new PSArgumentException("The request names no cmdlet.");
            if (_emptyRunspace == null)
            {
                _emptyRunspace = RunspaceFactory.CreateRunspace(InitialSessionState.Create());
                _emptyRunspace.ThreadOptions = PSThreadOptions.UseCurrentThread;
                _emptyRunspace.Open();
            }
            using (var ps = PowerShell.Create())
            {
                ps.Runspace = _emptyRunspace;
                ps.AddCommand(name);
                try
                {
                    ps.Invoke();
                }
                catch (RuntimeException e)
                {
                    return e;
                }
            }
            throw new InvalidOperationException($"'{name}' unexpectedly ran in an empty runspace.");
        }

        /// <summary>
        /// The error a terminating record holds: a function's ThrowTerminatingError reaches Invoke() wrapped in a
        /// CmdletInvocationException, and a thrown record holds a stand-in (ParentContainsErrorRecordException).
        /// </summary>
        private static Exception Unwrap(RuntimeException e)
        {
            if (e == null) return null;
            var inner = e.ErrorRecord?.Exception;
            return inner == null || inner is ParentContainsErrorRecordException ? e : inner;
        }

        private static ErrorCategory CategoryOf(Exception e) =>
            e is IContainsErrorRecord c && c.ErrorRecord != null ? c.ErrorRecord.CategoryInfo.Category : ErrorCategory.NotSpecified;

        private void ReplyError(long? id, Exception e, ErrorCategory category, List<string> warnings, int? status = null)
        {
            var exchange = e as ExchangeTaskException;
            Reply(id, w =>
            {
                w.WriteBoolean("ok", false);
                w.WriteStartObject("error");
                w.WriteString("type", e.GetType().Name);
                w.WriteString("typeName", exchange != null ? exchange.ExchangeTypeName : e.GetType().FullName);
                w.WriteString("message", e.Message);
                w.WriteString("category", category.ToString());
                w.WriteNumber("httpStatus", status ?? HttpStatus(e, category));
                w.WriteEndObject();
                WriteWarnings(w, warnings);
            });
        }

        /// <summary>What the admin API answers: 404 not found, 400 the caller's mistakes, 403 denied, 500 the rest.</summary>
        public static int HttpStatus(Exception e, ErrorCategory category)
        {
            if (e is ManagementObjectNotFoundException) return 404;
            // Exchange's own task errors are the caller's (the service answers them with 400 BadRequest).
            if (e is ExchangeTaskException) return 400;
            if (e is UnauthorizedAccessException || e is SecurityException || category == ErrorCategory.PermissionDenied || category == ErrorCategory.SecurityError) return 403;
            if (e is ParameterBindingException || e is ValidationMetadataException || e is ArgumentException || e is PSInvalidCastException || e is CommandNotFoundException) return 400;
            return 500;
        }

        private static void WriteWarnings(Utf8JsonWriter w, List<string> warnings)
        {
            w.WriteStartArray("warnings");
            foreach (var text in warnings) w.WriteStringValue(text);
            w.WriteEndArray();
        }

        /// <summary>One framed line: a newline (ending any stray partial line), the marker, the JSON, a newline.</summary>
        private void Reply(long? id, Action<Utf8JsonWriter> body)
        {
            _buffer.Clear();
            using (var w = new Utf8JsonWriter(_buffer))
            {
                w.WriteStartObject();
                if (id.HasValue) w.WriteNumber("id", id.Value);
                body(w);
                w.WriteEndObject();
            }
            _output.Write(Newline, 0, 1);
            _output.Write(_marker, 0, _marker.Length);
            _output.Write(_buffer.WrittenSpan);
            _output.Write(Newline, 0, 1);
            _output.Flush();
        }
    }
}
