/**
 * The admin API client against the real sandbox server (REST face, HTTPS on 127.0.0.1, pwsh workers running
 * the PSSession face's cmdlets): paging, laziness, $select, warnings, errors, writes, $batch, EXOModuleFile.
 */
import { createServer } from 'node:net';
import { SANDBOX_DEMO_CREDENTIAL, SANDBOX_PERSONAS, sandboxEnvironment } from '@exo-connect/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/connect/connect.js';
import { ExoError } from '../src/errors/exo-error.js';
import { createAdminApiClient } from '../src/rest/admin-api/index.js';
import { createRestHttp } from '../src/rest/http/rest-http.js';
import { accessToken, adminClient, drain, type RestFixture, startRestFixture } from './rest-helpers.js';

let fixture: RestFixture;
const invokes = (seen: { path: string }[]) => seen.filter((s) => s.path.includes('/InvokeCommand'));

beforeAll(async () => {
  fixture = await startRestFixture(30);
});
afterAll(async () => {
  await fixture?.stop();
});

describe('InvokeCommand', () => {
  it('pages Get-Mailbox across small pages: the same mailboxes as one large page', async () => {
    const { client, http } = adminClient(fixture.server);
    const all = await drain(client.invoke('Get-Mailbox', { ResultSize: 'Unlimited' }, { pageSize: 1000 }));
    expect(invokes(http.seen)).toHaveLength(1);
    const paged = await drain(client.invoke('Get-Mailbox', { ResultSize: 'Unlimited' }, { pageSize: 7 }));
    expect(paged.map((m) => m.Guid)).toEqual(all.map((m) => m.Guid));
    expect(new Set(paged.map((m) => m.Guid)).size).toBe(all.length);
    expect(invokes(http.seen)).toHaveLength(1 + Math.ceil(all.length / 7));
    expect(all.length).toBeGreaterThan(30);
  });

  it('asks for a page only when the consumer pulls past the last one: 3 objects of 2-per-page is 2 requests', async () => {
    const { client, http } = adminClient(fixture.server);
    const taken: unknown[] = [];
    for await (const mailbox of client.invoke('Get-Mailbox', { ResultSize: 'Unlimited' }, { pageSize: 2 })) {
      taken.push(mailbox.Name);
      if (taken.length === 3) break;
    }
    expect(taken).toHaveLength(3);
    expect(invokes(http.seen)).toHaveLength(2);
    expect(http.seen.every((s) => s.done)).toBe(true);
  });

  it('asks for only the selected properties, and passes on the cmdlet’s warnings', async () => {
    const { client } = adminClient(fixture.server);
    const warnings: string[] = [];
    const rows = await drain(
      client.invoke(
        'Get-Mailbox',
        { ResultSize: 3 },
        { select: ['Name', 'Alias'], onWarning: (w) => warnings.push(w) },
      ),
    );
    expect(rows).toHaveLength(3);
    for (const row of rows)
      expect(
        Object.keys(row)
          .filter((k) => !k.includes('@'))
          .sort(),
      ).toEqual(['Alias', 'Name']);
    expect(warnings).toEqual([
      'There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.',
    ]);
  });

  it('fails a missing mailbox with CMDLET_ERROR and the PSSession face’s own text', async () => {
    const { client } = adminClient(fixture.server);
    const error = await drain(client.invoke('Get-Mailbox', { Identity: 'nobody-here' })).catch(
      (e: unknown) => e,
    );
    expect(ExoError.is(error, 'CMDLET_ERROR')).toBe(true);
    const rest = error as ExoError;
    expect(rest.details).toMatchObject({
      cmdlet: 'Get-Mailbox',
      exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
      httpStatus: 404,
      requestId: expect.any(String),
    });
    const session = await connect(fixture.tenant.options({ strategy: 'rps' }));
    try {
      const viaSession = await session
        .invoke('Get-Mailbox', { Identity: 'nobody-here' })
        .catch((e: unknown) => e);
      expect(viaSession).toMatchObject({ code: 'CMDLET_ERROR', message: rest.message });
    } finally {
      await session.disconnect();
    }
  });

  it('round-trips writes: Set-Mailbox, a hashtable parameter, and New-Mailbox', async () => {
    const { client } = adminClient(fixture.server);
    await drain(client.invoke('Set-Mailbox', { Identity: 'admin', CustomAttribute1: 'from REST' }));
    const address = 'smtp:rest-alias@sandbox.exo.localhost';
    await drain(client.invoke('Set-Mailbox', { Identity: 'admin', EmailAddresses: { Add: [address] } }));
    const [admin] = await drain(client.invoke('Get-Mailbox', { Identity: 'admin' }));
    expect(admin?.CustomAttribute1).toBe('from REST');
    expect(admin?.EmailAddresses).toContain(address);
    const created = await drain(client.invoke('New-Mailbox', { Name: 'rest-shared-1', Shared: true }));
    expect(created).toEqual([
      expect.objectContaining({ Name: 'rest-shared-1', RecipientTypeDetails: 'SharedMailbox' }),
    ]);
  });
});

