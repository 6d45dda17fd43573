# Baseline: the documented steps as a user would script them (REFERENCE.md §1), against the sandbox.
#   pwsh -NoProfile -File raw-connect.ps1 -SandboxModule <ExoSandbox.psd1> [-ResultSize <n>]
# stdin: the user name, then the password (one line each) — Get-Credential without a terminal. The
# password is never in this text or on the command line.
# Prints `@mark <name> <ms>` lines (this script's own stopwatch) so the runner can time each step; with
# -ResultSize it also runs Get-Mailbox and prints the mailboxes as JSON, like `exo run … -o json`.
param(
    [Parameter(Mandatory)][string]$SandboxModule,
    [string]$ConnectionUri = 'https://sandbox.exo.localhost/powershell-liveid/',
    [int]$ResultSize = 0
)
$ErrorActionPreference = 'Stop'
# One plain line on stderr for the runner's report, instead of the console's formatted error view.
trap { [Console]::Error.WriteLine($_.Exception.Message); exit 1 }
$clock = [System.Diagnostics.Stopwatch]::StartNew()
function Write-Mark([string]$Name) { [Console]::Out.WriteLine("@mark $Name $($clock.Elapsed.TotalMilliseconds)") }
Write-Mark 'start'

$user = [Console]::In.ReadLine()
$secure = [Console]::In.ReadLine() | ConvertTo-SecureString -AsPlainText -Force
$UserCredential = [pscredential]::new($user, $secure)
Import-Module $SandboxModule
Write-Mark 'module'

$Session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $ConnectionUri -Credential $UserCredential -Authentication Basic -AllowRedirection
Write-Mark 'session'
# The documentation prints the imported module's summary; discarding it keeps the baseline as fast as it can be.
$null = Import-PSSession $Session -DisableNameChecking
Write-Mark 'ready'

if ($ResultSize -gt 0) {
    # Only data on stdout, as with exo run. The session's host prints remote warnings ("more results
    # available") straight to stdout, where no redirection catches them, so they are silenced.
    Get-Mailbox -ResultSize $ResultSize -WarningAction SilentlyContinue | ConvertTo-Json -Depth 4
    Write-Mark 'output'
}
Remove-PSSession $Session
Write-Mark 'removed'
