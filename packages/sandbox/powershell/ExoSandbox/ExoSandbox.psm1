# exo-connect sandbox, client side. Importing this module:
#   - shadows New-PSSession with a proxy function that handles only
#     -ConfigurationName Microsoft.Exchange -ConnectionUri https://sandbox.exo.localhost/powershell-liveid/
#     (opening a real PSSession to a local, constrained `pwsh -s` process) and passes every other call unchanged to
#     the real cmdlet. Import-PSSession, Get-PSSession and Remove-PSSession are never touched;
#   - adds the tenant management commands (New-/Reset-/Get-/Set-/Test-ExoSandboxTenant, Stop-ExoSandboxSession).

. (Join-Path $PSScriptRoot '../ExoSandbox.Engine/Import-ExoSandboxEngine.ps1')

$script:EngineAssembly = Import-ExoSandboxEngine
$script:PowerShellRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..')).ProviderPath
# One session configuration per role group: a view-only account's session exports only the Get- cmdlets.
$script:ServerConfigurationFiles = @{
    [ExoConnect.Sandbox.RoleGroups]::OrganizationManagement = Join-Path $script:PowerShellRoot 'ExoSandbox.Server/ExoSandbox.Server.pssc'
    [ExoConnect.Sandbox.RoleGroups]::ViewOnly               = Join-Path $script:PowerShellRoot 'ExoSandbox.Server/ExoSandbox.Server.ViewOnly.pssc'
}
$script:SandboxUri = [uri]'https://sandbox.exo.localhost/powershell-liveid/'
$script:RealNewPSSession = Get-Command -Name New-PSSession -CommandType Cmdlet -Module Microsoft.PowerShell.Core
$script:TypeTable = $null

# The stand-in ExchangeOnlineManagement (for the module strategy) sits next to this module. Putting their folder
# first on PSModulePath lets `Import-Module ExchangeOnlineManagement` (or Connect-ExchangeOnline's autoload) find it
# when it is needed, so a connection that never uses it does not pay for loading it.
$separator = [IO.Path]::PathSeparator
if (-not (($env:PSModulePath -split [regex]::Escape($separator)) -contains $script:PowerShellRoot)) {
    $env:PSModulePath = $script:PowerShellRoot + $separator + $env:PSModulePath
}
Remove-Variable -Name separator

function Get-ExoSandboxTenantDirectory {
    <#
    .SYNOPSIS
    The sandbox tenant directory: -Path, else $env:EXO_SANDBOX_DIR, else the user's state directory.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([string]$Path)
    if ($Path) { return [IO.Path]::GetFullPath($Path) }
    if ($env:EXO_SANDBOX_DIR) { return [IO.Path]::GetFullPath($env:EXO_SANDBOX_DIR) }
    $home_ = [Environment]::GetFolderPath('UserProfile')
    if ($IsWindows) {
        $base = if ($env:LOCALAPPDATA) { $env:LOCALAPPDATA } else { Join-Path $home_ 'AppData/Local' }
        return [IO.Path]::GetFullPath((Join-Path $base 'exo-connect/sandbox'))
    }
    if ($IsMacOS) { return Join-Path $home_ 'Library/Application Support/exo-connect/sandbox' }
    $state = if ($env:XDG_STATE_HOME) { $env:XDG_STATE_HOME } else { Join-Path $home_ '.local/state' }
    [IO.Path]::GetFullPath((Join-Path $state 'exo-connect/sandbox'))
}

function Test-ExoSandboxUri {
    param([uri]$Uri)
    $null -ne $Uri -and $Uri.IsAbsoluteUri -and $Uri.Scheme -eq 'https' -and $Uri.Port -eq 443 -and
    $Uri.Host -eq $script:SandboxUri.Host -and $Uri.AbsolutePath.TrimEnd('/') -eq '/powershell-liveid'
}

# Whether a New-PSSession call is the sandbox's: the Uri parameter set, Microsoft.Exchange, and only sandbox URIs.
function Test-ExoSandboxCall {
    param([string]$ParameterSetName, [System.Collections.IDictionary]$Bound)
    if ($ParameterSetName -ne 'Uri' -or -not $Bound.ContainsKey('ConnectionUri')) { return $false }
    if ([string]$Bound['ConfigurationName'] -ne 'Microsoft.Exchange') { return $false }
    $uris = @($Bound['ConnectionUri'])
    $uris.Count -gt 0 -and @($uris | Where-Object { -not (Test-ExoSandboxUri $_) }).Count -eq 0
}

