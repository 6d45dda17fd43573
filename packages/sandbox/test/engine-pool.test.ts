import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantStatus } from '../src/index.js';
import { type EnginePool, startEnginePool } from '../src/server/engine/index.js';
import {
  allPages,
  type Call,
  canonical,
  DEFAULT_WARNING,
  invoke,
  MORE_WARNING,
  objectsOf,
  throughSession,
} from './support/engine.js';
import { EXCHANGE_CMDLETS } from './support/exchange-cmdlets.js';
import { runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

// The REST face's engine pool against the PSSession face, over one 5,000-mailbox tenant: the same objects, the
// same texts, the same data whichever face wrote it.
describe('engine pool: the PSSession face in warm pwsh workers', () => {
  let tenant: TestTenant;
  let pool: EnginePool;
  beforeAll(async () => {
    tenant = await createTestTenant({ mailboxCount: 5000, seed: 15 });
    pool = await startEnginePool({ directory: tenant.directory, env: tenant.env });
  });
  afterAll(async () => {
    await pool?.close();
    await tenant?.dispose();
  });

  it('lists the cmdlets the session has, with their own parameters', async () => {
    const commands = await pool.commands();
    expect(commands.map((c) => c.name)).toEqual(EXCHANGE_CMDLETS);
    const get = commands.find((c) => c.name === 'Get-Mailbox');
    expect(get?.parameters).toEqual(['Identity', 'Anr', 'Filter', 'RecipientTypeDetails', 'ResultSize']);
    const remove = commands.find((c) => c.name === 'Remove-Mailbox');
    expect(remove?.parameters).toEqual(['Identity', 'Permanent', 'WhatIf', 'Confirm']);
  });

  it('returns the objects a PSSession returns: the same properties, in order, with the same values', async () => {
    const calls: Call[] = [
      { cmdlet: 'Get-Mailbox', parameters: { ResultSize: 25 } },
      { cmdlet: 'Get-Mailbox', parameters: { Identity: 'admin' } },
      { cmdlet: 'Get-Mailbox', parameters: { Filter: "Office -eq 'SEA-1'", ResultSize: 10 } },
      {
        cmdlet: 'Get-Mailbox',
        parameters: { RecipientTypeDetails: ['SharedMailbox', 'RoomMailbox'], ResultSize: 10 },
      },
      { cmdlet: 'Get-User', parameters: { Anr: 'Sandbox' } },
      { cmdlet: 'Get-Recipient', parameters: { ResultSize: 10 } },
      { cmdlet: 'Get-DistributionGroup', parameters: {} },
      { cmdlet: 'Get-DistributionGroupMember', parameters: { Identity: 'Sales', ResultSize: 5 } },
      { cmdlet: 'Get-AcceptedDomain', parameters: {} },
      { cmdlet: 'Get-OrganizationConfig', parameters: {} },
    ];
    const session = await throughSession(tenant, calls);
    for (const [i, call] of calls.entries()) {
      const label = `${call.cmdlet} ${JSON.stringify(call.parameters)}`;
      const objects = objectsOf(await invoke(pool, call.cmdlet, call.parameters));
      expect(session[i]?.error, label).toBeNull();
      expect(objects.length, label).toBeGreaterThan(0);
      expect(
        objects.map((o) => Object.keys(o)),
        label,
      ).toEqual(session[i]?.names);
      expect(objects.map(canonical), label).toEqual(session[i]?.objects);
    }
    const [admin] = objectsOf(await invoke(pool, 'Get-Mailbox', { Identity: 'admin' }));
    expect(admin).toMatchObject({
      Guid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      WhenCreatedUTC: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*Z$/),
      EmailAddresses: expect.arrayContaining(['SMTP:admin@sandbox.exo.localhost']),
      RecipientTypeDetails: 'UserMailbox',
      HiddenFromAddressListsEnabled: false,
    });
  });

  it('pages 5,000 mailboxes: every one once, in the order the PSSession gives them', async () => {
    const status = await tenantStatus({ directory: tenant.directory, env: tenant.env });
    const { pages, objects } = await allPages(
      pool,
      { cmdlet: 'Get-Mailbox', parameters: { ResultSize: 'Unlimited' } },
      1000,
    );
    expect(objects.length).toBe(status.mailboxCount);
    expect(new Set(objects.map((o) => o.Guid)).size).toBe(objects.length);
    expect(pages.length).toBe(Math.ceil(status.mailboxCount / 1000));
    expect(pages.flatMap((p) => (p.ok ? p.warnings : []))).toEqual([]);
    const last = pages[pages.length - 1];
    expect(last?.ok && last.nextCursor).toBeFalsy();
    const names = await runPwshOk<string[]>(
      `$s = Open-TestSession
Write-Result @(Get-Mailbox -ResultSize Unlimited | ForEach-Object { $_.Guid.ToString() })
Remove-PSSession $s`,
      tenant.input(),
      { env: tenant.env },
    );
    expect(objects.map((o) => o.Guid)).toEqual(names);
  });

  it('ResultSize caps the total and pages split it; the cap warning comes with the last page', async () => {
    const capped = await allPages(pool, { cmdlet: 'Get-Mailbox', parameters: { ResultSize: 2500 } }, 333);
    expect(capped.objects.length).toBe(2500);
    expect(capped.pages.length).toBe(8);
    expect(capped.pages.map((p) => (p.ok ? p.warnings : ['error']))).toEqual([
      ...Array.from({ length: 7 }, () => []),
      [MORE_WARNING],
    ]);
    const byDefault = await allPages(pool, { cmdlet: 'Get-Mailbox', parameters: {} }, 100);
    expect(byDefault.objects.length).toBe(1000);
    expect(byDefault.pages.length).toBe(10);
    expect(byDefault.pages[9]?.ok && byDefault.pages[9].warnings).toEqual([DEFAULT_WARNING]);
    const one = await invoke(pool, 'Get-Mailbox', {});
    expect(one.ok && [one.objects.length, one.warnings, one.nextCursor]).toEqual([
      1000,
      [DEFAULT_WARNING],
      undefined,
    ]);
  });

  it('a cursor serves one page, to its own caller, for its own cmdlet', async () => {
    const first = await invoke(pool, 'Get-Mailbox', { ResultSize: 30 }, { pageSize: 10 });
    const cursor = first.ok ? first.nextCursor : undefined;
    expect(cursor).toBeTruthy();
    const other = {
      tenantId: 'another',
      userPrincipalName: 'admin@sandbox.exo.localhost',
      scopes: [],
      roles: [],
    };
    const expired = {
      ok: false,
      error: expect.objectContaining({ type: 'PageCursorExpiredException', httpStatus: 400 }),
    };
    expect(await invoke(pool, 'Get-Mailbox', {}, { pageSize: 10, cursor, caller: other })).toMatchObject(
      expired,
    );
    expect(await invoke(pool, 'Get-User', {}, { pageSize: 10, cursor })).toMatchObject(expired);
    const second = await invoke(pool, 'Get-Mailbox', {}, { pageSize: 10, cursor });
    expect(objectsOf(second).map((o) => o.Name)).not.toEqual(objectsOf(first).map((o) => o.Name));
    expect(await invoke(pool, 'Get-Mailbox', {}, { pageSize: 10, cursor })).toMatchObject(expired);
    expect(await invoke(pool, 'Get-Mailbox', {}, { cursor: 'not-a-cursor' })).toMatchObject(expired);
  });

  it('fails with the PSSession face texts: Exchange errors, binder errors, no prompt', async () => {
    const calls: Call[] = [
      { cmdlet: 'Get-Mailbox', parameters: { Identity: 'nobody.here' } },
      { cmdlet: 'New-Mailbox', parameters: { Name: 'Sandbox Admin', Shared: true } },
      { cmdlet: 'Set-Mailbox', parameters: { Identity: 'admin', Alias: 'has space' } },
      { cmdlet: 'Get-Mailbox', parameters: { Filter: 'Name -eq' } },
      { cmdlet: 'Get-Mailbox', parameters: { ResultSize: 'lots' } },
      { cmdlet: 'Get-Mailbox', parameters: { RecipientTypeDetails: 'Bogus' } },
      { cmdlet: 'Add-DistributionGroupMember', parameters: { Identity: 'Sales', Member: 'admin' } },
      { cmdlet: 'Get-Mailbox', parameters: { NoSuchParameter: 1 } },
      { cmdlet: 'Set-Mailbox', parameters: { Identity: 'admin', Type: 'Castle' } },
    ];
    // admin is made a member of Sales first, so that adding it again fails.
    await invoke(pool, 'Add-DistributionGroupMember', { Identity: 'Sales', Member: 'admin' });
    const session = await throughSession(tenant, calls);
    const statuses: number[] = [];
    for (const [i, call] of calls.entries()) {
      const label = `${call.cmdlet} ${JSON.stringify(call.parameters)}`;
      const result = await invoke(pool, call.cmdlet, call.parameters);
      const expected = session[i]?.error;
      expect(expected, label).toBeTruthy();
      expect(result.ok, label).toBe(false);
      if (result.ok || !expected) continue;
      expect(result.error.message, label).toBe(expected.Message);
      expect(result.error.category, label).toBe(expected.Category);
      expect(result.error.type, label).toBe(expected.Reason);
      statuses.push(result.error.httpStatus);
    }
    expect(statuses).toEqual([404, 400, 400, 400, 400, 400, 400, 400, 400]);
    const notFound = await invoke(pool, 'Get-Mailbox', { Identity: 'nobody.here' });
    expect(!notFound.ok && notFound.error.typeName).toBe(
      'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
    );
    const unknown = await invoke(pool, 'Get-Mailbox', { NoSuchParameter: 1 });
    expect(!unknown.ok && unknown.error.message).toBe(
      "A parameter cannot be found that matches parameter name 'NoSuchParameter'.",
    );
    // A PSSession's client host would prompt here (a -NonInteractive one fails with "PowerShell is in
    // NonInteractive mode…"): the worker has no host, so the binder's own error comes back, as core gives it.
    const missing = await invoke(pool, 'New-Mailbox', { Name: 'Half Made' });
    expect(!missing.ok && [missing.error.type, missing.error.httpStatus]).toEqual([
      'ParameterBindingException',
      400,
    ]);
    expect(!missing.ok && missing.error.message).toBe(
      'Cannot process command because of one or more missing mandatory parameters: MicrosoftOnlineServicesID Password.',
    );
  });

  it('warns with the PSSession face texts', async () => {
    await invoke(pool, 'Set-Mailbox', { Identity: 'admin', CustomAttribute9: 'same' });
    const session = await runPwshOk<Record<string, string[]>>(
      `$s = Open-TestSession
$null = Invoke-Command -Session $s { Get-Mailbox } -WarningVariable w1
$null = Invoke-Command -Session $s { Get-Mailbox -ResultSize 5 } -WarningVariable w2
$null = Invoke-Command -Session $s { Set-Mailbox -Identity admin -CustomAttribute9 same } -WarningVariable w3
$null = Invoke-Command -Session $s { Get-DistributionGroupMember -Identity Sales -ResultSize 2 } -WarningVariable w4
Write-Result @{ Default = @($w1.Message); Five = @($w2.Message); Unchanged = @($w3.Message); Members = @($w4.Message) }
Remove-PSSession $s`,
      tenant.input(),
      { env: tenant.env },
    );
    const warnings = async (cmdlet: string, parameters: Record<string, unknown>) => {
      const r = await invoke(pool, cmdlet, parameters);
      return r.ok ? r.warnings : [`error: ${r.error.message}`];
    };
    expect(session.Default).toEqual([DEFAULT_WARNING]);
    expect(await warnings('Get-Mailbox', {})).toEqual(session.Default);
    expect(await warnings('Get-Mailbox', { ResultSize: 5 })).toEqual(session.Five);
    expect(await warnings('Set-Mailbox', { Identity: 'admin', CustomAttribute9: 'same' })).toEqual(
      session.Unchanged,
    );
    expect(await warnings('Get-DistributionGroupMember', { Identity: 'Sales', ResultSize: 2 })).toEqual(
      session.Members,
    );
  });
});
