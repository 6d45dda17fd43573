# The floor of a warm call: the same Get-Mailbox -Identity timed inside one pwsh holding an imported
# session, with a stopwatch around each call — what the call costs with no bridge at all. Measured two ways
# in the same process, each with its own session:
#   console:  in the script's own runspace, as a user would type it (the console host handles the
#             progress and host calls of implicit remoting);
#   hostless: in a runspace with no host, as the engine's worker runspace runs commands.
#   pwsh -NoProfile -File floor-warm.ps1 -SandboxModule <ExoSandbox.psd1> -Identity <alias>
# stdin: the user name, then the password; then one number per line: run that many timed calls each way and
# print one JSON line (milliseconds per call and the CPU time of each loop). 0 or the end of stdin removes
# the sessions and exits. Prints {"ready":true} once connected, so the runner can interleave these blocks
# with blocks of engine calls.
param(
    [Parameter(Mandatory)][string]$SandboxModule,
    [Parameter(Mandatory)][string]$Identity,
    [string]$ConnectionUri = 'https://sandbox.exo.localhost/powershell-liveid/'
)
$ErrorActionPreference = 'Stop'
# One plain line on stderr for the runner's report, instead of the console's formatted error view.
trap { [Console]::Error.WriteLine($_.Exception.Message); exit 1 }
$user = [Console]::In.ReadLine()
$secure = [Console]::In.ReadLine() | ConvertTo-SecureString -AsPlainText -Force
$credential = [pscredential]::new($user, $secure)

# The timed loop, the same text in both runspaces. CPU time is the whole process's, read around the loop.
$loop = {
    param([string]$Identity, [int]$Count)
    $process = [System.Diagnostics.Process]::GetCurrentProcess()
    $samples = [System.Collections.Generic.List[double]]::new()
    $cpuStart = $process.TotalProcessorTime
    for ($i = 0; $i -lt $Count; $i++) {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $result = Get-Mailbox -Identity $Identity
        $samples.Add($clock.Elapsed.TotalMilliseconds)
        if ($null -eq $result) { throw "Get-Mailbox -Identity $Identity returned nothing" }
    }
    $process.Refresh()
    [ordered]@{ calls = $samples; cpuMs = ($process.TotalProcessorTime - $cpuStart).TotalMilliseconds }
}
$connect = {
    param([string]$SandboxModule, [string]$ConnectionUri, [pscredential]$Credential)
    Import-Module $SandboxModule
    $s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $ConnectionUri -Credential $Credential -Authentication Basic -AllowRedirection
    $null = Import-PSSession $s -DisableNameChecking
    $s
}

$session = & $connect $SandboxModule $ConnectionUri $credential
$runspace = [runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault2())
$runspace.Open()
$hostless = [powershell]::Create()
$hostless.Runspace = $runspace
$null = $hostless.AddScript($connect.ToString()).AddArgument($SandboxModule).AddArgument($ConnectionUri).AddArgument($credential)
$hostlessSession = $hostless.Invoke()[0]
if ($hostless.HadErrors) { throw $hostless.Streams.Error[0] }
[Console]::Out.WriteLine('{"ready":true}')
try {
    while ($true) {
        $line = [Console]::In.ReadLine()
        if ($null -eq $line -or [int]$line -le 0) { break }
        $console = & $loop $Identity ([int]$line)
        $hostless.Commands.Clear()
        $null = $hostless.AddScript($loop.ToString()).AddArgument($Identity).AddArgument([int]$line)
        $other = $hostless.Invoke()[0]
        if ($hostless.HadErrors) { throw $hostless.Streams.Error[0] }
        $hostless.Streams.ClearStreams()
        [Console]::Out.WriteLine((ConvertTo-Json -Compress -Depth 3 -InputObject ([ordered]@{ console = $console; hostless = $other })))
    }
} finally {
    $hostless.Commands.Clear()
    $null = $hostless.AddScript('Get-PSSession | Remove-PSSession').Invoke()
    Remove-PSSession $session
}