function Get-ExoSandboxTypeTable {
    if ($null -eq $script:TypeTable) { $script:TypeTable = [System.Management.Automation.Runspaces.TypeTable]::LoadDefaultTypeFiles() }
    $script:TypeTable
}

# Opens one sandbox session for New-PSSession, or writes the error the real service would have caused.
function Open-ExoSandboxSession {
    param([System.Management.Automation.PSCmdlet]$Cmdlet, [System.Collections.IDictionary]$Bound, [int]$Index)
    $errors = [ExoConnect.Sandbox.ConnectionErrors]
    $credential = $Bound['Credential']
    $authentication = if ($Bound.ContainsKey('Authentication')) { [string]$Bound['Authentication'] } else { 'Default' }
    $dir = Get-ExoSandboxTenantDirectory
    [ExoConnect.Sandbox.TenantFactory]::EnsureCreated($dir)

    # Exchange Online's remote PowerShell took Basic authentication with a user name and password only.
    if ($null -eq $credential -or $authentication -ne 'Basic') {
        $Cmdlet.WriteError($errors::AccessDenied())
        return
    }
    $auth = [ExoConnect.Sandbox.Authenticator]::Authenticate($dir, $credential)
    switch ([string]$auth.Outcome) {
        'Success' { break }
        'RemotePowerShellDisabled' { $Cmdlet.WriteError($errors::RemotePowerShellDisabled($auth.UserPrincipalName)); return }
        'FederatedServiceUnreachable' { $Cmdlet.WriteError($errors::FederatedServiceUnreachable($auth.FederationEndpoint)); return }
        default { $Cmdlet.WriteError($errors::AccessDenied()); return }
    }

    $names = @($Bound['Name'])
    $name = if ($Bound.ContainsKey('Name') -and $Index -lt $names.Count -and $names[$Index]) { [string]$names[$Index] } else { $null }
    $opened = Open-ExoSandboxSessionAs $Cmdlet $auth $dir $name
    if ($opened.Error) { $Cmdlet.WriteError($opened.Error) } else { $Cmdlet.WriteObject($opened.Session) }
}

