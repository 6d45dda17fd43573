# exo-connect host bridge, loaded once into each pwsh host as fixed text: it never contains caller data.
#
# Node starts pwsh through node-powershell and runs one line: it loads this file and calls Start-ExoBridge,
# which connects to a private local socket (the side channel) and proves who it is with a token, then
# Invoke-ExoServe, which reads one request per line from the socket, JSON only:
#   {"t":"req","id":…,"command":"Get-Mailbox","parameters":{…},"depth":4,"queue":1024}
# Parameter values are decoded with ConvertFrom-Json and splatted: they are never parsed as code.
# Frames go back one JSON object per line, each built by the ExoFrame class below (frames.ts is Node's codec):
#   {"t":"hello","protocol":…,"token":…,"pid":…,"version":…} first, once
#   {"t":"o","v":…} output    {"t":"e",…} error record    {"t":"w"|"i"|"v"|"d","m":…} other streams
#   {"t":"p",…} progress      {"t":"secret","name":…} asks Node for a secret (answered on the socket)
#   {"t":"end","id":…,"ok":…,"stopped":…} closes every request
# While a request runs Node may send {"t":"stop"}; {"t":"quit"} ends the loop. When the socket closes
# (Node exited or was killed) the bridge removes every session it holds and pwsh exits.
# Commands run in a worker runspace, so their progress records are collected (a console host with
# redirected output drops them), and stream through a bounded queue: a slow reader in Node slows the
# producer instead of filling memory.

$script:ExoBridge = $null

# The frame codec: every frame the bridge writes is built here, except the per-object output frame
# ('{"t":"o","v":' + its JSON + '}'), which Invoke-ExoWorkerCommand builds in place: a method call per object
# would add a fifth to the ConvertTo-Json it already pays. Static and .NET only, so it runs on any thread (the
# worker's, a host call's, the request loop's); the worker reaches it as $ExoFrame.
[NoRunspaceAffinity()]
class ExoFrame {
    # Said in the hello and checked by Node (PROTOCOL_VERSION in src/bridge/frames.ts): change both together.
    static [int]$Protocol = 1

