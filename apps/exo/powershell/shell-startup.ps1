# exo shell start-up: fixed text, run by an interactive pwsh (-NoExit). Everything it needs arrives as one JSON
# line over the private channel exo opened: core's connection plan (the same steps the engine runs, each a fixed
# function with its values), the text of those functions (core's connection-steps), and the secrets the plan's
# parameters refer to; nothing is in argv, the environment or this text. The outcome goes back on the same
# channel, so exo reports a failed or interrupted (Ctrl+C) connect like its other commands do, and this pwsh then
# exits instead of showing a prompt.
# Everything runs in a child scope: the names left at the prompt are $global:ExoShellLabel, prompt, and the
# globals the connection steps keep ($ExoSession and $ExoModule for rps, $ExoConnectedCommands for module).
& {
    # Module functions (the sandbox's New-PSSession, Connect-ExchangeOnline) do not see this preference: each
    # call that can fail also says -ErrorAction Stop.
    $ErrorActionPreference = 'Stop'
    $stream = $null
    $writer = $null
    $exo = $null
    $step = 'session'
    $attempted = $false
    $connected = $false
    $failure = $null
    try {
        $token = $env:EXO_SHELL_TOKEN
        if ($env:EXO_SHELL_PIPE) {
            $stream = [System.IO.Pipes.NamedPipeClientStream]::new('.', $env:EXO_SHELL_PIPE, [System.IO.Pipes.PipeDirection]::InOut)
            $stream.Connect(10000)
        } else {
            $socket = [System.Net.Sockets.Socket]::new(
                [System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream,
                [System.Net.Sockets.ProtocolType]::Unspecified)
            $socket.Connect([System.Net.Sockets.UnixDomainSocketEndPoint]::new($env:EXO_SHELL_CHANNEL))
            $stream = [System.Net.Sockets.NetworkStream]::new($socket, $true)
        }
        Remove-Item Env:EXO_SHELL_CHANNEL, Env:EXO_SHELL_PIPE, Env:EXO_SHELL_TOKEN, Env:EXO_SHELL_SCRIPT -ErrorAction Ignore
        $writer = [System.IO.StreamWriter]::new($stream, [System.Text.UTF8Encoding]::new($false))
        $writer.NewLine = "`n"
        $writer.WriteLine($token)
        $writer.Flush()
        $reader = [System.IO.StreamReader]::new($stream, [System.Text.UTF8Encoding]::new($false))
        $line = $reader.ReadLine()
        if (-not $line) { throw 'exo shell: exo did not send the connection settings.' }
        $exo = ConvertFrom-Json -InputObject $line -AsHashtable -DateKind String
        $line = $null
        # Ctrl+C reached exo before this script could take it over: stop here (reported as interrupted).
        if ($exo['cancel']) { return }
        if ($exo['quiet'] -or $exo['stdinScript']) { $ProgressPreference = 'SilentlyContinue' }

        # The connection steps (Connect-ExoRps, Import-ExoRps, Connect-ExoModule, …): core's fixed functions.
        . ([scriptblock]::Create([string]$exo['steps']))
        $exo.Remove('steps')
        $secrets = $exo['secrets']
        $exo.Remove('secrets')
        function ConvertTo-ExoShellSecret {
            param($Secret)
            $text = if ($Secret['kind'] -eq 'credential') { [string]$Secret['password'] } else { [string]$Secret['value'] }
            $secure = [System.Security.SecureString]::new()
            foreach ($c in $text.ToCharArray()) { $secure.AppendChar($c) }
            $text = $null
            $secure.MakeReadOnly()
            switch ($Secret['kind']) {
                'credential' { [System.Management.Automation.PSCredential]::new([string]$Secret['userName'], $secure) }
                'secureString' { $secure }
                default { [System.Net.NetworkCredential]::new('', $secure).Password }
            }
        }

        foreach ($module in $exo['prelude']) { Import-Module -Name $module -Global -DisableNameChecking -ErrorAction Stop }
        foreach ($planned in $exo['connect']) {
            $step = [string]$planned['step']
            $parameters = @{}
            foreach ($key in @($planned['parameters'].Keys)) {
                $value = $planned['parameters'][$key]
                if ($value -is [hashtable] -and $value.Count -eq 1 -and $value.ContainsKey('$exoSecret')) {
                    $name = [string]$value['$exoSecret']
                    if (-not $secrets -or -not $secrets.ContainsKey($name)) { throw "exo shell: no secret named '$name' was sent." }
                    $value = ConvertTo-ExoShellSecret $secrets[$name]
                }
                $parameters[$key] = $value
            }
            $attempted = $true
            $null = & ([string]$planned['command']) @parameters
            $parameters = $null
        }
        # Leaving the shell runs the plan's disconnect (Remove-PSSession of an open session, or
        # Disconnect-ExchangeOnline); the functions go with the handler, since this scope ends.
        $disconnect = @(foreach ($planned in $exo['disconnect']) { (Get-Command -Name $planned['command'] -CommandType Function).ScriptBlock })
        $null = Register-EngineEvent -SourceIdentifier PowerShell.Exiting -MessageData $disconnect -Action {
            foreach ($step in $Event.MessageData) { try { & $step } catch { $null = $_ } }
            # Also what the user may have done to $ExoSession at the prompt. Remove-PSSession can wait forever on a
            # session whose server is gone: only open ones are removed.
            Get-PSSession | Where-Object { [string]$_.State -eq 'Opened' } | Remove-PSSession -ErrorAction Ignore
        }
        $label = [string]$exo['label']
        $quiet = [bool]$exo['quiet']
        $stdinScript = [bool]$exo['stdinScript']
        $connected = $true
    } catch {
        $record = $_
        $ex = $record.Exception
        $inner = @()
        $e = $ex.InnerException
        while ($null -ne $e -and $inner.Count -lt 4) { $inner += $e.Message; $e = $e.InnerException }
        $failure = [ordered]@{
            message = [string]$ex.Message
            fqid = [string]$record.FullyQualifiedErrorId
            category = [string]$record.CategoryInfo.Category
            reason = [string]$record.CategoryInfo.Reason
            targetName = [string]$record.CategoryInfo.TargetName
            exceptionType = $ex.GetType().FullName
            details = if ($record.ErrorDetails) { [string]$record.ErrorDetails.Message } else { $null }
            inner = $inner
        }
    } finally {
        # Reached also when Ctrl+C stops the connect: then neither $connected nor $failure is set.
        if ($secrets) { $secrets.Clear() }
        $secrets = $null
        $outcome = if ($connected) {
            @{ ok = $true }
        } elseif ($failure) {
            @{ ok = $false; step = $step; error = $failure }
        } else {
            @{ ok = $false; aborted = $true }
        }
        if (-not $connected) {
            if ($attempted -and $exo) {
                foreach ($planned in $exo['disconnect']) {
                    try { $null = & ([string]$planned['command']) 3>$null } catch { $null = $_ }
                }
            }
            Get-PSSession | Where-Object { [string]$_.State -eq 'Opened' } | Remove-PSSession -ErrorAction Ignore
            # `exit` does not end a -NoExit pwsh from here (nor while Ctrl+C stops the script); this does.
            $host.SetShouldExit($(if ($failure) { 1 } else { 130 }))
        }
        if ($writer) {
            try {
                $writer.WriteLine((ConvertTo-Json -InputObject $outcome -Compress -Depth 4))
                $writer.Flush()
            } catch { $null = $_ }
        }
        if ($stream) { $stream.Dispose() }
        $exo = $null
    }
    if ($connected) {
        $global:ExoShellLabel = $label
        if ($stdinScript) {
            # Standard output is the script's: the note goes to standard error.
            if (-not $quiet) { [Console]::Error.WriteLine("Connected to $label; running the commands from standard input.") }
            $global:ExoShellStdin = $true
        } elseif (-not $quiet) {
            Write-Host "Connected to $label. The cmdlets are imported; type exit (or Ctrl+D) to disconnect and leave." -ForegroundColor Green
        }
    }
}
if ($global:ExoShellLabel) {
    function global:prompt { "[exo $($global:ExoShellLabel)] PS $($executionContext.SessionState.Path.CurrentLocation)> " }
}
if ($global:ExoShellStdin) {
    # No terminal: what was piped in runs as one script, here in the global scope, as pwsh -File would run it.
    Remove-Variable -Name ExoShellStdin -Scope Global
    . ([scriptblock]::Create([Console]::In.ReadToEnd()))
}