# Opens a session for an identity already signed in: a user checked by Open-ExoSandboxSession, or one that the
# stand-in ExchangeOnlineManagement signed in another way (device code, certificate, managed identity, token).
# Returns @{ Session } or @{ Error } (the service's limit record); the session registers with $Cmdlet.
function Open-ExoSandboxSessionAs {
    param(
        [System.Management.Automation.PSCmdlet]$Cmdlet,
        [ExoConnect.Sandbox.AuthenticationResult]$Auth,
        [string]$Directory,
        [string]$Name
    )
    $auth = $Auth
    $dir = $Directory
    $registry = [ExoConnect.Sandbox.SessionRegistry]::new($dir)
    $reservation = $registry.Reserve($auth.UserPrincipalName, $auth.SessionLimit, $PID)
    if (-not $reservation.Granted) {
        return @{ Error = [ExoConnect.Sandbox.ConnectionErrors]::MaxConcurrency($auth.SessionLimit) }
    }
    $instance = $null
    try {
        $instance = [System.Management.Automation.Runspaces.PowerShellProcessInstance]::new($PSVersionTable.PSVersion, $null, $null, $false)
        $start = $instance.Process.StartInfo
        $start.ArgumentList.Add('-ConfigurationFile')
        $configurationFile = $script:ServerConfigurationFiles[[string]$auth.RoleGroup]
        if (-not $configurationFile) { throw "The sandbox has no session configuration for the role group '$($auth.RoleGroup)'." }
        $start.ArgumentList.Add($configurationFile)
        # A .pssc cannot set the execution policy; the server must be allowed to load its module (Windows only).
        if ($IsWindows) {
            $start.ArgumentList.Add('-ExecutionPolicy')
            $start.ArgumentList.Add('Bypass')
        }
        # CreateOutOfProcessRunspace gives a runspace without a host, which would swallow the server's warnings
        # and prompts; a second runspace on the same connection info gets this session's host.
        $typeTable = Get-ExoSandboxTypeTable
        $seed = [runspacefactory]::CreateOutOfProcessRunspace($typeTable, $instance)
        $runspace = [runspacefactory]::CreateRunspace($seed.ConnectionInfo, $Host, $typeTable)
        $sessionId = $runspace.InstanceId.ToString()
        $expires = [DateTime]::UtcNow.AddSeconds($auth.SessionLifetimeSeconds)
        $environment = $start.Environment
        # The service's processes do not take the client's .NET runtime tuning (exo-connect's host sets some).
        foreach ($name in @($environment.Keys)) {
            if ($name -like 'DOTNET_TC_*' -or $name -like 'DOTNET_Tiered*' -or $name -like 'COMPlus_*') { $null = $environment.Remove($name) }
        }
        $environment['PSModulePath'] = $script:PowerShellRoot + [IO.Path]::PathSeparator + $environment['PSModulePath']
        $environment['EXO_SANDBOX_DIR'] = $dir
        $environment['EXO_SANDBOX_USER'] = $auth.UserPrincipalName
        $environment['EXO_SANDBOX_SESSION_ID'] = $sessionId
        $environment['EXO_SANDBOX_SESSION_EXPIRES'] = $expires.ToString('o')
        $environment['EXO_SANDBOX_SESSION_DROPS'] = if ($auth.DropsSession) { '1' } else { '0' }
        $environment['EXO_SANDBOX_COMMAND_LATENCY_MS'] = [string]$auth.CommandLatencyMs
        $environment['EXO_SANDBOX_ASSEMBLY'] = $script:EngineAssembly
        # A larger first GC generation cuts the server's time serializing large results by about a third.
        if (-not $environment['DOTNET_GCgen0size']) { $environment['DOTNET_GCgen0size'] = '0x8000000' }
        $runspace.Open()
        $serverPid = $instance.Process.Id
        $null = $registry.Register($reservation, $sessionId, $auth.UserPrincipalName, $serverPid, $PID, $expires)
        [ExoConnect.Sandbox.SessionReaper]::Attach($runspace, $instance, $dir, $serverPid)
        $session = [System.Management.Automation.Runspaces.PSSession]::Create($runspace, $null, $Cmdlet)
        if ($Name) { $session.Name = $Name }
        @{ Session = $session }
    } catch {
        if ($null -ne $instance) { $instance.Dispose() }
        throw
    } finally {
        $registry.Cancel($reservation)
    }
}

# The proxy's body; its CmdletBinding and param block are the real New-PSSession's, read from the installed
# cmdlet when this module loads, so every parameter set and parameter of this pwsh version is accepted.
$script:NewPSSessionBody = @'
begin {
    $exoSandboxCall = Test-ExoSandboxCall $PSCmdlet.ParameterSetName $PSBoundParameters
    if ($exoSandboxCall) { return }
    $outBuffer = $null
    if ($PSBoundParameters.TryGetValue('OutBuffer', [ref]$outBuffer)) { $PSBoundParameters['OutBuffer'] = 1 }
    $realCommand = $script:RealNewPSSession
    $scriptCmd = { & $realCommand @PSBoundParameters }
    $steppablePipeline = $scriptCmd.GetSteppablePipeline($MyInvocation.CommandOrigin)
    $steppablePipeline.Begin($PSCmdlet)
}
process {
    if ($exoSandboxCall) { return }
    $steppablePipeline.Process($_)
}
end {
    if ($exoSandboxCall) {
        $uris = @($PSBoundParameters['ConnectionUri'])
        for ($i = 0; $i -lt $uris.Count; $i++) { Open-ExoSandboxSession $PSCmdlet $PSBoundParameters $i }
        return
    }
    $steppablePipeline.End()
}
clean {
    if ($null -ne $steppablePipeline) { $steppablePipeline.Clean() }
}
'@

