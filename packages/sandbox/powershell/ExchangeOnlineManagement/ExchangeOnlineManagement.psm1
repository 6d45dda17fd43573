# A stand-in for the ExchangeOnlineManagement module, loaded only for the exo-connect sandbox environment. Its
# Connect-ExchangeOnline, Disconnect-ExchangeOnline and Get-ConnectionInformation take the real parameters, refuse
# every endpoint but the sandbox's and authenticate with -Credential only; a connection is a sandbox PSSession
# imported as a global module, so the commands work as after the real Connect-ExchangeOnline.

Import-Module -Name (Join-Path $PSScriptRoot '../ExoSandbox/ExoSandbox.psd1') -Global -ErrorAction Stop

$script:SandboxUri = 'https://sandbox.exo.localhost/powershell-liveid/'
$script:Connections = [System.Collections.Generic.List[object]]::new()
$script:NextId = 1
# The endpoint the real module would use when -ConnectionUri is not given.
$script:EnvironmentUris = @{
    O365Default      = 'https://outlook.office365.com/powershell-liveid/'
    O365USGovGCCHigh = 'https://outlook.office365.us/powershell-liveid'
    O365USGovDoD     = 'https://webmail.apps.mil/powershell-liveid'
    O365China        = 'https://partner.outlook.cn/PowerShell'
    O365GermanyCloud = 'https://outlook.office.de/PowerShell-LiveID'
}

function New-ExoStandInError {
    param([string]$Message, [string]$ErrorId, [System.Management.Automation.ErrorCategory]$Category, $Target, [System.Exception]$Inner)
    $exception = if ($Inner) { [System.InvalidOperationException]::new($Message, $Inner) } else { [System.InvalidOperationException]::new($Message) }
    [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $Target)
}

function New-ExoAadError {
    param([string]$Code, [string]$Text)
    $message = '{0}: {1} Trace ID: {2} Correlation ID: {3} Timestamp: {4:yyyy-MM-dd HH:mm:ssZ}' -f $Code, $Text, [guid]::NewGuid(), [guid]::NewGuid(), [DateTime]::UtcNow
    New-ExoStandInError $message $Code AuthenticationError $null
}

