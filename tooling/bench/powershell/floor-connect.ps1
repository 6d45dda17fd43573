# The floor of a cold connect: New-PSSession + Import-PSSession timed inside one pwsh with a stopwatch —
# no Node, no process start, the module already loaded. Each repetition removes its session and module.
#   pwsh -NoProfile -File floor-connect.ps1 -SandboxModule <ExoSandbox.psd1> -Warmup 1 -Repetitions 10
# stdin: the user name, then the password. Prints one JSON line: milliseconds per repetition and step.
param(
    [Parameter(Mandatory)][string]$SandboxModule,
    [string]$ConnectionUri = 'https://sandbox.exo.localhost/powershell-liveid/',
    [int]$Warmup = 1,
    [int]$Repetitions = 10
)
$ErrorActionPreference = 'Stop'
# One plain line on stderr for the runner's report, instead of the console's formatted error view.
trap { [Console]::Error.WriteLine($_.Exception.Message); exit 1 }
$user = [Console]::In.ReadLine()
$secure = [Console]::In.ReadLine() | ConvertTo-SecureString -AsPlainText -Force
$credential = [pscredential]::new($user, $secure)
Import-Module $SandboxModule

$total = [System.Collections.Generic.List[double]]::new()
$session = [System.Collections.Generic.List[double]]::new()
$import = [System.Collections.Generic.List[double]]::new()
for ($i = 0; $i -lt $Warmup + $Repetitions; $i++) {
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $ConnectionUri -Credential $credential -Authentication Basic -AllowRedirection
    $opened = $clock.Elapsed.TotalMilliseconds
    $module = Import-PSSession $s -DisableNameChecking
    $ready = $clock.Elapsed.TotalMilliseconds
    Remove-Module -ModuleInfo $module -Force
    Remove-PSSession $s
    if ($i -ge $Warmup) {
        $total.Add($ready); $session.Add($opened); $import.Add($ready - $opened)
    }
}
[Console]::Out.WriteLine((ConvertTo-Json -Compress -InputObject ([ordered]@{ total = $total; session = $session; import = $import })))