    # JSON text for a string, 'null' for $null.
    static [string] Quote([object]$Text) {
        if ($null -eq $Text) { return 'null' }
        return [System.Web.HttpUtility]::JavaScriptStringEncode([string]$Text, $true)
    }
    hidden static [string] Bool([bool]$Value) {
        if ($Value) { return 'true' }
        return 'false'
    }
    # Plain text by construction (the token is checked against base64url, a version is digits, dots and a
    # label), so no encoder runs on the start-up path.
    static [string] Hello([string]$Token, [int]$ProcessId, [string]$Version) {
        return '{"t":"hello","protocol":' + [ExoFrame]::Protocol + ',"token":"' + $Token + '","pid":' + $ProcessId + ',"version":"' + $Version + '"}'
    }
    # A warning ('w'), information ('i'), verbose ('v') or debug ('d') line; FromHost when it came through the host UI.
    static [string] Text([string]$Type, [object]$Message, [bool]$FromHost) {
        $tail = if ($FromHost) { ',"host":true}' } else { '}' }
        return '{"t":"' + $Type + '","m":' + [ExoFrame]::Quote($Message) + $tail
    }
    static [string] Error([System.Management.Automation.ErrorRecord]$Record, [bool]$Terminating) {
        $ex = $Record.Exception
        $inner = [System.Collections.Generic.List[string]]::new()
        $e = $ex.InnerException
        while ($null -ne $e -and $inner.Count -lt 4) { $inner.Add($e.Message); $e = $e.InnerException }
        $details = if ($Record.ErrorDetails) { [string]$Record.ErrorDetails.Message } else { $null }
        $info = $Record.CategoryInfo
        return [ExoFrame]::ErrorLine($ex, [string]$Record.FullyQualifiedErrorId, [string]$info.Category, [string]$info.Reason,
            [string]$info.TargetName, $details, $inner, $Terminating, $false)
    }
    # The bridge itself, not the command, failed (bad name, undecodable request).
    static [string] BridgeError([System.Exception]$Exception, [string]$Fqid) {
        return [ExoFrame]::ErrorLine($Exception, $Fqid, 'NotSpecified', '', '', $null,
            [System.Collections.Generic.List[string]]::new(), $true, $true)
    }
    hidden static [string] ErrorLine([System.Exception]$Exception, [string]$Fqid, [string]$Category, [string]$Reason,
        [string]$TargetName, [object]$Details, [System.Collections.Generic.List[string]]$Inner, [bool]$Terminating, [bool]$Bridge) {
        $quoted = [System.Collections.Generic.List[string]]::new()
        foreach ($m in $Inner) { $quoted.Add([ExoFrame]::Quote($m)) }
        $tail = if ($Bridge) { ',"bridge":true}' } else { '}' }
        return '{"t":"e","message":' + [ExoFrame]::Quote([string]$Exception.Message) + ',"fqid":' + [ExoFrame]::Quote($Fqid) +
            ',"category":' + [ExoFrame]::Quote($Category) + ',"reason":' + [ExoFrame]::Quote($Reason) +
            ',"targetName":' + [ExoFrame]::Quote($TargetName) + ',"exceptionType":' + [ExoFrame]::Quote($Exception.GetType().FullName) +
            ',"details":' + [ExoFrame]::Quote($Details) + ',"inner":[' + [string]::Join(',', $quoted) + ']' +
            ',"terminating":' + [ExoFrame]::Bool($Terminating) + $tail
    }
    static [string] Progress([System.Management.Automation.ProgressRecord]$Record) {
        $completed = $Record.RecordType -eq [System.Management.Automation.ProgressRecordType]::Completed
        return '{"t":"p","activity":' + [ExoFrame]::Quote($Record.Activity) + ',"status":' + [ExoFrame]::Quote($Record.StatusDescription) +
            ',"percent":' + $Record.PercentComplete + ',"operation":' + [ExoFrame]::Quote($Record.CurrentOperation) +
            ',"activityId":' + $Record.ActivityId + ',"parentId":' + $Record.ParentActivityId + ',"completed":' + [ExoFrame]::Bool($completed) + '}'
    }
    # Asks Node for the secret of that name.
    static [string] Secret([string]$Name) {
        return '{"t":"secret","name":' + [ExoFrame]::Quote($Name) + '}'
    }
    static [string] End([string]$Id, [bool]$Ok, [bool]$Stopped) {
        return '{"t":"end","id":' + [ExoFrame]::Quote($Id) + ',"ok":' + [ExoFrame]::Bool($Ok) + ',"stopped":' + [ExoFrame]::Bool($Stopped) + '}'
    }
}

# The worker runspace's host. Remote sessions write warnings, verbose/debug lines and Write-Host output
# through the local host (implicit remoting replays the server's host calls), not into the pipeline's
# streams, so a runspace without a host would drop them (e.g. "only the first 1000 items are returned").
# This host turns each line into a frame on the running request's queue. Its methods run on whatever
# thread calls them (NoRunspaceAffinity) and use .NET only, so they need no runspace of their own.
[NoRunspaceAffinity()]
class ExoBridgeHostUI : System.Management.Automation.Host.PSHostUserInterface {
    [System.Collections.Concurrent.BlockingCollection[string]]$Queue
    [System.Threading.CancellationToken]$Token
    hidden [System.Text.StringBuilder]$Partial = [System.Text.StringBuilder]::new()

