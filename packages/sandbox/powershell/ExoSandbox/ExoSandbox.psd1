@{
    RootModule           = 'ExoSandbox.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'c3a1e5f2-8b4d-4c6a-9e21-7d0b5f3a8c94'
    Author               = 'exo-connect'
    Description          = 'A local Exchange tenant reached through a real PSSession: New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri https://sandbox.exo.localhost/powershell-liveid/ opens a session to it, every other New-PSSession call is passed to the real cmdlet.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FunctionsToExport    = @(
        'New-PSSession', 'Get-ExoSandboxTenantDirectory', 'New-ExoSandboxTenant', 'Reset-ExoSandboxTenant',
        'Get-ExoSandboxTenant', 'Set-ExoSandboxTenant', 'Test-ExoSandboxTenant', 'Stop-ExoSandboxSession',
        # Only on Linux and macOS, where PowerShell lacks its WSMan parameters (see ExoSandbox.psm1).
        'New-PSSessionOption'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Exchange', 'Sandbox', 'exo-connect')
            ProjectUri = 'https://github.com/exo-connect/exo-connect/tree/main/packages/sandbox'
        }
    }
}
