import { getEnvironment } from '@exo-connect/env-endpoints';
import * as sandbox from '@exo-connect/sandbox';
import { waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/connect/connect.js';
import type { ConnectionEvent } from '../src/connect/events.js';
import type { ConnectOptions } from '../src/connect/options.js';
import { ExoError } from '../src/errors/exo-error.js';
import { type TestTenant, testTenant } from './sandbox-helpers.js';

// The rest strategy end to end: connect() against the sandbox's REST face over HTTPS, no pwsh of ours.
let tenant: TestTenant;
let server: Awaited<ReturnType<typeof sandbox.startSandboxServer>>;
let options: (extra?: Partial<ConnectOptions>) => ConnectOptions;

beforeAll(async () => {
  tenant = await testTenant(30);
  server = await sandbox.startSandboxServer({
    directory: tenant.directory,
    workers: 1,
    autoApproveDeviceCodes: true,
  });
  const environment = sandbox.sandboxEnvironment({ server });
  options = (extra = {}) => ({
    environment,
    strategy: 'rest',
    credential: sandbox.SANDBOX_DEMO_CREDENTIAL,
    env: tenant.env,
    handleSignals: false,
    ...extra,
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await tenant?.remove();
});

function recorder() {
  const events: ConnectionEvent[] = [];
  return { events, onEvent: (event: ConnectionEvent) => events.push(event) };
}

describe('connect({ strategy: "rest" })', () => {
  it('walks policy → credential → session → import → ready with no PowerShell host, and disconnects', async () => {
    const { events, onEvent } = recorder();
    const exo = await connect(options({ onEvent }));
    try {
      expect(exo.state).toBe('ready');
      expect(exo.strategy).toBe('rest');
      expect(exo.hostPid).toBeUndefined();
      expect(exo.executionPolicy).toBe('not applicable');
      const states = events.filter((e) => e.type === 'state').map((e) => (e as { to: string }).to);
      expect(states).toEqual(['policy', 'credential', 'session', 'import', 'ready']);
      const credentialDone = events.find(
        (e) => e.type === 'step' && e.step === 'credential' && e.status === 'done',
      );
      expect(credentialDone).toMatchObject({
        detail: expect.stringContaining(sandbox.SANDBOX_DEMO_CREDENTIAL.userPrincipalName),
      });
      const progress = events.filter((e) => e.type === 'progress');
      expect(progress.at(-1)).toMatchObject({ activity: 'Importing cmdlets', percent: 100, completed: true });
      expect(exo.commands).toContain('Get-Mailbox');
      expect(exo.commands).toContain('Set-Mailbox');

      const five = await exo.invoke('Get-Mailbox', { ResultSize: 5 });
      expect(five).toHaveLength(5);
      expect(five[0]).toHaveProperty('PrimarySmtpAddress');
    } finally {
      await exo.disconnect();
    }
    expect(exo.state).toBe('disconnected');
    await expect(exo.invoke('Get-Mailbox', { ResultSize: 1 })).rejects.toMatchObject({
      code: 'SESSION_BROKEN',
    });
  }, 120_000);

  it('streams every mailbox page by page, the same objects invoke() returns, and asks only for the properties wanted', async () => {
    await using exo = await connect(options());
    const all = await exo.invoke<{ Identity: string }>('Get-Mailbox', { ResultSize: 'Unlimited' });
    const streamed: string[] = [];
    for await (const m of exo.stream<{ Identity: string }>('Get-Mailbox', { ResultSize: 'Unlimited' })) {
      streamed.push(m.Identity);
    }
    expect(streamed).toEqual(all.map((m) => m.Identity));
    expect(new Set(streamed).size).toBe(streamed.length);
    expect(streamed.length).toBeGreaterThanOrEqual(30);

    const slim = await exo.invoke('Get-Mailbox', { ResultSize: 3 }, { properties: ['DisplayName', 'Alias'] });
    expect(slim).toHaveLength(3);
    for (const row of slim) expect(Object.keys(row).sort()).toEqual(['Alias', 'DisplayName']);
  }, 120_000);

  it("gives a cmdlet's error its own text, refuses commands the session did not export, and stays usable", async () => {
    await using exo = await connect(options());
    const error = await exo
      .invoke('Get-Mailbox', { Identity: 'no-such-mailbox-4711' })
      .catch((e: unknown) => e);
    expect(ExoError.is(error, 'CMDLET_ERROR')).toBe(true);
    expect((error as ExoError).message).toMatch(/no-such-mailbox-4711/);
    await expect(exo.invoke('Get-Content', { Path: '/etc/passwd' })).rejects.toMatchObject({
      code: 'COMMAND_NOT_ALLOWED',
    });
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 1 })).toHaveLength(1);
  }, 120_000);

  it('applies commandNames and a prefix: Get-ContosoMailbox runs Get-Mailbox', async () => {
    await using exo = await connect(
      options({ commandNames: ['Get-Mailbox', 'Get-User'], prefix: 'Contoso' }),
    );
    expect(exo.commands).toEqual(['Get-ContosoMailbox', 'Get-ContosoUser']);
    expect(await exo.invoke('Get-ContosoMailbox', { ResultSize: 2 })).toHaveLength(2);
    await expect(exo.invoke('Get-Mailbox', { ResultSize: 1 })).rejects.toMatchObject({
      code: 'COMMAND_NOT_ALLOWED',
    });
  }, 120_000);

  it('writes through REST and reads back, and batch() returns one result per item in order', async () => {
    await using exo = await connect(options());
    const [first] = await exo.invoke<{ Identity: string }>('Get-Mailbox', { ResultSize: 1 });
    await exo.invoke('Set-Mailbox', { Identity: first!.Identity, CustomAttribute1: 'rest-write' });
    const items = [
      ...Array.from({ length: 11 }, () => ({
        cmdlet: 'Get-Mailbox',
        parameters: { Identity: first!.Identity },
      })),
      { cmdlet: 'Get-Mailbox', parameters: { Identity: 'no-such-mailbox-4712' } },
    ];
    const results = await exo.batch(items);
    expect(results).toHaveLength(12);
    for (const result of results.slice(0, 11)) {
      expect(result).toMatchObject({ ok: true, cmdlet: 'Get-Mailbox' });
      if (result.ok) expect(result.value[0]).toMatchObject({ CustomAttribute1: 'rest-write' });
    }
    expect(results[11]).toMatchObject({ ok: false, error: { code: 'CMDLET_ERROR' } });
    await expect(exo.batch([{ cmdlet: 'Remove-Item' }])).rejects.toMatchObject({
      code: 'COMMAND_NOT_ALLOWED',
    });
  }, 120_000);

  it('signs in with a device code: the sign-in text arrives as an information event', async () => {
    const { events, onEvent } = recorder();
    await using exo = await connect(options({ credential: { kind: 'device' }, onEvent }));
    const info = events
      .filter((e) => e.type === 'information')
      .map((e) => (e as { message: string }).message);
    expect(info.join('\n')).toMatch(/To sign in, use a web browser/);
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 1 })).toHaveLength(1);
  }, 120_000);

  it("keeps a device code sign-in in the caller's token cache: the next connect signs in silently", async () => {
    let kept: string | undefined;
    const writes: string[] = [];
    const store = {
      read: async () => kept,
      write: async (data: string) => {
        writes.push(data);
        kept = data;
      },
    };
    const first = recorder();
    {
      await using exo = await connect(
        options({ credential: { kind: 'device' }, tokenCache: store, onEvent: first.onEvent }),
      );
      expect(await exo.invoke('Get-Mailbox', { ResultSize: 1 })).toHaveLength(1);
    }
    expect(first.events.some((e) => e.type === 'information')).toBe(true);
    expect(kept).toContain('RefreshToken');
    // The refresh token stays in the store: no event carries it.
    const refreshTokens = Object.values(JSON.parse(kept!).RefreshToken as Record<string, { secret: string }>);
    expect(refreshTokens.length).toBeGreaterThan(0);
    for (const { secret } of refreshTokens) expect(JSON.stringify(first.events)).not.toContain(secret);

    const second = recorder();
    await using again = await connect(
      options({ credential: { kind: 'device' }, tokenCache: store, onEvent: second.onEvent }),
    );
    expect(second.events.filter((e) => e.type === 'information')).toEqual([]);
    expect(
      second.events.find((e) => e.type === 'step' && e.step === 'credential' && e.status === 'done'),
    ).toMatchObject({
      detail: expect.stringContaining(sandbox.SANDBOX_DEMO_CREDENTIAL.userPrincipalName),
    });
    expect(await again.invoke('Get-Mailbox', { ResultSize: 1 })).toHaveLength(1);

    // A store that cannot be read costs the silent sign-in, with a warning; the connect still succeeds.
    const broken = recorder();
    await using fresh = await connect(
      options({
        credential: { kind: 'device' },
        tokenCache: { read: async () => Promise.reject(new Error('locked')), write: async () => undefined },
        onEvent: broken.onEvent,
      }),
    );
    expect(fresh.state).toBe('ready');
    expect(
      broken.events.some((e) => e.type === 'warning' && /token cache could not be read/.test(e.message)),
    ).toBe(true);
    expect(broken.events.some((e) => e.type === 'information')).toBe(true);
  }, 120_000);

  it("passes on a renewal's token-cache warning with the next command", async () => {
    // Tokens of 4 s, renewed at half their life.
    const short = await sandbox.startSandboxServer({
      directory: tenant.directory,
      workers: 1,
      lifetimes: { accessTokenSeconds: 4 },
    });
    try {
      // A store that keeps nothing it is given and refuses every save after the first: the connection still
      // renews its tokens (from the cache the plugin kept), and says the save failed.
      let saves = 0;
      const store = {
        read: async () => undefined,
        write: async () => {
          saves++;
          if (saves > 1) throw new Error('locked');
        },
      };
      const seen = recorder();
      await using exo = await connect(
        options({
          environment: sandbox.sandboxEnvironment({ server: short }),
          tokenCache: store,
          onEvent: seen.onEvent,
        }),
      );
      const warned = () =>
        seen.events.some((e) => e.type === 'warning' && /token cache could not be saved/.test(e.message));
      expect(warned()).toBe(false);
      // Each call asks for the token; one past half its life renews it, and the failed save comes out.
      const came = await waitFor(
        async () => {
          await exo.invoke('Get-Mailbox', { ResultSize: 1 });
          return warned();
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(came).toBe(true);
      expect(saves).toBeGreaterThan(1);
    } finally {
      await short.stop();
    }
  }, 120_000);

  it('signs in app-only with a client secret', async () => {
    const app = await sandbox.createSandboxApp({
      directory: tenant.directory,
      displayName: 'rest-connect',
      withSecret: true,
    });
    await using exo = await connect(
      options({
        credential: {
          kind: 'clientSecret',
          appId: app.clientId,
          organization: server.organization,
          clientSecret: app.secret!,
        },
      }),
    );
    expect(exo.commands).toContain('Get-Mailbox');
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 1 })).toHaveLength(1);
  }, 120_000);

  it('fails with the stable codes and leaves nothing behind: a wrong password, no credential, no REST endpoint', async () => {
    const wrong = await connect(
      options({
        credential: {
          userPrincipalName: sandbox.SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
          password: 'not-the-password',
        },
      }),
    ).catch((e: unknown) => e);
    expect(ExoError.is(wrong, 'AUTH_FAILED')).toBe(true);
    expect(JSON.stringify(wrong)).not.toContain('not-the-password');

    await expect(connect(options({ credential: undefined }))).rejects.toMatchObject({
      code: 'CREDENTIAL_MISSING',
    });

    const onPrem = await connect({
      environment: getEnvironment('exchange-server'),
      connectionUri: 'http://127.0.0.1:9/PowerShell/',
      strategy: 'rest',
      credential: sandbox.SANDBOX_DEMO_CREDENTIAL,
      handleSignals: false,
    }).catch((e: unknown) => e);
    expect(ExoError.is(onPrem, 'INVALID_ARGUMENT')).toBe(true);
    expect((onPrem as ExoError).remediation).toMatch(/rps strategy/);
  }, 120_000);
});
