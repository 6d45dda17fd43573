/**
 * The view-only persona (View-Only Organization Management) on both faces: over REST its password grant works,
 * EXOModuleFile exports only the Get- cmdlets and a write is the service's bare 403; a PSSession as that user
 * exports only the Get- cmdlets too. Nothing it tries changes the tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_DEMO_CREDENTIAL,
  SANDBOX_PERSONAS,
  type SandboxServer,
  startSandboxServer,
  verifyTenant,
} from '../src/index.js';
import { decodeJwt } from '../src/server/identity/index.js';
import { form, httpsRequest } from './support/https-client.js';
import { runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

const EXO_CLIENT = 'fb78d390-0c51-40cd-8e17-fdbfab77341b';
const VIEWER = SANDBOX_PERSONAS.viewonly.userPrincipalName;
const ADMIN = SANDBOX_DEMO_CREDENTIAL.userPrincipalName;

let tenant: TestTenant;
let server: SandboxServer;
const tokens: Record<string, string> = {};

const passwordToken = (username: string, password: string = SANDBOX_DEMO_CREDENTIAL.password) =>
  httpsRequest(`${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/token`, {
    caPath: server.caPath,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'password', client_id: EXO_CLIENT, scope: server.scope, username, password }),
  });

const headersOf = (upn: string) => ({
  authorization: `Bearer ${tokens[upn]}`,
  'x-anchormailbox': `UPN:${upn}`,
});

const invoke = (upn: string, cmdlet: string, parameters: Record<string, unknown> = {}) =>
  httpsRequest(`${server.adminUrl}/adminapi/beta/${server.tenantId}/InvokeCommand`, {
    caPath: server.caPath,
    method: 'POST',
    headers: { ...headersOf(upn), 'content-type': 'application/json' },
    body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
  });

async function exportedCmdlets(upn: string): Promise<string[]> {
  const reply = await httpsRequest(
    `${server.adminUrl}/adminapi/v1.0/${server.tenantId}/EXOModuleFile?Version=3.9.2`,
    {
      caPath: server.caPath,
      headers: { ...headersOf(upn), commandname: '*' },
    },
  );
  expect(reply.status, reply.text).toBe(200);
  return String(reply.json().value[0].exportedCmdlets).split(',');
}

/** The mailbox's fields a write could touch, read with the admin's token. */
async function mailboxState(identity: string) {
  const reply = await invoke(ADMIN, 'Get-Mailbox', { Identity: identity });
  expect(reply.status, reply.text).toBe(200);
  const [m] = reply.json().value;
  return {
    DisplayName: m.DisplayName,
    CustomAttribute1: m.CustomAttribute1,
    WhenChangedUTC: m.WhenChangedUTC,
  };
}

beforeAll(async () => {
  tenant = await createTestTenant({ mailboxCount: 10 });
  server = await startSandboxServer({ directory: tenant.directory, env: tenant.env, workers: 1 });
  for (const upn of [ADMIN, VIEWER]) {
    const reply = await passwordToken(upn);
    expect(reply.status, reply.text).toBe(200);
    tokens[upn] = reply.json().access_token;
  }
});

afterAll(async () => {
  await server?.stop();
  await tenant?.dispose();
});

describe('the view-only persona over REST', () => {
  it('signs in with the demo password through the token endpoint, as a delegated Exchange.Manage user', async () => {
    const claims = decodeJwt(tokens[VIEWER]!)?.claims;
    expect(claims).toMatchObject({ upn: VIEWER, scp: 'Exchange.Manage', tid: server.tenantId });
    const wrong = await passwordToken(VIEWER, 'not-the-password');
    expect(wrong.status).toBe(400);
    expect(wrong.json().error_description).toMatch(/^AADSTS50126: /);
    // It is a real mailbox of the tenant, which it may read.
    const self = await invoke(VIEWER, 'Get-Mailbox', { Identity: VIEWER });
    expect(self.status, self.text).toBe(200);
    expect(self.json().value[0]).toMatchObject({
      UserPrincipalName: VIEWER,
      RecipientTypeDetails: 'UserMailbox',
    });
    // Its role group is sandbox-only account data, which never leaves the server.
    expect(Object.keys(self.json().value[0])).not.toContain('RoleGroup');
  });

  it("gets an EXOModuleFile with only the admin's Get- cmdlets", async () => {
    const admin = await exportedCmdlets(ADMIN);
    const viewer = await exportedCmdlets(VIEWER);
    expect(admin).toEqual(
      expect.arrayContaining(['Get-Mailbox', 'Set-Mailbox', 'New-Mailbox', 'Remove-Mailbox']),
    );
    expect(viewer).toContain('Get-Mailbox');
    expect(viewer).not.toContain('Set-Mailbox');
    expect(viewer).toEqual(admin.filter((name) => name.startsWith('Get-')));
    expect(viewer.length).toBeLessThan(admin.length);
  });

  it('is refused a write with a bare 403, and the data stays as it was', async () => {
    const before = await mailboxState('admin');
    const generation = (await verifyTenant({ directory: tenant.directory })).generation;

    const set = await invoke(VIEWER, 'Set-Mailbox', {
      Identity: 'admin',
      CustomAttribute1: 'from the viewer',
    });
    expect(set.status).toBe(403);
    expect(set.text).toBe('');
    expect(set.headers['content-length']).toBe('0');
    const remove = await invoke(VIEWER, 'Remove-Mailbox', { Identity: 'admin', Confirm: false });
    expect(remove.status).toBe(403);
    // Inside a $batch the same refusal is the item's status.
    const batch = await httpsRequest(`${server.adminUrl}/adminapi/beta/${server.tenantId}/$batch`, {
      caPath: server.caPath,
      method: 'POST',
      headers: { ...headersOf(VIEWER), 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: [
          {
            id: '1',
            method: 'POST',
            url: `${server.adminUrl}/adminapi/beta/${server.tenantId}/InvokeCommand`,
            body: {
              CmdletInput: { CmdletName: 'Set-Mailbox', Parameters: { Identity: 'admin', DisplayName: 'x' } },
            },
          },
        ],
      }),
    });
    expect(batch.status, batch.text).toBe(200);
    expect(batch.json().responses[0]).toMatchObject({ id: '1', status: 403 });

    expect(await mailboxState('admin')).toEqual(before);
    expect((await verifyTenant({ directory: tenant.directory })).generation).toBe(generation);
  });
});

