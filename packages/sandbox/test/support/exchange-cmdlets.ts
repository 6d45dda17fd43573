/** The Exchange cmdlets a sandbox session exports, sorted as Get-Command and Import-PSSession list them. */
export const EXCHANGE_CMDLETS = [
  'Add-DistributionGroupMember',
  'Get-AcceptedDomain',
  'Get-DistributionGroup',
  'Get-DistributionGroupMember',
  'Get-Mailbox',
  'Get-OrganizationConfig',
  'Get-Recipient',
  'Get-User',
  'New-Mailbox',
  'Remove-DistributionGroupMember',
  'Remove-Mailbox',
  'Set-Mailbox',
  'Set-User',
];
