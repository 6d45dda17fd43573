import { dirname } from 'node:path';
import { processAlive, waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_EXO_MODULE_PATH, SANDBOX_PERSONAS, sandboxEnvironment, tenantStatus } from '../src/index.js';
import { runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

// REFERENCE.md §3: the parameters of the real Connect-ExchangeOnline.
const CONNECT_PARAMETERS = [
  'ConnectionUri',
  'AzureADAuthorizationEndpointUri',
  'ExchangeEnvironmentName',
  'PSSessionOption',
  'DelegatedOrganization',
  'Prefix',
  'CommandName',
  'FormatTypeName',
  'AccessToken',
  'AppId',
  'Organization',
  'Certificate',
  'CertificateFilePath',
  'CertificatePassword',
  'CertificateThumbprint',
  'Credential',
  'Device',
  'InlineCredential',
  'ManagedIdentity',
  'ManagedIdentityAccountId',
  'UserPrincipalName',
  'DisableWAM',
  'ShowBanner',
  'ShowProgress',
  'SkipLoadingFormatData',
  'LoadCmdletHelp',
  'PageSize',
  'UseMultithreading',
  'EnableErrorReporting',
  'LogDirectoryPath',
  'LogLevel',
  'TrackPerformance',
  'SigningCertificate',
  'EXOModuleBasePath',
  'BypassMailboxAnchoring',
  'UseRPSSession',
];

interface TestError {
  Message: string;
  FullyQualifiedErrorId: string;
  Category: string;
}

describe('the stand-in ExchangeOnlineManagement module', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant({ mailboxCount: 10 });
  });
  afterAll(async () => tenant.dispose());

  // Loads the prelude exactly as sandboxEnvironment() lists it, in a -NonInteractive pwsh with piped stdout.
  const PRELUDE = `
foreach ($m in $In.prelude) { Import-Module -Name $m -Global -DisableNameChecking -ErrorAction Stop }
$Credential = New-TestCredential $In.user $In.password
`;
  const run = <T>(script: string, extra: Record<string, unknown> = {}) =>
    runPwshOk<T>(
      `${PRELUDE}\n${script}`,
      tenant.input({ prelude: sandboxEnvironment().prelude?.modules, ...extra }),
      {
        env: tenant.env,
      },
    );

  it('is loaded only when asked for, from the sandbox, ahead of any installed ExchangeOnlineManagement', async () => {
    const r = await run<{ AfterPrelude: boolean; ModuleBase: string }>(
      `
$afterPrelude = [bool](Get-Module -Name ExchangeOnlineManagement)
Import-Module -Name ExchangeOnlineManagement -ErrorAction Stop
Write-Result @{ AfterPrelude = $afterPrelude; ModuleBase = (Get-Module -Name ExchangeOnlineManagement).ModuleBase }
`,
    );
    expect(r).toEqual({ AfterPrelude: false, ModuleBase: dirname(SANDBOX_EXO_MODULE_PATH) });
  });

  it('accepts the real parameters and refuses every endpoint but the sandbox', async () => {
    const r = await run<{
      Parameters: string[];
      Module: { Name: string; Tags: string[] };
      Refused: Record<string, TestError>;
    }>(
      `
$refused = [ordered]@{}
$attempts = [ordered]@{
    DefaultEnvironment = @{ Credential = $Credential; ShowBanner = $false }
    OtherUri = @{ ConnectionUri = 'https://outlook.office365.com/powershell-liveid/'; Credential = $Credential }
    GccHigh = @{ ExchangeEnvironmentName = 'O365USGovGCCHigh'; Credential = $Credential }
    NoSignIn = @{ ConnectionUri = $In.uri }
    TwoSignIns = @{ ConnectionUri = $In.uri; Credential = $Credential; Device = $true }
    AppIdWithoutCertificate = @{ ConnectionUri = $In.uri; Device = $true; AppId = '00000000-0000-0000-0000-000000000001' }
    OtherTenant = @{ ConnectionUri = $In.uri; AppId = '00000000-0000-0000-0000-000000000001'; CertificateThumbprint = 'AB'; Organization = 'contoso.onmicrosoft.com' }
}
foreach ($k in $attempts.Keys) {
    $p = $attempts[$k]
    try { Connect-ExchangeOnline @p -ErrorAction Stop } catch { $refused[$k] = ConvertTo-TestError $_ }
}
$module = Get-Module ExchangeOnlineManagement
Write-Result @{
    Parameters = @((Get-Command Connect-ExchangeOnline).Parameters.Keys)
    Module = @{ Name = $module.Name; Tags = @($module.PrivateData.PSData.Tags) }
    Refused = $refused
}
`,
    );
    for (const p of CONNECT_PARAMETERS) expect(r.Parameters).toContain(p);
    expect(r.Module).toEqual({
      Name: 'ExchangeOnlineManagement',
      Tags: expect.arrayContaining(['exo-connect-sandbox']),
    });
    for (const k of ['DefaultEnvironment', 'OtherUri', 'GccHigh']) {
      expect(r.Refused[k]?.FullyQualifiedErrorId).toBe('SandboxEndpointOnly,Connect-ExchangeOnline');
      expect(r.Refused[k]?.Message).toContain(
        'connects only to https://sandbox.exo.localhost/powershell-liveid/',
      );
    }
    expect(r.Refused.OtherUri?.Message).toContain(
      "not to 'https://outlook.office365.com/powershell-liveid/'",
    );
    expect(r.Refused.GccHigh?.Message).toContain("not to 'https://outlook.office365.us/powershell-liveid'");
    // Sign-in methods (each one is exercised end to end by @exo-connect/core's module-auth test).
    expect(r.Refused.NoSignIn?.FullyQualifiedErrorId).toBe(
      'SandboxCredentialRequired,Connect-ExchangeOnline',
    );
    expect(r.Refused.TwoSignIns?.FullyQualifiedErrorId).toBe('AmbiguousSignIn,Connect-ExchangeOnline');
    expect(r.Refused.TwoSignIns?.Message).toContain('-Credential, -Device were given together');
    expect(r.Refused.AppIdWithoutCertificate?.FullyQualifiedErrorId).toBe(
      'InvalidSignInParameters,Connect-ExchangeOnline',
    );
    expect(r.Refused.OtherTenant?.Message).toMatch(
      /^AADSTS90002: Tenant 'contoso.onmicrosoft.com' not found\./,
    );
  });

  it('fails like Entra ID for a wrong password (AADSTS50126) and an MFA account (AADSTS50076)', async () => {
    const r = await run<{ Wrong: TestError; Mfa: TestError; Federated: TestError }>(
      `
$errors = @{}
foreach ($case in @(@{ Key = 'Wrong'; User = $In.user; Password = 'not-it' }, @{ Key = 'Mfa'; User = $In.mfa; Password = $In.password }, @{ Key = 'Federated'; User = $In.federated; Password = $In.password })) {
    try { Connect-ExchangeOnline -ConnectionUri $In.uri -Credential (New-TestCredential $case.User $case.Password) -ShowBanner:$false -ErrorAction Stop }
    catch { $errors[$case.Key] = ConvertTo-TestError $_ }
}
Write-Result $errors
`,
      {
        mfa: SANDBOX_PERSONAS.mfa.userPrincipalName,
        federated: SANDBOX_PERSONAS.federated.userPrincipalName,
      },
    );
    const trailer =
      'Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z$';
    expect(r.Wrong.Message).toMatch(
      new RegExp(
        `^AADSTS50126: Error validating credentials due to invalid username or password\\. ${trailer}`,
      ),
    );
    expect(r.Wrong.Category).toBe('AuthenticationError');
    expect(r.Mfa.Message).toMatch(
      new RegExp(
        `^AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'\\. ${trailer}`,
      ),
    );
    expect(r.Federated.Message).toContain(
      'Federated service at https://sts.federated.sandbox.exo.localhost/adfs/services/trust/2005/usernamemixed returned error',
    );
  });

  it('connects with -Credential, imports the cmdlets (with -Prefix), reports the connection and disconnects', async () => {
    const r = await run<{
      Mailboxes: number;
      Info: Record<string, unknown>;
      ServerPid: number;
      AfterCommands: number;
      AfterInfo: number;
      AfterSessions: number;
    }>(`
Connect-ExchangeOnline -ConnectionUri $In.uri -Credential $Credential -Prefix Sbx -ShowBanner:$false -ShowProgress $false -ErrorAction Stop
$mailboxes = @(Get-SbxMailbox -ResultSize 3 -WarningAction SilentlyContinue).Count
$info = Get-ConnectionInformation
$serverPid = @((Get-ExoSandboxTenant).Sessions)[0].ProcessId
$infoOut = [ordered]@{}
foreach ($p in $info.PSObject.Properties) { $infoOut[$p.Name] = if ($p.Value -is [datetime]) { 'datetime' } else { $p.Value } }
$infoOut.TypeName = $info.PSTypeNames[0]
Disconnect-ExchangeOnline -Confirm:$false
Write-Result @{
    Mailboxes = $mailboxes; Info = $infoOut; ServerPid = $serverPid
    AfterCommands = @(Get-Command -Name 'Get-Sbx*' -ErrorAction SilentlyContinue).Count
    AfterInfo = @(Get-ConnectionInformation).Count; AfterSessions = @(Get-PSSession).Count
}
`);
    expect(r.Mailboxes).toBe(3);
    expect(r.Info).toMatchObject({
      TypeName: 'Microsoft.Exchange.Management.ExoPowershellSnapin.ConnectionInformation',
      State: 'Connected',
      Name: 'ExchangeOnline_1',
      UserPrincipalName: 'admin@sandbox.exo.localhost',
      ConnectionUri: 'https://sandbox.exo.localhost/powershell-liveid/',
      ModulePrefix: 'Sbx',
      Organization: 'sandbox.onmicrosoft.localhost',
      TokenExpiryTimeUTC: 'datetime',
      TokenStatus: 'Active',
      IsEopSession: false,
      CertificateAuthentication: false,
    });
    expect(r.Info.ConnectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.AfterCommands).toBe(0);
    expect(r.AfterInfo).toBe(0);
    expect(r.AfterSessions).toBe(0);
    expect(await waitFor(() => !processAlive(r.ServerPid))).toBe(true);
    expect((await tenantStatus({ directory: tenant.directory })).sessions).toEqual([]);
  });
});
