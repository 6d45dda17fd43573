/**
 * Fixed PowerShell scripts, one per rendered output. They hold no user data: the values arrive as JSON in the
 * -ParametersJson argument (core decodes its base64 request into that string) and the proxy credential as a
 * PSCredential built by core from its secret channel. Nothing here is ever parsed from a value.
 *
 * Run one as a script block: `& ([scriptblock]::Create($script)) -ParametersJson $json [-ProxyCredential $c]`.
 * Bump the version line when a script changes its contract.
 */

/**
 * Returns a PSSessionOption built from renderSessionOption's `parameters` (as JSON). Only the known parameter
 * names are accepted. PowerShell on Linux and macOS compiles most of New-PSSessionOption's parameters out
 * (there it takes only -SkipCACheck and -SkipCNCheck), yet the PSSessionOption object keeps every property, so
 * the parameters the local cmdlet lacks are set on the object the way the cmdlet would set them.
 */
export const NEW_SESSION_OPTION_SCRIPT = `# exo-connect proxy-config: New-PSSessionOption v1
param(
    [Parameter(Mandatory)][string]$ParametersJson,
    [pscredential]$ProxyCredential
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$values = ConvertFrom-Json -InputObject $ParametersJson -AsHashtable
$known = @('ProxyAccessType', 'ProxyAuthentication', 'OpenTimeout', 'OperationTimeout', 'IdleTimeout',
    'SkipCACheck', 'SkipCNCheck', 'SkipRevocationCheck', 'Culture', 'UICulture')
$accepted = (Get-Command -Name 'Microsoft.PowerShell.Core\\New-PSSessionOption' -CommandType Cmdlet).Parameters
$splat = @{}
$properties = @{}
foreach ($name in @($values.Keys)) {
    if ($known -cnotcontains $name) { throw "exo-connect: New-PSSessionOption parameter '$name' is not supported." }
    if ($accepted.ContainsKey($name)) { $splat[$name] = $values[$name] } else { $properties[$name] = $values[$name] }
}
if ($null -ne $ProxyCredential) {
    if ($accepted.ContainsKey('ProxyCredential')) { $splat['ProxyCredential'] = $ProxyCredential }
    else { $properties['ProxyCredential'] = $ProxyCredential }
}
$option = Microsoft.PowerShell.Core\\New-PSSessionOption @splat
foreach ($name in $properties.Keys) {
    $value = $properties[$name]
    if ($name.EndsWith('Timeout')) { $value = [TimeSpan]::FromMilliseconds([int]$value) }
    elseif ($name.EndsWith('Culture')) { $value = [System.Globalization.CultureInfo]::new([string]$value) }
    $option.$name = $value
}
$option
`;

/**
 * Sets the default proxy of .NET's HTTP stack in this pwsh process from renderHttpProxy's result (as JSON):
 * [System.Net.Http.HttpClient]::DefaultProxy (and WebRequest.DefaultWebProxy, for older code). Run it before
 * anything creates an HttpClient (before Import-Module/Connect-ExchangeOnline): existing clients keep the
 * proxy they started with. Modes: 'proxy' = WebProxy(url, bypassOnLocal, bypass regexes); 'direct' = no
 * proxy at all; 'system' = keep .NET's own default, only adding credentials.
 */
export const APPLY_HTTP_PROXY_SCRIPT = `# exo-connect proxy-config: HTTP default proxy v1
param(
    [Parameter(Mandatory)][string]$ParametersJson,
    [pscredential]$ProxyCredential
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$settings = ConvertFrom-Json -InputObject $ParametersJson -AsHashtable
switch -CaseSensitive ($settings['mode']) {
    'proxy' {
        $proxy = [System.Net.WebProxy]::new([uri]$settings['proxyUrl'], [bool]$settings['bypassOnLocal'],
            [string[]]@($settings['bypass']))
    }
    'direct' { $proxy = [System.Net.WebProxy]::new() }
    'system' { $proxy = [System.Net.Http.HttpClient]::DefaultProxy }
    default { throw "exo-connect: unknown proxy mode '$($settings['mode'])'." }
}
if ($settings['useDefaultCredentials'] -eq $true) {
    $proxy.Credentials = [System.Net.CredentialCache]::DefaultCredentials
} elseif ($null -ne $ProxyCredential) {
    # Not GetNetworkCredential(): it splits 'user@domain' into user and domain, and Basic then sends
    # 'domain\\user'. Only 'DOMAIN\\user' names a domain; any other user name is kept whole.
    $name = $ProxyCredential.UserName
    $slash = $name.IndexOf('\\')
    $credential = if ($slash -gt 0) {
        [System.Net.NetworkCredential]::new($name.Substring($slash + 1), $ProxyCredential.Password, $name.Substring(0, $slash))
    } else {
        [System.Net.NetworkCredential]::new($name, $ProxyCredential.Password)
    }
    $scheme = $settings['authenticationScheme']
    if ($scheme) {
        # A CredentialCache entry answers only a challenge with that scheme from that proxy.
        $cache = [System.Net.CredentialCache]::new()
        $cache.Add([uri]$settings['proxyUrl'], [string]$scheme, $credential)
        $proxy.Credentials = $cache
    } else {
        $proxy.Credentials = $credential
    }
}
[System.Net.Http.HttpClient]::DefaultProxy = $proxy
[System.Net.WebRequest]::DefaultWebProxy = $proxy
`;
