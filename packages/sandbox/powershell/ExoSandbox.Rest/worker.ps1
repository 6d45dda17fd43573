# An engine worker of the sandbox's REST face (src/server/engine/): one long-lived
#   pwsh -NoProfile -NonInteractive -File worker.ps1
# with EXO_SANDBOX_DIR naming the tenant, that runs the ExoSandbox.Server module's cmdlet functions (the same ones a
# PSSession runs) for requests that arrive as JSON lines on stdin. Its parent sends a random marker as the first
# line; every reply is one stdout line framed by that marker (ExoConnect.Sandbox.RestWorker), and everything else
# this process might print goes to stderr. No value from a request ever becomes script text: parameters are bound
# as data by PowerShell's own parameter binder.
param(
    [int]$MaxCursors = 64,
    [int]$CursorIdleSeconds = 300
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$utf8 = [System.Text.UTF8Encoding]::new($false)
$replies = [Console]::OpenStandardOutput()
# Host output and stray [Console]::Out writes must never mix with replies.
[Console]::SetOut([Console]::Error)
$requests = [System.IO.StreamReader]::new([Console]::OpenStandardInput(), $utf8, $false)
$marker = $requests.ReadLine()
if ($marker -notmatch '^[0-9a-f]{32}$') { [Console]::Error.WriteLine('worker.ps1: the first line on stdin must be the reply marker.'); exit 2 }

try {
    . (Join-Path $PSScriptRoot '../ExoSandbox.Engine/Import-ExoSandboxEngine.ps1')
    $assembly = Import-ExoSandboxEngine
    $directory = $env:EXO_SANDBOX_DIR
    if (-not $directory) { throw 'EXO_SANDBOX_DIR is not set: it names the tenant this worker serves.' }
    $session = [ExoConnect.Sandbox.ServerSession]::ForRest($directory)
    $null = [ExoConnect.Sandbox.TenantStore]::new($session.TenantDirectory).ReadManifest()
    # The module reads its assembly and its session when it loads, as in a session's server process.
    $env:EXO_SANDBOX_ASSEMBLY = $assembly
    [ExoConnect.Sandbox.ServerSession]::Configured = $session

    # A runspace without a host: warnings and errors are collected, prompts fail with PowerShell's own text, and
    # nothing reaches a console. A REST call has no one to confirm it: ConfirmImpact High runs as confirmed.
    $iss = [initialsessionstate]::CreateDefault2()
    $iss.ImportPSModule((Join-Path $PSScriptRoot '../ExoSandbox.Server/ExoSandbox.Server.psd1'))
    $iss.Variables.Add([System.Management.Automation.Runspaces.SessionStateVariableEntry]::new(
            'ConfirmPreference', [System.Management.Automation.ConfirmImpact]::None, ''))
    $runspace = [runspacefactory]::CreateRunspace($iss)
    $runspace.ThreadOptions = 'UseCurrentThread'
    $runspace.Open()
    $worker = [ExoConnect.Sandbox.RestWorker]::new($runspace, $session, $requests, $replies, $marker, $MaxCursors, $CursorIdleSeconds)
} catch {
    $fatal = @{ fatal = "The engine worker could not start: $($_.Exception.Message)" } | ConvertTo-Json -Compress
    $line = $utf8.GetBytes("`n$marker $fatal`n")
    $replies.Write($line, 0, $line.Length)
    $replies.Flush()
    exit 1
}
$worker.Run()
