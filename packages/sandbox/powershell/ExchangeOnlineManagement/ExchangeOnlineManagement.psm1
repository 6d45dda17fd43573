# A stand-in for the ExchangeOnlineManagement module, loaded only for the exo-connect sandbox environment. Its
# Connect-ExchangeOnline, Disconnect-ExchangeOnline and Get-ConnectionInformation take the real parameters, refuse
# every endpoint but the sandbox's and sign in the real module's ways (credential, device code, certificate file,
# thumbprint or object, managed identity, access token) against the sandbox tenant; a connection is a sandbox
# PSSession for the signed-in identity, imported as a global module, so the commands work as after the real
# Connect-ExchangeOnline.

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

# The sandbox tenant's one registered application (app-only sign-in with a certificate or an app token), holding
# Exchange.ManageAsApp; and the client id of the managed identity this machine has when none is named.
$script:SandboxAppId = '6f1c2a8e-3b5d-4e7f-9a0b-5c8d2e4f6a1b'
$script:SystemManagedIdentityId = '2b7e4c9a-1d3f-4a5b-8c6d-0e9f1a2b3c4d'
$script:ExchangeResource = '00000002-0000-0ff1-ce00-000000000000'

function New-ExoSignInError {
    param([string]$Message, [string]$ErrorId)
    New-ExoStandInError $Message $ErrorId InvalidArgument $null
}

# Entra ID's answer for -Organization: the tenant's domains and its id name it; anything else is unknown.
function Assert-ExoOrganization {
    param($Cmdlet, $Snapshot, [string]$Organization)
    $m = $Snapshot.Manifest
    $known = @($m.AcceptedDomains | ForEach-Object DomainName) + @([string]$m.Organization.Guid, $m.Organization.Name)
    if ($known -notcontains $Organization) {
        $Cmdlet.ThrowTerminatingError((New-ExoAadError 'AADSTS90002' ("Tenant '$Organization' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. " +
                    'Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.')))
    }
}

