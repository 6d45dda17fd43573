@{
    RootModule           = 'ExoSandbox.Server.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '4f0c8a36-7d1e-4b8e-9a55-2f1d3c6b9e10'
    Author               = 'exo-connect'
    Description          = 'The Exchange cmdlets of the exo-connect sandbox tenant. Loaded only inside a sandbox session''s server process.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ExoSandbox.Server.Format.ps1xml')
    FunctionsToExport    = @(
        'Get-Mailbox', 'New-Mailbox', 'Set-Mailbox', 'Remove-Mailbox', 'Get-Recipient', 'Get-User', 'Set-User',
        'Get-AcceptedDomain', 'Get-OrganizationConfig', 'Get-DistributionGroup', 'Get-DistributionGroupMember',
        'Add-DistributionGroupMember', 'Remove-DistributionGroupMember'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