describe('the view-only persona over a PSSession', () => {
  interface SessionView {
    Imported: string[];
    Exported: string[];
    SetError: string;
    Read: string;
    CustomAttribute1: string | null;
  }

  it('exports only the Get- cmdlets; Set-Mailbox is not there to run', async () => {
    const view = await runPwshOk<SessionView>(
      `
$s = Open-TestSession -User $In.viewer
$module = Get-Module | Where-Object { $_.ModuleType -eq 'Script' -and $_.Name -like 'tmp_*' } | Select-Object -First 1
$exported = Invoke-Command -Session $s -ScriptBlock { Get-Command -CommandType Function } | ForEach-Object Name
$setError = try { Invoke-Command -Session $s -ScriptBlock { Set-Mailbox -Identity admin -CustomAttribute1 'from the viewer' } -ErrorAction Stop; '' } catch { $_.Exception.Message }
$read = (Get-Mailbox -Identity $In.viewer).UserPrincipalName
Remove-PSSession $s
$admin = Open-TestSession
$attribute = (Get-Mailbox -Identity admin).CustomAttribute1
Remove-PSSession $admin
Write-Result @{
    Imported = @($module.ExportedFunctions.Keys | Sort-Object); Exported = @($exported | Sort-Object)
    SetError = $setError; Read = $read; CustomAttribute1 = $attribute
}
`,
      tenant.input({ viewer: VIEWER }),
      { env: tenant.env },
    );
    const reads = [
      'Get-AcceptedDomain',
      'Get-DistributionGroup',
      'Get-DistributionGroupMember',
      'Get-Mailbox',
      'Get-OrganizationConfig',
      'Get-Recipient',
      'Get-User',
    ];
    expect(view.Imported).toEqual(reads);
    expect(view.Exported).toEqual(expect.arrayContaining(reads));
    expect(view.Exported.filter((name) => /^(Set|New|Remove|Add)-/.test(name))).toEqual([]);
    expect(view.SetError).toMatch(/^The term 'Set-Mailbox' is not recognized/);
    expect(view.Read).toBe(VIEWER);
    expect(view.CustomAttribute1 ?? '').toBe('');
  });

  it('gets the same reduced set from the stand-in Connect-ExchangeOnline, signed in with a password or a device code', async () => {
    const view = await runPwshOk<Record<string, string[]>>(
      `
Import-Module $In.exoModule
$result = @{}
$signIns = @{
    Credential = @{ Credential = (New-TestCredential $In.viewer $In.password) }
    Device     = @{ Device = $true; UserPrincipalName = $In.viewer }
}
foreach ($name in $signIns.Keys) {
    $parameters = $signIns[$name]
    $null = Connect-ExchangeOnline -ConnectionUri $In.uri -ShowBanner:$false -ShowProgress $false -ErrorAction Stop @parameters 6>$null
    $result[$name] = @(Get-Command -Name '*-Mailbox', '*-User', '*-DistributionGroupMember' -ErrorAction SilentlyContinue |
        Where-Object { $_.Source -like 'tmp_*' } | ForEach-Object Name | Sort-Object)
    Disconnect-ExchangeOnline -Confirm:$false
}
Write-Result $result
`,
      tenant.input({ viewer: VIEWER }),
      { env: tenant.env },
    );
    const reads = ['Get-DistributionGroupMember', 'Get-Mailbox', 'Get-User'];
    expect(view).toEqual({ Credential: reads, Device: reads });
  });
});
