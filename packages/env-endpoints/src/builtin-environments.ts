import { deepFreeze } from './deep-freeze.js';
import type {
  EnvironmentDefinition,
  EnvironmentSpec,
  EnvironmentStatus,
} from './schema/environment-schema.js';
import { validateEnvironment } from './validate-environment.js';

/** Exchange Online turned remote PowerShell off on this date; the URIs stay so core can explain the failure. */
const EXO_RPS_RETIRED: EnvironmentStatus = {
  state: 'retired',
  date: '2023-10-01',
  note:
    'Exchange Online turned off remote PowerShell on 2023-10-01 (other clouds during October 2023; Basic ' +
    'authentication already from 2022-10-01). Use the module strategy.',
};

const CONNECT_EXO_DOCS =
  'https://learn.microsoft.com/powershell/exchange/connect-to-exchange-online-powershell';

/** An Exchange Online cloud's remote PowerShell endpoint, as the seed's New-PSSession call used it. */
function exoRps(connectionUri: string, status: EnvironmentStatus = EXO_RPS_RETIRED) {
  return { connectionUri, authentication: 'Basic', allowRedirection: true, status } as const;
}

/** The built-in environments, every URI and name exactly as REFERENCE.md §2 gives it. */
const SPECS: readonly EnvironmentSpec[] = [
  {
    id: 'worldwide',
    aliases: ['commercial', 'gcc', 'o365default'],
    displayName: 'Microsoft 365 worldwide (commercial and GCC)',
    defaultStrategy: 'rest',
    rps: exoRps('https://outlook.office365.com/powershell-liveid/'),
    module: {
      exchangeEnvironmentName: 'O365Default',
      azureADAuthorizationEndpointUri: 'https://login.microsoftonline.com/organizations',
    },
    rest: {
      apiUrl: 'https://outlook.office365.com',
      authority: 'https://login.microsoftonline.com',
      scope: 'https://outlook.office365.com/.default',
    },
    compliance: { rpsConnectionUri: 'https://ps.compliance.protection.outlook.com/powershell-liveid/' },
    eop: { rpsConnectionUri: 'https://ps.protection.outlook.com/powershell-liveid/' },
    documentation: CONNECT_EXO_DOCS,
  },
  {
    id: 'gcc-high',
    aliases: ['o365usgovgcchigh'],
    displayName: 'Microsoft 365 GCC High',
    defaultStrategy: 'rest',
    rps: exoRps('https://outlook.office365.us/powershell-liveid'),
    module: {
      exchangeEnvironmentName: 'O365USGovGCCHigh',
      azureADAuthorizationEndpointUri: 'https://login.microsoftonline.us/organizations',
    },
    rest: {
      apiUrl: 'https://outlook.office365.us',
      authority: 'https://login.microsoftonline.us',
      scope: 'https://outlook.office365.us/.default',
    },
    compliance: { rpsConnectionUri: 'https://ps.compliance.protection.office365.us/powershell-liveid/' },
    documentation: CONNECT_EXO_DOCS,
  },
  {
    id: 'dod',
    aliases: ['o365usgovdod'],
    displayName: 'Microsoft 365 DoD',
    defaultStrategy: 'rest',
    rps: exoRps('https://webmail.apps.mil/powershell-liveid'),
    module: {
      exchangeEnvironmentName: 'O365USGovDoD',
      azureADAuthorizationEndpointUri: 'https://login.microsoftonline.us/organizations',
    },
    rest: {
      apiUrl: 'https://outlook-dod.office365.us',
      authority: 'https://login.microsoftonline.us',
      scope: 'https://outlook-dod.office365.us/.default',
    },
    compliance: { rpsConnectionUri: 'https://l5.ps.compliance.protection.office365.us/powershell-liveid/' },
    documentation: CONNECT_EXO_DOCS,
  },
  {
    id: 'china',
    aliases: ['21vianet', 'o365china'],
    displayName: 'Microsoft 365 operated by 21Vianet (China)',
    defaultStrategy: 'rest',
    rps: exoRps('https://partner.outlook.cn/PowerShell'),
    module: {
      exchangeEnvironmentName: 'O365China',
      azureADAuthorizationEndpointUri: 'https://login.chinacloudapi.cn/organizations',
    },
    rest: {
      apiUrl: 'https://partner.outlook.cn',
      // Microsoft's newer pages name this host; the module still uses partner.outlook.cn (REFERENCE §8).
      alternateApiUrls: ['https://outlook.office365.cn'],
      authority: 'https://login.chinacloudapi.cn',
      scope: 'https://partner.outlook.cn/.default',
    },
    compliance: {
      rpsConnectionUri: 'https://ps.compliance.protection.partner.outlook.cn/powershell-liveid/',
    },
    documentation: CONNECT_EXO_DOCS,
  },
  {
    id: 'germany',
    aliases: ['o365germanycloud'],
    displayName: 'Microsoft Cloud Deutschland (Germany)',
    status: {
      state: 'retired',
      date: '2021-10-29',
      note: 'Microsoft Cloud Deutschland closed on 2021-10-29; its tenants moved to the worldwide cloud (use "worldwide").',
    },
    defaultStrategy: 'module',
    // The cloud closed before Exchange Online retired remote PowerShell, so its endpoint died with it.
    rps: exoRps('https://outlook.office.de/PowerShell-LiveID', {
      state: 'retired',
      date: '2021-10-29',
      note: 'Closed with Microsoft Cloud Deutschland on 2021-10-29.',
    }),
    module: {
      exchangeEnvironmentName: 'O365GermanyCloud',
      azureADAuthorizationEndpointUri: 'https://login.microsoftonline.de/organizations',
    },
    compliance: { rpsConnectionUri: 'https://ps.compliance.protection.outlook.de/powershell-liveid/' },
    documentation: CONNECT_EXO_DOCS,
  },
  {
    id: 'eop',
    aliases: [],
    displayName: 'Exchange Online Protection (standalone)',
    defaultStrategy: 'module',
    rps: exoRps('https://ps.protection.outlook.com/powershell-liveid/', {
      ...EXO_RPS_RETIRED,
      note: `${EXO_RPS_RETIRED.note} This endpoint has redirected to the Exchange Online endpoint since 2020.`,
    }),
    module: {
      exchangeEnvironmentName: 'O365Default',
      azureADAuthorizationEndpointUri: 'https://login.microsoftonline.com/organizations',
    },
    compliance: { rpsConnectionUri: 'https://ps.compliance.protection.outlook.com/powershell-liveid/' },
    eop: { rpsConnectionUri: 'https://ps.protection.outlook.com/powershell-liveid/' },
    documentation:
      'https://learn.microsoft.com/powershell/exchange/connect-to-exchange-online-protection-powershell',
  },
  {
    id: 'exchange-server',
    aliases: ['on-premises', 'onprem'],
    displayName: 'Exchange Server (on-premises)',
    defaultStrategy: 'rps',
    rps: {
      // A placeholder on the reserved .invalid domain, so a forgotten withConnectionUri() can never reach a real
      // host; the real http://<server>/PowerShell/ comes from the user.
      connectionUri: 'http://exchange-server.invalid/PowerShell/',
      authentication: 'Kerberos',
      allowRedirection: false,
      requiresUserUri: true,
    },
    documentation:
      'https://learn.microsoft.com/powershell/exchange/connect-to-exchange-servers-using-remote-powershell',
  },
];

/** Validated and frozen at load: a broken built-in fails every test, not a user's first connect. */
export const BUILTIN_ENVIRONMENTS: readonly EnvironmentDefinition[] = deepFreeze(
  SPECS.map(validateEnvironment),
);
