# Entry point for @exo-connect/sandbox's TypeScript API: reads one JSON request from stdin,
#   {"command":"New-ExoSandboxTenant","parameters":{"Path":"…","MailboxCount":100}}
# runs that tenant-management command (values are splatted, never parsed as code) and writes one JSON line,
#   {"ok":true,"result":…}  or  {"ok":false,"error":{"message":…,"errorId":…,"category":…,"exceptionType":…}}
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'

$allowed = @(
    'New-ExoSandboxTenant', 'Reset-ExoSandboxTenant', 'Get-ExoSandboxTenant', 'Set-ExoSandboxTenant',
    'Test-ExoSandboxTenant', 'Stop-ExoSandboxSession'
)

function Write-ExoEnvelope {
    param([hashtable]$Envelope)
    [Console]::Out.WriteLine((ConvertTo-Json -InputObject $Envelope -Compress -Depth 6))
}

try {
    $request = [Console]::In.ReadToEnd() | ConvertFrom-Json -AsHashtable -DateKind String
    $command = [string]$request['command']
    if ($allowed -notcontains $command) { throw [System.ArgumentException]::new("Unknown sandbox command '$command'.") }
    $parameters = if ($request['parameters']) { $request['parameters'] } else { @{} }
    Import-Module -Name (Join-Path $PSScriptRoot 'ExoSandbox/ExoSandbox.psd1') -ErrorAction Stop
    $result = & $command @parameters
    Write-ExoEnvelope @{ ok = $true; result = $result }
} catch {
    $e = $_.Exception
    while ($e -is [System.Management.Automation.MethodInvocationException] -and $e.InnerException) { $e = $e.InnerException }
    Write-ExoEnvelope @{
        ok    = $false
        error = @{
            message       = $e.Message
            errorId       = [string]$_.FullyQualifiedErrorId
            category      = [string]$_.CategoryInfo.Category
            exceptionType = $e.GetType().FullName
        }
    }
    exit 1
}