$metadata = [System.Management.Automation.CommandMetadata]::new($script:RealNewPSSession)
$definition = [System.Management.Automation.ProxyCommand]::GetCmdletBindingAttribute($metadata) +
"`nparam(" + [System.Management.Automation.ProxyCommand]::GetParamBlock($metadata) + ")`n" + $script:NewPSSessionBody
. ([scriptblock]::Create("function New-PSSession {`n$definition`n}"))
Remove-Variable -Name metadata, definition

# PowerShell on Linux and macOS compiles New-PSSessionOption's WSMan parameters out (-ProxyAccessType, -Culture,
# -OpenTimeout, …), so the documented `New-PSSessionOption -ProxyAccessType AutoDetect` fails there. On those
# platforms this function puts them back: it calls the real cmdlet with what it accepts and sets the rest on the
# PSSessionOption it returns (the class has every property on every platform). Calls the real cmdlet accepts in
# full reach it unchanged.
$script:RealNewPSSessionOption = Get-Command -Name New-PSSessionOption -CommandType Cmdlet -Module Microsoft.PowerShell.Core
$script:ExportedFunctions = @(
    'New-PSSession', 'Get-ExoSandboxTenantDirectory', 'New-ExoSandboxTenant', 'Reset-ExoSandboxTenant',
    'Get-ExoSandboxTenant', 'Set-ExoSandboxTenant', 'Test-ExoSandboxTenant', 'Stop-ExoSandboxSession'
)
if (-not $script:RealNewPSSessionOption.Parameters.ContainsKey('ProxyAccessType')) {
    function New-PSSessionOption {
        [CmdletBinding()]
        [OutputType([System.Management.Automation.Remoting.PSSessionOption])]
        param(
            [int]$MaximumRedirection,
            [switch]$NoCompression,
            [switch]$NoMachineProfile,
            [cultureinfo]$Culture,
            [cultureinfo]$UICulture,
            [int]$MaximumReceivedDataSizePerCommand,
            [int]$MaximumReceivedObjectSize,
            [System.Management.Automation.Runspaces.OutputBufferingMode]$OutputBufferingMode,
            [int]$MaxConnectionRetryCount,
            [System.Management.Automation.PSPrimitiveDictionary]$ApplicationArguments,
            [Alias('OpenTimeoutMSec')][int]$OpenTimeout,
            [Alias('CancelTimeoutMSec')][int]$CancelTimeout,
            [ValidateRange(-1, [int]::MaxValue)][Alias('IdleTimeoutMSec')][int]$IdleTimeout,
            [System.Management.Automation.Remoting.ProxyAccessType]$ProxyAccessType,
            [System.Management.Automation.Runspaces.AuthenticationMechanism]$ProxyAuthentication,
            [pscredential]$ProxyCredential,
            [switch]$SkipCACheck,
            [switch]$SkipCNCheck,
            [switch]$SkipRevocationCheck,
            [Alias('OperationTimeoutMSec')][int]$OperationTimeout,
            [switch]$NoEncryption,
            [switch]$UseUTF16,
            [switch]$IncludePortInSPN
        )
        $real = @{}
        $rest = @{}
        foreach ($key in $PSBoundParameters.Keys) {
            if ($script:RealNewPSSessionOption.Parameters.ContainsKey($key)) { $real[$key] = $PSBoundParameters[$key] } else { $rest[$key] = $PSBoundParameters[$key] }
        }
        $option = & $script:RealNewPSSessionOption @real
        $properties = @{ MaximumRedirection = 'MaximumConnectionRedirectionCount' }
        foreach ($key in $rest.Keys) {
            $name = if ($properties.ContainsKey($key)) { $properties[$key] } else { $key }
            $value = $rest[$key]
            if ($value -is [System.Management.Automation.SwitchParameter]) { $value = $value.IsPresent }
            if ($name -in 'OpenTimeout', 'CancelTimeout', 'IdleTimeout', 'OperationTimeout') { $value = [timespan]::FromMilliseconds($value) }
            $option.$name = $value
        }
        $option
    }
    $script:ExportedFunctions += 'New-PSSessionOption'
}

