@{
    RootModule           = 'ExchangeOnlineManagement.psm1'
    # The real module's version line this stand-in mirrors; the tag below marks it as the sandbox's.
    ModuleVersion        = '3.9.2'
    GUID                 = 'e1a6f0d4-2b7c-4f93-8c5e-3a9d1b0c7e55'
    Author               = 'exo-connect'
    Description          = 'exo-connect sandbox stand-in for ExchangeOnlineManagement: Connect-ExchangeOnline, Disconnect-ExchangeOnline and Get-ConnectionInformation with the real parameters, connecting only to the local sandbox tenant (https://sandbox.exo.localhost/powershell-liveid/).'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FunctionsToExport    = @('Connect-ExchangeOnline', 'Disconnect-ExchangeOnline', 'Get-ConnectionInformation')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('exo-connect-sandbox', 'Exchange', 'Sandbox')
            ProjectUri = 'https://github.com/exo-connect/exo-connect/tree/main/packages/sandbox'
        }
    }
}