function Connect-ExchangeOnline {
    [CmdletBinding(DefaultParameterSetName = 'DefaultParameterSet')]
    param(
        [Parameter(Position = 0)][string]$ConnectionUri,
        [Parameter(Position = 1)][string]$AzureADAuthorizationEndpointUri,
        [Parameter(Position = 2)]
        [ValidateSet('O365Default', 'O365USGovGCCHigh', 'O365USGovDoD', 'O365China', 'O365GermanyCloud')]
        [string]$ExchangeEnvironmentName = 'O365Default',
        [Parameter(Position = 3)][System.Management.Automation.Remoting.PSSessionOption]$PSSessionOption,
        [Parameter(Position = 4)][switch]$BypassMailboxAnchoring,
        [Parameter(Position = 5)][string]$DelegatedOrganization,
        [Parameter(Position = 6)][string]$Prefix,
        [string[]]$CommandName,
        [string[]]$FormatTypeName,
        [string]$AccessToken,
        [string]$AppId,
        [string]$Organization,
        [System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate,
        [string]$CertificateFilePath,
        [securestring]$CertificatePassword,
        [string]$CertificateThumbprint,
        [pscredential]$Credential,
        [switch]$Device,
        [switch]$InlineCredential,
        [switch]$ManagedIdentity,
        [string]$ManagedIdentityAccountId,
        [string]$UserPrincipalName,
        [switch]$DisableWAM,
        [switch]$ShowBanner = $true,
        [bool]$ShowProgress = $true,
        [switch]$SkipLoadingFormatData,
        [switch]$LoadCmdletHelp,
        [ValidateRange(1, 1000)][uint32]$PageSize = 1000,
        [bool]$UseMultithreading = $true,
        [switch]$EnableErrorReporting,
        [string]$LogDirectoryPath,
        [ValidateSet('Default', 'All')][string]$LogLevel = 'Default',
        [bool]$TrackPerformance,
        [System.Security.Cryptography.X509Certificates.X509Certificate2]$SigningCertificate,
        [string]$EXOModuleBasePath,
        [switch]$UseRPSSession
    )

    $uri = if ($ConnectionUri) { $ConnectionUri } else { $script:EnvironmentUris[$ExchangeEnvironmentName] }
    $parsed = $null
    $isSandbox = [uri]::TryCreate($uri, [UriKind]::Absolute, [ref]$parsed) -and $parsed.Scheme -eq 'https' -and
        $parsed.Host -eq 'sandbox.exo.localhost' -and $parsed.AbsolutePath.TrimEnd('/') -eq '/powershell-liveid'
    if (-not $isSandbox) {
        $PSCmdlet.ThrowTerminatingError((New-ExoStandInError (
                    "This ExchangeOnlineManagement is the exo-connect sandbox's stand-in: it connects only to $script:SandboxUri, not to '$uri'. " +
                    'To reach Exchange Online, install the real module (Install-Module ExchangeOnlineManagement) and use it in a session without the sandbox prelude.') `
                    'SandboxEndpointOnly' InvalidArgument $uri))
    }

    $otherMethods = @('AccessToken', 'AppId', 'Certificate', 'CertificateFilePath', 'CertificateThumbprint', 'Device',
        'InlineCredential', 'ManagedIdentity', 'ManagedIdentityAccountId') | Where-Object { $PSBoundParameters.ContainsKey($_) }
    if (-not $Credential -or $otherMethods) {
        $how = if ($otherMethods) { '-' + ($otherMethods -join ', -') } else { 'interactive sign-in' }
        $PSCmdlet.ThrowTerminatingError((New-ExoStandInError (
                    "The exo-connect sandbox signs in with -Credential (a user name and password) only; $how is not available here. " +
                    'Pass -Credential with a sandbox account, for example admin@sandbox.exo.localhost.') `
                    'SandboxCredentialRequired' InvalidArgument $null))
    }

    $dir = Get-ExoSandboxTenantDirectory
    [ExoConnect.Sandbox.TenantFactory]::EnsureCreated($dir)
    $auth = [ExoConnect.Sandbox.Authenticator]::Authenticate($dir, $Credential)
    switch ([string]$auth.Outcome) {
        'MultiFactorRequired' {
            $PSCmdlet.ThrowTerminatingError((New-ExoAadError 'AADSTS50076' ("Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'.")))
        }
        'AccessDenied' {
            $PSCmdlet.ThrowTerminatingError((New-ExoAadError 'AADSTS50126' 'Error validating credentials due to invalid username or password.'))
        }
    }

    $sessionParameters = @{
        ConfigurationName = 'Microsoft.Exchange'; ConnectionUri = $uri; Credential = $Credential
        Authentication = 'Basic'; AllowRedirection = $true; ErrorAction = 'Stop'
    }
    if ($PSSessionOption) { $sessionParameters.SessionOption = $PSSessionOption }
    try {
        $session = ExoSandbox\New-PSSession @sessionParameters
    } catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }

    $importParameters = @{ Session = $session; DisableNameChecking = $true; AllowClobber = $true; ErrorAction = 'Stop' }
    if ($Prefix) { $importParameters.Prefix = $Prefix }
    if ($CommandName) { $importParameters.CommandName = $CommandName }
    if ($FormatTypeName) { $importParameters.FormatTypeName = $FormatTypeName }
    if ($SkipLoadingFormatData) { $importParameters.FormatTypeName = @() }
    try {
        $progress = if ($ShowProgress) { $ProgressPreference } else { 'SilentlyContinue' }
        $imported = & { $ProgressPreference = $progress; Import-PSSession @importParameters }
        # Import-PSSession imported it into this module's scope; load the generated module again, globally.
        $globalParameters = @{ Name = $imported.Path; Global = $true; DisableNameChecking = $true; PassThru = $true; ErrorAction = 'Stop' }
        if ($Prefix) { $globalParameters.Prefix = $Prefix }
        $module = Import-Module @globalParameters
        Remove-Module -ModuleInfo $imported -Force -ErrorAction SilentlyContinue
    } catch {
        Remove-PSSession -Session $session -ErrorAction SilentlyContinue
        $PSCmdlet.ThrowTerminatingError($_)
    }

    $status = Get-ExoSandboxTenant
    $held = @($status.Sessions | Where-Object { $_.UserPrincipalName -eq $auth.UserPrincipalName } | Sort-Object StartedUtc)
    $expiry = if ($held.Count) { $held[-1].ExpiresUtc } else { [DateTime]::UtcNow.AddSeconds($auth.SessionLifetimeSeconds) }
    $id = $script:NextId++
    $info = [pscustomobject]@{
        PSTypeName                      = 'Microsoft.Exchange.Management.ExoPowershellSnapin.ConnectionInformation'
        ConnectionId                    = [guid]::NewGuid().ToString()
        State                           = 'Connected'
        Id                              = $id
        Name                            = "ExchangeOnline_$id"
        UserPrincipalName               = $auth.UserPrincipalName
        ConnectionUri                   = $uri
        AzureAdAuthorizationEndpointUri = if ($AzureADAuthorizationEndpointUri) { $AzureADAuthorizationEndpointUri } else { 'https://login.microsoftonline.com/organizations' }
        TokenExpiryTimeUTC              = $expiry
        CertificateAuthentication       = $false
        ModuleName                      = $module.Path
        ModulePrefix                    = [string]$Prefix
        Organization                    = $status.Organization
        DelegatedOrganization           = [string]$DelegatedOrganization
        AppId                           = $null
        PageSize                        = $PageSize
        TenantID                        = $status.TenantId
        TokenStatus                     = 'Active'
        ConnectionUsedForInbuiltCmdlets = $script:Connections.Count -eq 0
        IsEopSession                    = $false
    }
    $script:Connections.Add([pscustomobject]@{ Info = $info; Session = $session; Module = $module })

    if ($ShowBanner) {
        Write-Host ('-' * 88)
        Write-Host 'This is the exo-connect sandbox stand-in for the ExchangeOnlineManagement module.'
        Write-Host "Connected to the local sandbox tenant as $($auth.UserPrincipalName); nothing leaves this machine."
        Write-Host ('-' * 88)
    }
}