    hidden [void] Send([string]$Type, [string]$Text) {
        $q = $this.Queue
        if ($null -eq $q) { return }
        try { $q.Add([ExoFrame]::Text($Type, $Text, $true), $this.Token) } catch { }
    }
    hidden [void] Line([string]$Value) {
        $text = $this.Partial.ToString() + $Value
        $this.Partial.Clear()
        $this.Send('i', $text)
    }
    [System.Management.Automation.Host.PSHostRawUserInterface] get_RawUI() { return $null }
    [string] ReadLine() { throw [ExoBridgeHostUI]::Refused('read a line of input (Read-Host)', '') }
    [securestring] ReadLineAsSecureString() { throw [ExoBridgeHostUI]::Refused('read a secret line of input (Read-Host -AsSecureString)', '') }
    [void] Write([string]$Value) { $null = $this.Partial.Append($Value) }
    [void] Write([ConsoleColor]$Foreground, [ConsoleColor]$Background, [string]$Value) { $null = $this.Partial.Append($Value) }
    [void] WriteLine() { $this.Line('') }
    [void] WriteLine([string]$Value) { $this.Line($Value) }
    [void] WriteLine([ConsoleColor]$Foreground, [ConsoleColor]$Background, [string]$Value) { $this.Line($Value) }
    [void] WriteErrorLine([string]$Value) { $this.Send('w', $Value) }
    [void] WriteWarningLine([string]$Value) { $this.Send('w', $Value) }
    [void] WriteVerboseLine([string]$Value) { $this.Send('v', $Value) }
    [void] WriteDebugLine([string]$Value) { $this.Send('d', $Value) }
    [void] WriteInformation([System.Management.Automation.InformationRecord]$Record) { }
    [void] WriteProgress([long]$SourceId, [System.Management.Automation.ProgressRecord]$Record) { }
    # The parameter binder asks the host for the mandatory parameters a call lacks. A HostException tells it the
    # host cannot prompt, and it raises PowerShell's own error instead (MissingMandatoryParameter: "Cannot process
    # command because of one or more missing mandatory parameters: …"); any other caller gets what was asked.
    [System.Collections.Generic.Dictionary[string, psobject]] Prompt([string]$Caption, [string]$Message,
        [System.Collections.ObjectModel.Collection[System.Management.Automation.Host.FieldDescription]]$Fields) {
        $names = [System.Collections.Generic.List[string]]::new()
        foreach ($field in $Fields) { $names.Add($field.Name) }
        # A remote session's binder asks the same through the host ("cmdlet <name> at command pipeline position
        # <n>"): it gets PowerShell's text too.
        $text = if ($Caption -match '^cmdlet \S+ at command pipeline position \d+$' -or $Message -match 'Supply values for the following parameters') {
            'Cannot process command because of one or more missing mandatory parameters: ' + ($names -join ' ') + '.'
        } else {
            [ExoBridgeHostUI]::Refused('prompt for ' + ($names -join ', '), $Caption + ' ' + $Message).Message
        }
        throw [System.Management.Automation.Host.HostException]::new($text)
    }
    [pscredential] PromptForCredential([string]$Caption, [string]$Message, [string]$UserName, [string]$TargetName) {
        throw [ExoBridgeHostUI]::Refused('prompt for a credential', $Caption + ' ' + $Message)
    }
    [pscredential] PromptForCredential([string]$Caption, [string]$Message, [string]$UserName, [string]$TargetName,
        [System.Management.Automation.PSCredentialTypes]$Types, [System.Management.Automation.PSCredentialUIOptions]$Options) {
        throw [ExoBridgeHostUI]::Refused('prompt for a credential', $Caption + ' ' + $Message)
    }
    # ShouldProcess asks through here when a command's impact reaches $ConfirmPreference, or with -Confirm.
    [int] PromptForChoice([string]$Caption, [string]$Message,
        [System.Collections.ObjectModel.Collection[System.Management.Automation.Host.ChoiceDescription]]$Choices, [int]$Default) {
        throw [ExoBridgeHostUI]::Refused('ask for confirmation', $Caption + ' ' + $Message)
    }
    hidden static [System.Management.Automation.RuntimeException] Refused([string]$What, [string]$Asked) {
        $text = ($Asked -replace '\s+', ' ').Trim()
        if ($text.Length -gt 300) { $text = $text.Substring(0, 300) + '…' }
        $said = if ($text) { ': "' + $text + '"' } else { '' }
        return [System.Management.Automation.RuntimeException]::new(
            'The command tried to ' + $What + $said + ', but the exo-connect host is not interactive.')
    }
}

