/** Where each Exchange cloud is reached (REFERENCE.md §2). The schema and API grow around this table. */
export interface EnvironmentSummary {
  id: string;
  aliases: readonly string[];
  displayName: string;
  rpsConnectionUri: string;
  exchangeEnvironmentName: string;
}

export const BUILTIN_SUMMARIES: readonly EnvironmentSummary[] = [
  {
    id: 'worldwide',
    aliases: ['commercial', 'gcc', 'o365default'],
    displayName: 'Microsoft 365 worldwide (including GCC)',
    rpsConnectionUri: 'https://outlook.office365.com/powershell-liveid/',
    exchangeEnvironmentName: 'O365Default',
  },
  {
    id: 'gcc-high',
    aliases: [],
    displayName: 'Microsoft 365 GCC High',
    rpsConnectionUri: 'https://outlook.office365.us/powershell-liveid',
    exchangeEnvironmentName: 'O365USGovGCCHigh',
  },
  {
    id: 'dod',
    aliases: [],
    displayName: 'Microsoft 365 DoD',
    rpsConnectionUri: 'https://webmail.apps.mil/powershell-liveid',
    exchangeEnvironmentName: 'O365USGovDoD',
  },
  {
    id: 'china',
    aliases: ['21vianet'],
    displayName: 'Microsoft 365 operated by 21Vianet',
    rpsConnectionUri: 'https://partner.outlook.cn/PowerShell',
    exchangeEnvironmentName: 'O365China',
  },
];

export function findSummary(idOrAlias: string): EnvironmentSummary | undefined {
  const key = idOrAlias.trim().toLowerCase();
  return BUILTIN_SUMMARIES.find((e) => e.id === key || e.aliases.includes(key));
}
