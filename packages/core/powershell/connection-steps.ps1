# exo-connect connection steps: fixed functions, never caller data. Each step of a connection plan
# (core's connectionPlan()) calls one of them by name, with its values as parameters (splatted) and its
# secrets as PSCredential, SecureString or string values built from the secret channel. Two hosts load them:
# the engine's worker runspace (bridge.ps1) and exo shell's interactive pwsh (shell-startup.ps1). Core adds
# proxy-config's two fixed scripts as New-ExoSessionOption and Set-ExoHttpProxy.

function Get-ExoExecutionPolicy {
    if (-not $IsWindows) {
        return [pscustomobject]@{ Applicable = $false; Effective = $null; Scopes = @() }
    }
    $scopes = foreach ($entry in Get-ExecutionPolicy -List) {
        [pscustomobject]@{ Scope = [string]$entry.Scope; Policy = [string]$entry.ExecutionPolicy }
    }
    [pscustomobject]@{ Applicable = $true; Effective = [string](Get-ExecutionPolicy); Scopes = @($scopes) }
}

function Set-ExoExecutionPolicy {
    Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser -Force -ErrorAction Stop
    Get-ExoExecutionPolicy
}

function Import-ExoPrelude {
    param([string[]]$Module)
    foreach ($name in $Module) { Import-Module -Name $name -Global -DisableNameChecking -ErrorAction Stop }
    [pscustomobject]@{ Loaded = @($Module).Count }
}

function Connect-ExoRps {
    param(
        [Parameter(Mandatory)][string]$ConnectionUri,
        [pscredential]$Credential,
        [string]$Authentication = 'Basic',
        [bool]$AllowRedirection,
        [string]$SessionOptionJson,
        [pscredential]$ProxyCredential
    )
    $p = @{ ConfigurationName = 'Microsoft.Exchange'; ConnectionUri = $ConnectionUri; Authentication = $Authentication; ErrorAction = 'Stop' }
    if ($Credential) { $p.Credential = $Credential }
    if ($AllowRedirection) { $p.AllowRedirection = $true }
    if ($SessionOptionJson) {
        # New-ExoSessionOption is proxy-config's fixed script, added to this runspace at start-up.
        $o = @{ ParametersJson = $SessionOptionJson }
        if ($ProxyCredential) { $o.ProxyCredential = $ProxyCredential }
        $p.SessionOption = New-ExoSessionOption @o
    }
    if ($global:ExoSession) {
        # Reconnecting: the old session is broken or expired; release what is left of it first.
        if ([string]$global:ExoSession.State -eq 'Opened') { Remove-PSSession -Session $global:ExoSession -ErrorAction Ignore }
        if ($global:ExoModule) { Remove-Module -ModuleInfo $global:ExoModule -Force -ErrorAction Ignore; $global:ExoModule = $null }
        $global:ExoSession = $null
    }
    $global:ExoSession = New-PSSession @p
    $s = $global:ExoSession
    [pscustomobject]@{ Id = $s.Id; Name = $s.Name; ComputerName = $s.ComputerName; State = [string]$s.State; ConfigurationName = $s.ConfigurationName }
}

function Import-ExoRps {
    param([string[]]$CommandName, [string]$Prefix)
    if (-not $global:ExoSession) { throw 'No session has been associated with this implicit remoting module.' }
    $p = @{ Session = $global:ExoSession; DisableNameChecking = $true; AllowClobber = $true; ErrorAction = 'Stop' }
    if ($CommandName) { $p.CommandName = $CommandName }
    if ($Prefix) { $p.Prefix = $Prefix }
    try {
        $module = Import-PSSession @p
        Import-Module $module -Global -DisableNameChecking -ErrorAction Stop
    } catch {
        Assert-ExoSessionOpen $global:ExoSession $_
        throw
    }
    $global:ExoModule = $module
    # The implicit-remoting module's commands (the -CommandName filter and -Prefix applied) are the only ones
    # a connection runs unless its caller opts in (COMMAND_NOT_ALLOWED in Node).
    $commands = @($module.ExportedCommands.Keys)
    [pscustomobject]@{ ModuleName = $module.Name; CommandCount = $commands.Count; Commands = $commands }
}

# After a step failed: when the session under it broke (its server ended, the connection dropped), says so,
# whatever text the transport gave: a write to a server that just died fails with only "Broken pipe". A
# transport error can reach the caller before the session's state changes, so it waits briefly for it.
function Assert-ExoSessionOpen {
    param($Session, [System.Management.Automation.ErrorRecord]$Failure)
    if (-not $Session) { return }
    $io = $false
    $transport = $false
    for ($e = $Failure.Exception; $null -ne $e; $e = $e.InnerException) {
        if ($e -is [System.IO.IOException] -or $e.Message -match 'Broken pipe') { $io = $true }
        if ($e -is [System.Management.Automation.Remoting.PSRemotingTransportException]) { $transport = $true }
    }
    $wait = [System.Diagnostics.Stopwatch]::StartNew()
    while (($io -or $transport) -and [string]$Session.State -eq 'Opened' -and $wait.ElapsedMilliseconds -lt 2000) {
        Start-Sleep -Milliseconds 50
    }
    $state = [string]$Session.State
    if ($state -ne 'Opened') {
        throw "The session state is ${state}: the remote session is no longer open. $($Failure.Exception.Message)"
    }
    if ($io) {
        throw "The connection to the remote session broke: the remote session is no longer open. $($Failure.Exception.Message)"
    }
}