function New-ExoSandboxTenant {
    <#
    .SYNOPSIS
    Creates the sandbox tenant: the demo administrator, the failure personas, -MailboxCount generated mailboxes
    (deterministic from -Seed) and one distribution group per department.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [string]$Path,
        [ValidateRange(0, 100000)][int]$MailboxCount = 50,
        [int]$Seed = 1,
        [ValidateRange(1, 1000)][int]$SessionLimit = 3,
        [ValidateRange(1, [int]::MaxValue)][int]$SessionLifetimeSeconds = 3600,
        [switch]$Force
    )
    $dir = Get-ExoSandboxTenantDirectory -Path $Path
    if (-not $PSCmdlet.ShouldProcess($dir, 'Create sandbox tenant')) { return }
    $options = [ExoConnect.Sandbox.TenantCreateOptions]@{
        MailboxCount = $MailboxCount; Seed = $Seed; SessionLimit = $SessionLimit; SessionLifetimeSeconds = $SessionLifetimeSeconds
    }
    $null = [ExoConnect.Sandbox.TenantFactory]::Create($dir, $options, $Force.IsPresent)
    [ExoConnect.Sandbox.TenantAdmin]::Status($dir)
}

function Reset-ExoSandboxTenant {
    <#
    .SYNOPSIS
    Regenerates the tenant from its seed and mailbox count, undoing every change; settings and sessions stay.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$Path)
    $dir = Get-ExoSandboxTenantDirectory -Path $Path
    if (-not $PSCmdlet.ShouldProcess($dir, 'Reset sandbox tenant')) { return }
    $null = [ExoConnect.Sandbox.TenantFactory]::Reset($dir)
    [ExoConnect.Sandbox.TenantAdmin]::Status($dir)
}

function Get-ExoSandboxTenant {
    <#
    .SYNOPSIS
    The tenant's status: counts, settings, and its live sessions per user.
    #>
    [CmdletBinding()]
    param([string]$Path)
    [ExoConnect.Sandbox.TenantAdmin]::Status((Get-ExoSandboxTenantDirectory -Path $Path))
}

function Set-ExoSandboxTenant {
    <#
    .SYNOPSIS
    Changes the tenant's session limit per account, session lifetime and command latency (milliseconds each
    cmdlet waits, as the round trip to a distant service would); sessions opened later use them.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [string]$Path,
        [ValidateRange(1, 1000)][int]$SessionLimit,
        [ValidateRange(1, [int]::MaxValue)][int]$SessionLifetimeSeconds,
        [ValidateRange(0, 60000)][int]$CommandLatencyMs
    )
    $dir = Get-ExoSandboxTenantDirectory -Path $Path
    if (-not $PSCmdlet.ShouldProcess($dir, 'Configure sandbox tenant')) { return }
    $limit = if ($PSBoundParameters.ContainsKey('SessionLimit')) { [Nullable[int]]$SessionLimit } else { $null }
    $lifetime = if ($PSBoundParameters.ContainsKey('SessionLifetimeSeconds')) { [Nullable[int]]$SessionLifetimeSeconds } else { $null }
    $latency = if ($PSBoundParameters.ContainsKey('CommandLatencyMs')) { [Nullable[int]]$CommandLatencyMs } else { $null }
    [ExoConnect.Sandbox.TenantAdmin]::Configure($dir, $limit, $lifetime, $latency)
    [ExoConnect.Sandbox.TenantAdmin]::Status($dir)
}

function Test-ExoSandboxTenant {
    <#
    .SYNOPSIS
    Checks that the manifest and every data file it names parse; reports counts and leftover files.
    #>
    [CmdletBinding()]
    param([string]$Path)
    ([ExoConnect.Sandbox.TenantStore]::new((Get-ExoSandboxTenantDirectory -Path $Path))).Verify()
}

function Stop-ExoSandboxSession {
    <#
    .SYNOPSIS
    Kills the server process of live sessions (all, by -ProcessId, or by -UserPrincipalName), as a dropped
    connection would: their runspaces go Broken.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$Path, [int[]]$ProcessId, [string]$UserPrincipalName)
    $dir = Get-ExoSandboxTenantDirectory -Path $Path
    if (-not $PSCmdlet.ShouldProcess($dir, 'Stop sandbox sessions')) { return }
    [ExoConnect.Sandbox.TenantAdmin]::StopSessions($dir, $ProcessId, $UserPrincipalName)
}

Export-ModuleMember -Function $script:ExportedFunctions