describe('the tenant', () => {
  it('names a tenant the service does not know: INVALID_ARGUMENT', async () => {
    const { client } = adminClient(fixture.server, { tenant: 'unknown.onmicrosoft.com' });
    const error = await drain(client.invoke('Get-Mailbox', {})).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'tenant', tenant: 'unknown.onmicrosoft.com', httpStatus: 404 },
    });
    expect((error as ExoError).message).toContain("Tenant 'unknown.onmicrosoft.com' not found");
  });
});

describe('$batch', () => {
  it('runs 25 items in 3 requests of at most 10, with per-item results and errors in order', async () => {
    const { client, http } = adminClient(fixture.server);
    const names = (await drain(client.invoke('Get-Mailbox', { ResultSize: 20 }))).map((m) => String(m.Name));
    const items = Array.from({ length: 25 }, (_, i) =>
      i % 6 === 5
        ? { cmdlet: 'Get-Mailbox', parameters: { Identity: `missing-${i}` } }
        : { cmdlet: 'Get-Mailbox', parameters: { Identity: names[i % names.length]! } },
    );
    const results = await client.batch(items);
    expect(http.seen.filter((s) => s.path.endsWith('/$batch'))).toHaveLength(3);
    expect(results).toHaveLength(25);
    results.forEach((result, i) => {
      if (i % 6 === 5) {
        expect(result).toMatchObject({ ok: false, cmdlet: 'Get-Mailbox', error: { code: 'CMDLET_ERROR' } });
        if (!result.ok) expect(result.error.message).toContain(`missing-${i}`);
      } else {
        expect(result).toMatchObject({
          ok: true,
          value: [expect.objectContaining({ Name: names[i % names.length] })],
        });
      }
    });
  });
});

describe('EXOModuleFile', () => {
  it('lists the demo admin’s cmdlets, each once', async () => {
    const { client, http } = adminClient(fixture.server);
    const cmdlets = await client.exportedCmdlets();
    expect(cmdlets).toEqual(
      expect.arrayContaining(['Get-Mailbox', 'Set-Mailbox', 'New-Mailbox', 'Get-User']),
    );
    expect(new Set(cmdlets.map((c) => c.toLowerCase())).size).toBe(cmdlets.length);
    expect(http.seen.at(-1)?.path).toBe(
      `/adminapi/v1.0/${fixture.server.tenantId}/EXOModuleFile?Version=3.9.0`,
    );
  });

  it('gives the view-only persona only Get- cmdlets; a write it opts into is the bare 403, a missing role', async () => {
    await using exo = await connect({
      environment: sandboxEnvironment({ server: fixture.server }),
      strategy: 'rest',
      credential: {
        userPrincipalName: SANDBOX_PERSONAS.viewonly.userPrincipalName,
        password: SANDBOX_DEMO_CREDENTIAL.password,
      },
      // Past the command surface, so that the service itself refuses it.
      allowCommands: ['Set-Mailbox'],
      handleSignals: false,
    });
    expect(exo.commands).toContain('Get-Mailbox');
    expect(exo.commands.filter((name) => !name.startsWith('Get-'))).toEqual([]);
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 1 })).toHaveLength(1);
    const refused = await exo
      .invoke('Set-Mailbox', { Identity: 'admin', Office: 'no' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'CMDLET_ERROR',
      details: { reason: 'missing-role' },
      message: 'Set-Mailbox was refused (HTTP 403): the account may not run it.',
    });
    expect((refused as ExoError).remediation).toMatch(/role/i);
  });
});

describe('network failures', () => {
  const fixedToken = () => {
    const token = accessToken('e30.e30.x', fixture.server.tenantId);
    return { get: async () => token, refresh: async () => token, close: () => undefined };
  };

  it('refuses a server whose CA it does not trust: NETWORK_UNREACHABLE naming the host', async () => {
    const http = createRestHttp();
    const client = createAdminApiClient({
      apiUrl: fixture.server.adminUrl,
      tenant: fixture.server.tenantId,
      anchorMailbox: 'UPN:admin@sandbox.exo.localhost',
      connectionId: 'c',
      tokens: fixedToken(),
      http,
    });
    const error = await client.exportedCmdlets().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NETWORK_UNREACHABLE',
      details: { host: new URL(fixture.server.adminUrl).host },
    });
    expect((error as ExoError).message).toMatch(/certificate .* is not trusted/);
    await http.close();
  });

  it('names the host when nothing listens there', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const http = createRestHttp({ caPath: fixture.server.caPath });
    const client = createAdminApiClient({
      apiUrl: `https://127.0.0.1:${port}`,
      tenant: fixture.server.tenantId,
      anchorMailbox: 'UPN:admin@sandbox.exo.localhost',
      connectionId: 'c',
      tokens: fixedToken(),
      http,
    });
    const error = await drain(client.invoke('Get-Mailbox', {})).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NETWORK_UNREACHABLE', details: { host: `127.0.0.1:${port}` } });
    await http.close();
  });
});
