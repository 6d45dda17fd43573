# exo shell start-up: fixed text, run by an interactive pwsh. Everything it needs (module paths, endpoint,
# the credential) arrives as one JSON line over the private channel exo opened; nothing is in argv or here.
$ErrorActionPreference = 'Stop'
try {
    $socket = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
    $socket.Connect([System.Net.Sockets.UnixDomainSocketEndPoint]::new($env:EXO_SHELL_CHANNEL))
    $stream = [System.Net.Sockets.NetworkStream]::new($socket, $true)
    $writer = [System.IO.StreamWriter]::new($stream)
    $writer.WriteLine($env:EXO_SHELL_TOKEN)
    $writer.Flush()
    $reader = [System.IO.StreamReader]::new($stream)
    $exo = $reader.ReadLine() | ConvertFrom-Json -AsHashtable
    $stream.Dispose()
    Remove-Item Env:EXO_SHELL_CHANNEL, Env:EXO_SHELL_TOKEN -ErrorAction Ignore

    foreach ($module in $exo['modules']) { Import-Module -Name $module -Global -DisableNameChecking }
    $secure = [System.Security.SecureString]::new()
    foreach ($c in ([string]$exo['password']).ToCharArray()) { $secure.AppendChar($c) }
    $UserCredential = [System.Management.Automation.PSCredential]::new([string]$exo['userName'], $secure)
    $exo.Remove('password')
    $secure = $null

    if ($exo['strategy'] -eq 'module') {
        Import-Module ExchangeOnlineManagement -Global
        $connect = $exo['connect']
        Connect-ExchangeOnline @connect -Credential $UserCredential -ShowBanner:$false
        $null = Register-EngineEvent -SourceIdentifier PowerShell.Exiting -Action { Disconnect-ExchangeOnline -Confirm:$false -ErrorAction Ignore }
    } else {
        $session = $exo['session']
        $Session = New-PSSession -ConfigurationName Microsoft.Exchange @session -Credential $UserCredential
        $importParams = @{ Session = $Session; DisableNameChecking = $true; AllowClobber = $true }
        if ($exo['commandNames']) { $importParams.CommandName = $exo['commandNames'] }
        $null = Import-Module (Import-PSSession @importParams) -Global -DisableNameChecking
        $null = Register-EngineEvent -SourceIdentifier PowerShell.Exiting -Action { Get-PSSession | Remove-PSSession -ErrorAction Ignore }
    }
    Remove-Variable -Name UserCredential -ErrorAction Ignore
    $global:ExoShellLabel = [string]$exo['label']
    function global:prompt { "[exo $($global:ExoShellLabel)] PS $($executionContext.SessionState.Path.CurrentLocation)> " }
    Write-Host "Connected to $($exo['label']). The cmdlets are imported; type exit to disconnect and leave." -ForegroundColor Green
} catch {
    Write-Host "exo shell: $($_.Exception.Message)" -ForegroundColor Red
    exit 3
} finally {
    $exo = $null
}