# A certificate signs the app's client assertion: it needs its private key, and Entra ID refuses an expired key.
function Assert-ExoAppCertificate {
    param($Cmdlet, [System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate, [string]$AppId, [string]$Organization)
    if ($AppId -ne $script:SandboxAppId) {
        $Cmdlet.ThrowTerminatingError((New-ExoAadError 'AADSTS700016' ("Application with identifier '$AppId' was not found in the directory '$Organization'. " +
                    'This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. ' +
                    'You may have sent your authentication request to the wrong tenant.')))
    }
    if (-not $Certificate.HasPrivateKey) {
        $Cmdlet.ThrowTerminatingError((New-ExoSignInError "The certificate '$($Certificate.Thumbprint)' has no private key, so it cannot sign in the application." 'CertificateWithoutPrivateKey'))
    }
    $now = [DateTime]::Now
    if ($now -lt $Certificate.NotBefore -or $now -gt $Certificate.NotAfter) {
        $Cmdlet.ThrowTerminatingError((New-ExoAadError 'AADSTS700027' ("Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '$($Certificate.Thumbprint)', " +
                    "Found key 'Start=$($Certificate.NotBefore.ToUniversalTime().ToString('MM/dd/yyyy HH:mm:ss')), End=$($Certificate.NotAfter.ToUniversalTime().ToString('MM/dd/yyyy HH:mm:ss'))']")))
    }
}

function ConvertFrom-ExoBase64Url {
    param([string]$Text)
    $t = $Text.Replace('-', '+').Replace('_', '/')
    switch ($t.Length % 4) { 2 { $t += '==' } 3 { $t += '=' } }
    [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($t))
}

# An OAuth access token for Exchange Online is a JWT. The sandbox cannot check Microsoft's signature; it reads the
# claims the service checks: audience, lifetime, tenant, and who (a user, or an application with its roles).
function Read-ExoAccessToken {
    param($Cmdlet, [string]$Token)
    $parts = $Token.Split('.')
    $claims = $null
    if ($parts.Count -eq 3) {
        try { $claims = ConvertFrom-ExoBase64Url $parts[1] | ConvertFrom-Json -AsHashtable -ErrorAction Stop } catch { $claims = $null }
    }
    if ($claims -isnot [hashtable]) {
        $Cmdlet.ThrowTerminatingError((New-ExoSignInError 'UnAuthorized: Bearer error="invalid_token", error_description="The access token is not a valid JWT."' 'InvalidAccessToken'))
    }
    $audience = [string]$claims['aud']
    if (@('https://outlook.office365.com', 'https://outlook.office365.com/', $script:ExchangeResource) -notcontains $audience) {
        $Cmdlet.ThrowTerminatingError((New-ExoSignInError "UnAuthorized: Bearer error=`"invalid_token`", error_description=`"The audience '$audience' is invalid; the token must be issued for https://outlook.office365.com.`"" 'InvalidAccessToken'))
    }
    $expires = [DateTimeOffset]::FromUnixTimeSeconds([long]$claims['exp']).UtcDateTime
    if ($expires -le [DateTime]::UtcNow) {
        $Cmdlet.ThrowTerminatingError((New-ExoSignInError "UnAuthorized: Bearer error=`"invalid_token`", error_description=`"The token expired at '$($expires.ToString('MM/dd/yyyy HH:mm:ss'))'.`"" 'InvalidAccessToken'))
    }
    $claims['expiresUtc'] = $expires
    $claims
}

function Find-ExoCertificateByThumbprint {
    param($Cmdlet, [string]$Thumbprint)
    # Where the real module looks: the current user's personal store (on Linux and macOS, .NET's store under
    # ~/.dotnet/corefx/cryptography/x509stores/my).
    $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
    try {
        $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadOnly)
        $found = $store.Certificates.Find([System.Security.Cryptography.X509Certificates.X509FindType]::FindByThumbprint, $Thumbprint, $false)
    } finally {
        $store.Dispose()
    }
    if ($found.Count -eq 0) {
        $Cmdlet.ThrowTerminatingError((New-ExoSignInError "No certificate with thumbprint '$Thumbprint' was found in the CurrentUser\My certificate store." 'CertificateNotFound'))
    }
    $found[0]
}

# Decides how Connect-ExchangeOnline signs in from its parameters, checks them as the service would and returns
# @{ Method; UserPrincipalName; AppId; Account; Settings; TokenExpiryUtc }. -Credential is checked later, by
# the sandbox's own authenticator, as New-PSSession would.
function Resolve-ExoSignIn {
    param($Cmdlet, [hashtable]$Bound, [string]$Directory)
    $methods = [ordered]@{
        Credential = 'Credential'; Device = 'DeviceCode'; CertificateFilePath = 'CertificateFile'
        CertificateThumbprint = 'CertificateThumbprint'; Certificate = 'Certificate'
        ManagedIdentity = 'ManagedIdentity'; AccessToken = 'AccessToken'; InlineCredential = 'InlineCredential'
    }
    $given = @($methods.Keys | Where-Object { $Bound.ContainsKey($_) -and $Bound[$_] })
    if ($given.Count -gt 1) {
        $Cmdlet.ThrowTerminatingError((New-ExoSignInError ("Use one way to sign in: -" + ($given -join ', -') + ' were given together.') 'AmbiguousSignIn'))
    }
    if ($given.Count -eq 0 -or $given[0] -eq 'InlineCredential') {
        $Cmdlet.ThrowTerminatingError((New-ExoStandInError (
                    'The exo-connect sandbox has no browser or console to sign in with: use -Credential, -Device, a certificate ' +
                    '(-CertificateFilePath, -CertificateThumbprint or -Certificate with -AppId and -Organization), -ManagedIdentity or -AccessToken.') `
                    'SandboxCredentialRequired' InvalidArgument $null))
    }
    $method = $methods[$given[0]]
    $appOnly = $method -like 'Certificate*'
    $rules = @(
        @{ Broken = $Bound.ContainsKey('AppId') -and -not $appOnly; Text = '-AppId is used with a certificate (-CertificateFilePath, -CertificateThumbprint or -Certificate).' }
        @{ Broken = $appOnly -and -not ($Bound['AppId'] -and $Bound['Organization']); Text = 'Certificate sign-in needs -AppId and -Organization.' }
        @{ Broken = $Bound.ContainsKey('CertificatePassword') -and $method -ne 'CertificateFile'; Text = '-CertificatePassword is used with -CertificateFilePath.' }
        @{ Broken = $Bound.ContainsKey('ManagedIdentityAccountId') -and $method -ne 'ManagedIdentity'; Text = '-ManagedIdentityAccountId is used with -ManagedIdentity.' }
        @{ Broken = ($method -eq 'ManagedIdentity' -or $method -eq 'AccessToken') -and -not $Bound['Organization']; Text = "-$($given[0]) needs -Organization." }
    )
    foreach ($rule in $rules) {
        if ($rule.Broken) { $Cmdlet.ThrowTerminatingError((New-ExoSignInError $rule.Text 'InvalidSignInParameters')) }
    }

    $snapshot = [ExoConnect.Sandbox.TenantStore]::new($Directory).Load()
    $result = @{ Method = $method; UserPrincipalName = $null; AppId = $null; Account = $null; Settings = $snapshot.Manifest.Settings; TokenExpiryUtc = $null }
    if ($Bound['Organization']) { Assert-ExoOrganization $Cmdlet $snapshot ([string]$Bound['Organization']) }
    $findUser = {
        param([string]$Upn)
        $account = $snapshot.FindAccount($Upn)
        if (-not $account) {
            $Cmdlet.ThrowTerminatingError((New-ExoAadError 'AADSTS50034' ("The user account {EUII Hidden} does not exist in the '$($snapshot.Manifest.Organization.Guid)' directory. " +
                        'To sign into this application, the account must be added to the directory.')))
        }
        $result.Account = $account
        $result.UserPrincipalName = $account.UserPrincipalName
    }
    switch ($method) {
        'DeviceCode' {
            # The real module prints Entra ID's device code message to the host and waits for the sign-in in a
            # browser. Here the sign-in completes at once, as -UserPrincipalName (else the tenant's administrator),
            # multi-factor authentication included: that is what the browser would have done.
            $alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
            $code = -join (1..9 | ForEach-Object { $alphabet[[System.Security.Cryptography.RandomNumberGenerator]::GetInt32($alphabet.Length)] })
            Write-Host "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code $code to authenticate."
            $upn = if ($Bound['UserPrincipalName']) { [string]$Bound['UserPrincipalName'] } else { 'admin@' + ($snapshot.Manifest.AcceptedDomains | Where-Object Default | Select-Object -First 1).DomainName }
            & $findUser $upn
        }
        'CertificateFile' {
            $path = $Cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath([string]$Bound['CertificateFilePath'])
            try {
                $certificate = if ($Bound['CertificatePassword']) {
                    [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($path, [securestring]$Bound['CertificatePassword'])
                } else {
                    [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($path)
                }
            } catch {
                $inner = if ($_.Exception.InnerException) { $_.Exception.InnerException } else { $_.Exception }
                $Cmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new($inner, 'CertificateLoadFailed', 'InvalidArgument', $null))
            }
            Assert-ExoAppCertificate $Cmdlet $certificate ([string]$Bound['AppId']) ([string]$Bound['Organization'])
            $result.AppId = [string]$Bound['AppId']
        }
        'CertificateThumbprint' {
            $certificate = Find-ExoCertificateByThumbprint $Cmdlet ([string]$Bound['CertificateThumbprint'])
            Assert-ExoAppCertificate $Cmdlet $certificate ([string]$Bound['AppId']) ([string]$Bound['Organization'])
            $result.AppId = [string]$Bound['AppId']
        }
        'Certificate' {
            Assert-ExoAppCertificate $Cmdlet $Bound['Certificate'] ([string]$Bound['AppId']) ([string]$Bound['Organization'])
            $result.AppId = [string]$Bound['AppId']
        }
        'ManagedIdentity' {
            # The machine's system-assigned identity, or the user-assigned one named by its client id.
            $result.AppId = if ($Bound['ManagedIdentityAccountId']) { [string]$Bound['ManagedIdentityAccountId'] } else { $script:SystemManagedIdentityId }
        }
        'AccessToken' {
            $claims = Read-ExoAccessToken $Cmdlet ([string]$Bound['AccessToken'])
            $result.TokenExpiryUtc = $claims['expiresUtc']
            $who = @($claims['upn'], $claims['unique_name'], $claims['preferred_username']) | Where-Object { $_ } | Select-Object -First 1
            if ($who) {
                & $findUser ([string]$who)
            } else {
                $app = @($claims['appid'], $claims['azp']) | Where-Object { $_ } | Select-Object -First 1
                if (@($claims['roles']) -notcontains 'Exchange.ManageAsApp') {
                    $Cmdlet.ThrowTerminatingError((New-ExoSignInError "UnAuthorized: Bearer error=`"invalid_token`", error_description=`"The application '$app' has no Exchange.ManageAsApp role in this token.`"" 'InvalidAccessToken'))
                }
                $result.AppId = [string]$app
            }
        }
    }
    $result
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

    $dir = Get-ExoSandboxTenantDirectory
    [ExoConnect.Sandbox.TenantFactory]::EnsureCreated($dir)
    $signIn = Resolve-ExoSignIn $PSCmdlet $PSBoundParameters $dir
    $session = $null
    if ($signIn.Method -eq 'Credential') {
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
        $signIn.UserPrincipalName = $auth.UserPrincipalName
    } else {
        # Signed in another way: open the session for that identity (a user, or the app's service principal).
        $auth = [ExoConnect.Sandbox.AuthenticationResult]::new()
        $auth.Outcome = 'Success'
        $auth.UserPrincipalName = if ($signIn.UserPrincipalName) { $signIn.UserPrincipalName } else { $signIn.AppId }
        $auth.SessionLimit = $signIn.Settings.SessionLimit
        $auth.SessionLifetimeSeconds = $signIn.Settings.SessionLifetimeSeconds
        $auth.CommandLatencyMs = $signIn.Settings.CommandLatencyMs
        if ($signIn.Account) {
            $auth.DropsSession = $signIn.Account.DropsSession
            $auth.RoleGroup = [ExoConnect.Sandbox.RoleGroups]::Of($signIn.Account)
            if ($null -ne $signIn.Account.SessionLifetimeSeconds) { $auth.SessionLifetimeSeconds = $signIn.Account.SessionLifetimeSeconds }
        }
        $opened = & (Get-Module ExoSandbox) { param($c, $a, $d) Open-ExoSandboxSessionAs $c $a $d $null } $PSCmdlet $auth $dir
        if ($opened.Error) { $PSCmdlet.ThrowTerminatingError($opened.Error) }
        $session = $opened.Session
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
        UserPrincipalName               = $signIn.UserPrincipalName
        ConnectionUri                   = $uri
        AzureAdAuthorizationEndpointUri = if ($AzureADAuthorizationEndpointUri) { $AzureADAuthorizationEndpointUri } else { 'https://login.microsoftonline.com/organizations' }
        TokenExpiryTimeUTC              = if ($signIn.TokenExpiryUtc) { $signIn.TokenExpiryUtc } else { $expiry }
        CertificateAuthentication       = $signIn.Method -like 'Certificate*'
        ModuleName                      = $module.Path
        ModulePrefix                    = [string]$Prefix
        Organization                    = if ($Organization) { $Organization } else { $status.Organization }
        DelegatedOrganization           = [string]$DelegatedOrganization
        AppId                           = $signIn.AppId
        PageSize                        = $PageSize
        TenantID                        = $status.TenantId
        TokenStatus                     = 'Active'
        ConnectionUsedForInbuiltCmdlets = $script:Connections.Count -eq 0
        IsEopSession                    = $false
        # Not in the real module: how the stand-in signed in (Credential, DeviceCode, CertificateFile,
        # CertificateThumbprint, Certificate, ManagedIdentity or AccessToken), for tests and troubleshooting.
        SandboxAuthenticationMethod     = $signIn.Method
    }
    $script:Connections.Add([pscustomobject]@{ Info = $info; Session = $session; Module = $module })

    if ($ShowBanner) {
        Write-Host ('-' * 88)
        Write-Host 'This is the exo-connect sandbox stand-in for the ExchangeOnlineManagement module.'
        Write-Host "Connected to the local sandbox tenant as $($auth.UserPrincipalName) ($($signIn.Method)); nothing leaves this machine."
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