# Remove-Module called from inside a module leaves a -Global import's commands in place, and even at global scope
# it leaves those imported with -Prefix: a nested pipeline on the current runspace removes the module, then any
# function it left behind, at global scope.
function Remove-ExoGlobalModule {
    param([psmoduleinfo]$Module)
    $ps = [powershell]::Create([System.Management.Automation.RunspaceMode]::CurrentRunspace)
    try {
        $null = $ps.AddScript('param($Module) Remove-Module -ModuleInfo $Module -Force -ErrorAction SilentlyContinue
            Get-ChildItem -Path function: | Where-Object ModuleName -EQ $Module.Name | Remove-Item -Force').AddArgument($Module).Invoke()
    } finally {
        $ps.Dispose()
    }
}

function Select-ExoConnection {
    param([string[]]$ConnectionId, [string[]]$ModulePrefix)
    foreach ($c in @($script:Connections)) {
        if ($ConnectionId -and $ConnectionId -notcontains $c.Info.ConnectionId) { continue }
        if ($ModulePrefix -and $ModulePrefix -notcontains $c.Info.ModulePrefix) { continue }
        $c
    }
}

function Get-ConnectionInformation {
    [CmdletBinding(DefaultParameterSetName = 'ConnectionId')]
    param(
        [Parameter(ParameterSetName = 'ConnectionId')][string[]]$ConnectionId,
        [Parameter(ParameterSetName = 'ModulePrefix')][string[]]$ModulePrefix
    )
    foreach ($c in Select-ExoConnection $ConnectionId $ModulePrefix) {
        $c.Info.State = if ($c.Session.State -eq 'Opened') { 'Connected' } else { 'Broken' }
        $c.Info.TokenStatus = if ($c.Info.TokenExpiryTimeUTC -gt [DateTime]::UtcNow) { 'Active' } else { 'Expired' }
        $c.Info
    }
}

function Disconnect-ExchangeOnline {
    [CmdletBinding(DefaultParameterSetName = 'DefaultParameterSet', SupportsShouldProcess, ConfirmImpact = 'High')]
    param(
        [Parameter(ParameterSetName = 'ConnectionId')][string[]]$ConnectionId,
        [Parameter(ParameterSetName = 'ModulePrefix')][string[]]$ModulePrefix
    )
    $targets = @(Select-ExoConnection $ConnectionId $ModulePrefix)
    if (-not $targets.Count) { return }
    if (-not $PSCmdlet.ShouldProcess('Exchange Online', 'Disconnect the selected connections and remove their commands')) { return }
    foreach ($c in $targets) {
        Remove-ExoGlobalModule $c.Module
        Remove-PSSession -Session $c.Session -ErrorAction SilentlyContinue
        $null = $script:Connections.Remove($c)
    }
    Write-Information 'Disconnected successfully !'
}

Export-ModuleMember -Function Connect-ExchangeOnline, Disconnect-ExchangeOnline, Get-ConnectionInformation