[NoRunspaceAffinity()]
class ExoBridgeHost : System.Management.Automation.Host.PSHost {
    [ExoBridgeHostUI]$Lines = [ExoBridgeHostUI]::new()
    hidden [guid]$Id = [guid]::NewGuid()
    [string] get_Name() { return 'exo-connect' }
    [version] get_Version() { return [version]'1.0' }
    [guid] get_InstanceId() { return $this.Id }
    [System.Management.Automation.Host.PSHostUserInterface] get_UI() { return $this.Lines }
    [cultureinfo] get_CurrentCulture() { return [cultureinfo]::CurrentCulture }
    [cultureinfo] get_CurrentUICulture() { return [cultureinfo]::CurrentUICulture }
    [void] SetShouldExit([int]$ExitCode) { }
    [void] EnterNestedPrompt() { throw 'The exo-connect host is not interactive.' }
    [void] ExitNestedPrompt() { }
    [void] NotifyBeginApplication() { }
    [void] NotifyEndApplication() { }
}

# Connects the side channel, says hello, and opens the worker runspace. Its values arrive base64-encoded (the
# channel as "unix:<socket path>" or "pipe:<pipe name>"). Node waits for the hello only; the worker loads its
# functions on its own thread while this one goes on to the request loop and parses the first request (the
# first ConvertFrom-Json of a process is slow), and the first request waits for the worker (Wait-ExoWorker).
function Start-ExoBridge {
    param(
        [Parameter(Mandatory)][string]$Channel,
        [Parameter(Mandatory)][string]$Token,
        [string]$ExecutionPolicy
    )
    $utf8 = [Text.Encoding]::UTF8
    $target = $utf8.GetString([Convert]::FromBase64String($Channel))
    $socket = $null
    if ($target.StartsWith('pipe:')) {
        $stream = [System.IO.Pipes.NamedPipeClientStream]::new('.', $target.Substring(5), [System.IO.Pipes.PipeDirection]::InOut)
        $stream.Connect(10000)
    } else {
        $socket = [System.Net.Sockets.Socket]::new(
            [System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream,
            [System.Net.Sockets.ProtocolType]::Unspecified)
        $socket.Connect([System.Net.Sockets.UnixDomainSocketEndPoint]::new($target.Substring(5)))
        $stream = [System.Net.Sockets.NetworkStream]::new($socket, $true)
    }
    $writer = [System.IO.StreamWriter]::new($stream, [System.Text.UTF8Encoding]::new($false), 65536)
    $writer.AutoFlush = $false
    $writer.NewLine = "`n"
    $script:ExoBridge = @{
        Socket = $socket; Stream = $stream; Writer = $writer; Worker = $null
        Init = $null; InitResult = $null; InitError = $null; Ready = $false; ExitHandler = $false
        Pending = [System.IO.MemoryStream]::new(); Chunk = [byte[]]::new(65536)
    }
    $tokenText = $utf8.GetString([Convert]::FromBase64String($Token))
    if ($tokenText -notmatch '^[A-Za-z0-9_-]+$') { throw 'Invalid side channel token.' }
    $writer.WriteLine([ExoFrame]::Hello($tokenText, $PID, $PSVersionTable.PSVersion.ToString()))
    $writer.Flush()

    # Opened here, not with OpenAsync: opening calls the host's methods, which are PowerShell class methods
    # and would wait for this thread.
    $iss = [initialsessionstate]::CreateDefault2()
    if ($IsWindows -and $ExecutionPolicy) { $iss.ExecutionPolicy = $utf8.GetString([Convert]::FromBase64String($ExecutionPolicy)) }
    $hostLines = [ExoBridgeHost]::new()
    $worker = [runspacefactory]::CreateRunspace($hostLines, $iss)
    $worker.Open()
    $worker.SessionStateProxy.SetVariable('ExoHostLines', $hostLines.Lines)
    $worker.SessionStateProxy.SetVariable('ExoFrame', [ExoFrame])
    $script:ExoBridge.Worker = $worker
    $init = [powershell]::Create()
    $init.Runspace = $worker
    $null = $init.AddScript($script:WorkerScript)
    $script:ExoBridge.Init = $init
    $script:ExoBridge.InitResult = $init.BeginInvoke()
}

# Waits until the worker runspace is open and has its functions; throws when it could not be made ready.
function Wait-ExoWorker {
    $b = $script:ExoBridge
    if ($null -eq $b.Init) {
        $info = $b.Worker.RunspaceStateInfo
        $why = if ($b.InitError) { $b.InitError } elseif ($info.Reason) { $info.Reason.Message } else { [string]$info.State }
        throw "The bridge's worker runspace could not be made ready: $why"
    }
    try {
        $null = $b.Init.EndInvoke($b.InitResult)
        $b.Ready = $true
    } catch {
        $b.InitError = $_.Exception.Message
        throw
    } finally {
        $b.Init.Dispose()
        $b.Init = $null
        $b.InitResult = $null
    }
}

# Functions that live in the worker runspace: the command runner here; Node appends the connection steps
# (connection-steps.ps1, with proxy-config's two fixed scripts).
$script:WorkerScript = @'
function Invoke-ExoWorkerCommand {
    param($Queue, $Token, [string]$Command, [hashtable]$Parameters, [int]$Depth)
    $emit = {
        process {
            $item = $_
            $line = if ($item -is [System.Management.Automation.ErrorRecord]) {
                $ExoFrame::Error($item, $false)
            } elseif ($item -is [System.Management.Automation.WarningRecord]) {
                $ExoFrame::Text('w', $item.Message, $false)
            } elseif ($item -is [System.Management.Automation.VerboseRecord]) {
                $ExoFrame::Text('v', $item.Message, $false)
            } elseif ($item -is [System.Management.Automation.DebugRecord]) {
                $ExoFrame::Text('d', $item.Message, $false)
            } elseif ($item -is [System.Management.Automation.InformationRecord]) {
                $ExoFrame::Text('i', [string]$item.MessageData, $false)
            } else {
                # The output frame, in place (see ExoFrame).
                '{"t":"o","v":' + (ConvertTo-Json -InputObject $item -Compress -Depth $Depth -WarningAction Ignore) + '}'
            }
            $Queue.Add($line, $Token)
        }
    }
    try {
        # A session that broke (server gone, expired) would make implicit remoting try to re-create it
        # interactively; report it instead, so the engine can reconnect or fail with SESSION_BROKEN.
        $global:ExoHostLines.Queue = $Queue
        $global:ExoHostLines.Token = $Token
        $session = $global:ExoSession
        if ($session -and $Command -notmatch '-Exo' -and [string]$session.State -ne 'Opened') {
            throw "The session state is $($session.State): the remote session is no longer open."
        }
        & $Command @Parameters *>&1 | & $emit
    } catch [System.Management.Automation.PipelineStoppedException] {
        throw
    } catch [System.OperationCanceledException] {
        throw
    } catch {
        $Queue.Add($ExoFrame::Error($_, $true), $Token)
        [pscustomobject]@{ ExoTerminated = $true }
    } finally {
        $global:ExoHostLines.Queue = $null
        # An empty line tells the reader the command is over. Never block here: the reader may be stopping us.
        $null = $Queue.TryAdd('', 0)
    }
}
'@

# Reads one line from the side channel. Blocking: waits for a line, $null when the channel closed.
# Non-blocking: '' when nothing has arrived yet (Windows pipes cannot be polled and always say so).
function Receive-ExoLine {
    param([bool]$Block)
    $b = $script:ExoBridge
    $pending = $b.Pending
    while ($true) {
        $buffer = $pending.GetBuffer()
        $length = [int]$pending.Length
        $nl = [Array]::IndexOf($buffer, [byte]10, 0, $length)
        if ($nl -ge 0) {
            $line = [Text.Encoding]::UTF8.GetString($buffer, 0, $nl)
            $rest = $length - $nl - 1
            [Array]::Copy($buffer, $nl + 1, $buffer, 0, $rest)
            $pending.SetLength($rest)
            return $line
        }
        if (-not $Block) {
            if ($null -eq $b.Socket) { return '' }
            if ($b.Socket.Available -eq 0) {
                if ($b.Socket.Poll(0, [System.Net.Sockets.SelectMode]::SelectRead) -and $b.Socket.Available -eq 0) {
                    return $null
                }
                return ''
            }
        }
        $n = $b.Stream.Read($b.Chunk, 0, $b.Chunk.Length)
        if ($n -le 0) { return $null }
        $pending.Position = $pending.Length
        $pending.Write($b.Chunk, 0, $n)
    }
}

# Ends every session the worker still holds. Runs when the side channel closes (Node exited or was
# killed), on quit, and when pwsh exits, so no session keeps one of the account's slots.
function Stop-ExoBridge {
    $b = $script:ExoBridge
    if ($null -eq $b -or $null -eq $b.Worker) { return }
    try {
        if ($b.Init) { try { Wait-ExoWorker } catch { } }
        $ps = [powershell]::Create()
        $ps.Runspace = $b.Worker
        $null = $ps.AddScript(
            'if (Get-Command Disconnect-ExchangeOnline -ErrorAction Ignore) { try { Disconnect-ExchangeOnline -Confirm:$false -ErrorAction Ignore } catch {} }; Get-PSSession | Where-Object State -eq Opened | Remove-PSSession -ErrorAction Ignore'
        ).Invoke()
        $ps.Dispose()
        $b.Worker.Dispose()
    } catch {}
    $b.Worker = $null
}

function Read-ExoSecret {
    param([string]$Name)
    $b = $script:ExoBridge
    $b.Writer.WriteLine([ExoFrame]::Secret($Name))
    $b.Writer.Flush()
    $line = Receive-ExoLine $true
    if ($null -eq $line) { throw 'The exo-connect side channel closed while a secret was awaited.' }
    # -DateKind String: text that looks like a date stays text (else a password '2024-01-01T00:00:00Z' would
    # arrive as a DateTime and be re-rendered as '01/01/2024 00:00:00').
    $answer = $line | ConvertFrom-Json -AsHashtable -DateKind String
    $line = $null
    if ($answer['name'] -ne $Name -or -not $answer.ContainsKey('kind')) { throw "No secret named '$Name' was provided." }
    $text = if ($answer['kind'] -eq 'credential') { [string]$answer['password'] } else { [string]$answer['value'] }
    $secure = [System.Security.SecureString]::new()
    foreach ($c in $text.ToCharArray()) { $secure.AppendChar($c) }
    $text = $null
    $secure.MakeReadOnly()
    $value = switch ($answer['kind']) {
        'credential' { [System.Management.Automation.PSCredential]::new([string]$answer['userName'], $secure) }
        'secureString' { $secure }
        default { [System.Net.NetworkCredential]::new('', $secure).Password }
    }
    $answer.Clear()
    , $value
}

function Resolve-ExoParameters {
    param([hashtable]$Parameters)
    $resolved = @{}
    foreach ($key in @($Parameters.Keys)) {
        if ($key -notmatch '^[A-Za-z][A-Za-z0-9_]{0,127}$') { throw 'Invalid parameter name.' }
        $value = $Parameters[$key]
        if ($value -is [hashtable] -and $value.Count -eq 1 -and $value.ContainsKey('$exoSecret')) {
            $value = Read-ExoSecret -Name ([string]$value['$exoSecret'])
        }
        $resolved[$key] = $value
    }
    $resolved
}

function Send-ExoProgress {
    param($Records)
    $w = $script:ExoBridge.Writer
    foreach ($p in $Records) {
        $w.WriteLine([ExoFrame]::Progress($p))
        $w.Flush()
    }
}

# Runs one request; returns 'closed' when the side channel closed meanwhile.
function Invoke-ExoRequest {
    param([hashtable]$Request)
    $b = $script:ExoBridge
    $w = $b.Writer
    $id = [string]$Request['id']
    $ok = $true
    $stopped = $false
    $signal = $null
    $ps = $null
    $cts = [System.Threading.CancellationTokenSource]::new()
    $queue = [System.Collections.Concurrent.BlockingCollection[string]]::new([int]$Request['queue'])
    try {
        $command = [string]$Request['command']
        if ($command -notmatch '^[A-Za-z][A-Za-z0-9]*-[A-Za-z][A-Za-z0-9_]*$') { throw 'Invalid command name.' }
        if (-not $b.Ready) { Wait-ExoWorker }
        $params = if ($Request['parameters']) { Resolve-ExoParameters $Request['parameters'] } else { @{} }
        $ps = [powershell]::Create()
        $ps.Runspace = $b.Worker
        $null = $ps.AddCommand('Invoke-ExoWorkerCommand').AddParameters(@{
            Queue = $queue; Token = $cts.Token; Command = $command; Parameters = $params; Depth = [int]$Request['depth']
        })
        $params = $null
        $async = $ps.BeginInvoke()
        if (-not $b.ExitHandler) {
            # Removes the sessions should pwsh exit some other way than through the request loop. Registered
            # while the first command runs, off the start-up path; this is what Register-EngineEvent -Action
            # does, without the cmdlet's first-use cost (about 80 ms against 20).
            $null = $ExecutionContext.Events.SubscribeEvent($null, $null, 'PowerShell.Exiting', $null, { Stop-ExoBridge }, $false, $false)
            $b.ExitHandler = $true
        }
        $line = $null
        $sent = 0
        $finished = $false
        $polled = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not $finished) {
            $took = $queue.TryTake([ref]$line, 20)
            if ($took) {
                do {
                    if ($line.Length -eq 0) { $finished = $true; break }
                    $w.WriteLine($line)
                    $sent++
                    # The first object goes out at once (time to first object); later ones are batched.
                    if ($sent -eq 1) { $w.Flush() }
                } while ($polled.ElapsedMilliseconds -lt 50 -and $queue.TryTake([ref]$line))
            } elseif ($async.IsCompleted -and $queue.Count -eq 0) {
                $finished = $true
            }
            if ($ps.Streams.Progress.Count) { Send-ExoProgress $ps.Streams.Progress.ReadAll() }
            # Control lines are read when the output pauses, and every 50 ms while it flows: a long stream
            # may never pause, and a stop must not wait for its end.
            if (-not $stopped -and (-not $took -or $polled.ElapsedMilliseconds -ge 50)) {
                $polled.Restart()
                $w.Flush()
                $control = Receive-ExoLine $false
                if ($null -eq $control -or $control.Length -gt 0) {
                    $signal = if ($null -eq $control) { 'closed' } else { 'stop' }
                    $stopped = $true
                    $cts.Cancel()
                    $ps.Stop()
                }
            }
        }
        $result = $null
        try { $result = $ps.EndInvoke($async) } catch { if (-not $stopped) { throw } }
        if ($ps.Streams.Progress.Count) { Send-ExoProgress $ps.Streams.Progress.ReadAll() }
        foreach ($l in $queue.ToArray()) { if ($l.Length) { $w.WriteLine($l) } }
        if ($stopped -or ($result -and @($result | Where-Object { $_.ExoTerminated }).Count)) { $ok = $false }
    } catch {
        $ok = $false
        $ex = $_.Exception
        if ($ex -is [System.Management.Automation.MethodInvocationException] -and $ex.InnerException) { $ex = $ex.InnerException }
        $w.WriteLine([ExoFrame]::BridgeError($ex, [string]$_.FullyQualifiedErrorId))
    } finally {
        if ($ps) { $ps.Dispose() }
        $queue.Dispose()
        $cts.Dispose()
    }
    try {
        $w.WriteLine([ExoFrame]::End($id, $ok, $stopped))
        $w.Flush()
    } catch {
        return 'closed'
    }
    $signal
}

# The request loop. Returns on quit; exits pwsh when the side channel closes.
function Invoke-ExoServe {
    while ($true) {
        $line = Receive-ExoLine $true
        if ($null -eq $line) { break }
        if ($line.Length -eq 0) { continue }
        # -DateKind String: parameter values are data; a string that looks like a date stays that string.
        $request = $line | ConvertFrom-Json -AsHashtable -DateKind String
        $line = $null
        switch ($request['t']) {
            'req' {
                if ((Invoke-ExoRequest $request) -eq 'closed') { Stop-ExoBridge; [Environment]::Exit(0) }
            }
            'quit' { Stop-ExoBridge; return }
            default { }
        }
    }
    Stop-ExoBridge
    [Environment]::Exit(0)
}