function Get-ExoRpsState {
    $s = $global:ExoSession
    [pscustomobject]@{ State = if ($s) { [string]$s.State } else { 'None' }; Availability = if ($s) { [string]$s.Availability } else { 'None' } }
}

function Disconnect-ExoRps {
    $removed = $false
    if ($global:ExoModule) { Remove-Module -ModuleInfo $global:ExoModule -Force -ErrorAction Ignore; $global:ExoModule = $null }
    if ($global:ExoSession) {
        # Remove-PSSession can wait forever on a session whose server is gone; ending the host drops it.
        if ([string]$global:ExoSession.State -eq 'Opened') {
            Remove-PSSession -Session $global:ExoSession -ErrorAction Stop
            $removed = $true
        }
        $global:ExoSession = $null
    }
    [pscustomobject]@{ Removed = $removed }
}

function Connect-ExoModule {
    param(
        [hashtable]$Parameters,
        [pscredential]$Credential,
        [securestring]$CertificatePassword,
        [string]$AccessToken
    )
    # An environment's prelude may already have loaded a module of this name (the sandbox's stand-in).
    if (-not (Get-Module -Name ExchangeOnlineManagement)) {
        Import-Module -Name ExchangeOnlineManagement -Global -ErrorAction Stop
    }
    $p = @{}
    if ($Parameters) { foreach ($k in $Parameters.Keys) { $p[$k] = $Parameters[$k] } }
    if ($Credential) { $p.Credential = $Credential }
    if ($CertificatePassword) { $p.CertificatePassword = $CertificatePassword }
    if ($AccessToken) { $p.AccessToken = $AccessToken }
    $p.ShowBanner = $false
    $p.ErrorAction = 'Stop'
    Connect-ExchangeOnline @p
    $info = @(Get-ConnectionInformation) | Select-Object -Last 1
    # The commands this connection exported: the functions of the module Connect-ExchangeOnline generated
    # (Get-ConnectionInformation names its file, or its folder; the module itself may be gone from the module
    # table, its functions stay), and the module's own, less its session cmdlets. Never "whatever appeared
    # meanwhile": PowerShell's auto-loading adds local modules too.
    $file = [string]$info.ModuleName
    $inFolder = $file.TrimEnd('/', '\') + [IO.Path]::DirectorySeparatorChar
    $generated = @(if ($file) {
        Get-Command -CommandType Function -ErrorAction Ignore |
            Where-Object { $_.ScriptBlock.File -and ($_.ScriptBlock.File -eq $file -or $_.ScriptBlock.File.StartsWith($inFolder)) } |
            ForEach-Object Name
    })
    $own = @((Get-Module -Name ExchangeOnlineManagement).ExportedCommands.Keys | Where-Object { $_ -notin 'Connect-ExchangeOnline', 'Disconnect-ExchangeOnline', 'Connect-IPPSSession' })
    $global:ExoConnectedCommands = @($generated + $own | Select-Object -Unique)
    [pscustomobject]@{
        ConnectionId = [string]$info.ConnectionId; State = [string]$info.State; UserPrincipalName = $info.UserPrincipalName
        ConnectionUri = $info.ConnectionUri; Organization = $info.Organization; ModulePrefix = $info.ModulePrefix
    }
}

function Get-ExoModuleCommand {
    [pscustomobject]@{ Commands = @($global:ExoConnectedCommands) }
}

function Disconnect-ExoModule {
    if (Get-Command Disconnect-ExchangeOnline -ErrorAction Ignore) { Disconnect-ExchangeOnline -Confirm:$false -ErrorAction Stop }
    [pscustomobject]@{ Removed = $true }
}

# What exo doctor asks of a host: the execution policy, the ExchangeOnlineManagement module, and whether a
# WSMan session can be opened at all (a loopback port nobody serves: only a missing WSMan library fails at once).
function Get-ExoHostFacts {
    $policy = Get-ExoExecutionPolicy
    $module = Get-Module -ListAvailable -Name ExchangeOnlineManagement | Sort-Object Version -Descending | Select-Object -First 1
    $wsman = $null
    try {
        Remove-PSSession -Session (New-PSSession -ConnectionUri 'http://127.0.0.1:9/wsman' -ErrorAction Stop) -ErrorAction Ignore
    } catch {
        $wsman = [string]$_.Exception.Message
    }
    [pscustomobject]@{
        Policy = $policy
        Module = if ($module) { [pscustomobject]@{ Version = [string]$module.Version; ModuleBase = [string]$module.ModuleBase } } else { $null }
        WsmanError = $wsman
    }
}
