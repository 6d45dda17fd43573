import { SANDBOX_DEMO_CREDENTIAL } from '@exo-connect/sandbox';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/connect/connect.js';
import type { Connection } from '../src/connect/connection.js';
import type { ConnectionEvent } from '../src/connect/events.js';
import { type TestTenant, testTenant } from './sandbox-helpers.js';

let tenant: TestTenant;
const open: Connection[] = [];

beforeAll(async () => {
  tenant = await testTenant(30);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect()));
});
afterAll(async () => {
  await tenant?.remove();
});

/** No pwsh host or session server left for this tenant, and the sandbox counts no live session. */
async function noLeaks() {
  await expect.poll(() => tenant.processes(), { interval: 200 }).toEqual([]);
  expect(await tenant.liveSessions()).toBe(0);
}

describe.each(['rps', 'module'] as const)('connect with the %s strategy', (strategy) => {
  it('walks policy → credential → session → import → ready, runs cmdlets and disconnects cleanly', async () => {
    const events: ConnectionEvent[] = [];
    const exo = await connect(tenant.options({ strategy, onEvent: (e) => events.push(e) }));
    open.push(exo);
    expect(exo.state).toBe('ready');
    expect(exo.strategy).toBe(strategy);
    expect(events.filter((e) => e.type === 'state').map((e) => (e as { to: string }).to)).toEqual([
      'policy',
      'credential',
      'session',
      'import',
      'ready',
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'step', step: 'policy', status: 'not-applicable' }),
    );
    if (strategy === 'rps') {
      // The real Import-PSSession progress records, forwarded.
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'progress', activity: expect.stringContaining('implicit remoting') }),
      );
    }
    expect(tenant.servers()).toHaveLength(1);
    expect(await tenant.liveSessions()).toBe(1);

    const five = await exo.invoke<{ PrimarySmtpAddress: string }>('Get-Mailbox', { ResultSize: 5 });
    expect(five).toHaveLength(5);
    expect(five[0]!.PrimarySmtpAddress).toBe('admin@sandbox.exo.localhost');

    let streamed = 0;
    for await (const mailbox of exo.stream<{ Alias: string }>('Get-Mailbox', { ResultSize: 'Unlimited' })) {
      expect(mailbox.Alias).toEqual(expect.any(String));
      streamed++;
    }
    expect(streamed).toBeGreaterThanOrEqual(30);

    await exo.disconnect();
    expect(exo.state).toBe('disconnected');
    await noLeaks();
  });
});

describe('failures map to stable codes', () => {
  it.each([
    [
      'a wrong password',
      'rps',
      { userPrincipalName: SANDBOX_DEMO_CREDENTIAL.userPrincipalName, password: 'wrong' },
      'AUTH_FAILED',
    ],
    [
      'an account not enabled for remote PowerShell',
      'rps',
      { userPrincipalName: 'norps@sandbox.exo.localhost', password: SANDBOX_DEMO_CREDENTIAL.password },
      'RPS_ACCESS_DISABLED',
    ],
    [
      'a federated account whose IdP is unreachable',
      'rps',
      {
        userPrincipalName: 'federated@federated.sandbox.exo.localhost',
        password: SANDBOX_DEMO_CREDENTIAL.password,
      },
      'FEDERATED_AUTH_UNAVAILABLE',
    ],
    [
      'an MFA account signing in with a password',
      'module',
      { userPrincipalName: 'mfa@sandbox.exo.localhost', password: SANDBOX_DEMO_CREDENTIAL.password },
      'MFA_REQUIRED',
    ],
  ] as const)('%s → %s', async (_, strategy, credential, code) => {
    const error = await connect(tenant.options({ strategy, credential })).catch((e) => e);
    expect(error).toMatchObject({ code, remediation: expect.any(String) });
    expect(JSON.stringify(error)).not.toContain(SANDBOX_DEMO_CREDENTIAL.password);
    await noLeaks();
  });

  it('refuses bad options with INVALID_ARGUMENT naming the field', async () => {
    await expect(connect(tenant.options({ timeouts: { session: -1 } }))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'timeouts.session' },
    });
    await expect(connect({ ...tenant.options(), environment: 'mars' })).rejects.toMatchObject({
      code: 'UNKNOWN_ENVIRONMENT',
    });
    await expect(connect({ ...tenant.options(), environment: 'germany' })).rejects.toMatchObject({
      code: 'ENVIRONMENT_RETIRED',
    });
  });

  it('reports a missing credential before opening anything', async () => {
    await expect(connect(tenant.options({ credential: undefined }))).rejects.toMatchObject({
      code: 'CREDENTIAL_MISSING',
    });
    await noLeaks();
  });

  it('reconnects once for a read when the session server is killed, then reports SESSION_BROKEN', async () => {
    const states: string[] = [];
    const exo = await connect(tenant.options({ onEvent: (e) => e.type === 'state' && states.push(e.to) }));
    open.push(exo);
    const killServers = async () => {
      const servers = tenant.servers();
      expect(servers).toHaveLength(1);
      for (const pid of servers) process.kill(pid, 'SIGKILL');
      await expect.poll(() => tenant.servers(), { interval: 100 }).toEqual([]);
      // Let the client's transport notice the closed pipe, as it would after a network drop.
      await new Promise((resolve) => setTimeout(resolve, 500));
    };
    await killServers();
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 1 })).toHaveLength(1);
    // ready → session → import → ready: the one transparent reconnect.
    expect(states.slice(5)).toEqual(['session', 'import', 'ready']);
    await killServers();
    await expect(exo.invoke('Get-Mailbox', { ResultSize: 1 })).rejects.toMatchObject({
      code: 'SESSION_BROKEN',
    });
    await exo.disconnect();
    await noLeaks();
  });

  it('reports SESSION_BROKEN for a write on a broken session instead of retrying it', async () => {
    const exo = await connect(tenant.options());
    open.push(exo);
    for (const pid of tenant.servers()) process.kill(pid, 'SIGKILL');
    await expect.poll(() => tenant.servers(), { interval: 100 }).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(exo.invoke('Set-Mailbox', { Identity: 'admin', DisplayName: 'x' })).rejects.toMatchObject({
      code: 'SESSION_BROKEN',
    });
    await exo.disconnect();
    await noLeaks();
  });
});

describe('limits, aborts and timeouts', () => {
  it('queues 10 concurrent connects for one account: never more than 3 sessions, all complete', async () => {
    let peak = 0;
    const watcher = setInterval(() => {
      peak = Math.max(peak, tenant.servers().length);
    }, 100);
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const exo = await connect(tenant.options());
          try {
            const [row] = await exo.invoke<{ Alias: string }>('Get-Mailbox', { ResultSize: 1 });
            return `${i}:${row!.Alias}`;
          } finally {
            await exo.disconnect();
          }
        }),
      );
      expect(results).toHaveLength(10);
    } finally {
      clearInterval(watcher);
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(3);
    await noLeaks();
  });

  it('gets the real MaxConcurrency refusal when the limiter is raised past the service limit', async () => {
    const options = tenant.options({ maxSessionsPerAccount: 10 });
    const three = await Promise.all([connect(options), connect(options), connect(options)]);
    open.push(...three);
    const error = await connect(options).catch((e) => e);
    expect(error).toMatchObject({ code: 'SESSION_LIMIT' });
    expect(error.message).toContain('maximum number of connections allowed : 3');
    await three[0]!.disconnect();
    const fourth = await connect(options);
    open.push(fourth);
    expect(fourth.state).toBe('ready');
  });

  it.each(['policy', 'credential', 'session', 'import', 'ready'] as const)(
    'an abort in %s fails with ABORTED and leaves no session and no process',
    async (state) => {
      const controller = new AbortController();
      const onEvent = (e: ConnectionEvent) => {
        if (e.type === 'state' && e.to === state) setTimeout(() => controller.abort(), 50);
      };
      const attempt = connect(tenant.options({ signal: controller.signal, onEvent }));
      if (state === 'ready') {
        const exo = await attempt;
        await expect.poll(() => exo.state).toBe('failed');
      } else {
        await expect(attempt).rejects.toMatchObject({ code: 'ABORTED' });
      }
      await noLeaks();
    },
  );

  it('a command timeout stops the command, and the connection stays usable', async () => {
    const exo = await connect(tenant.options({ timeouts: { command: 500 }, allowCommands: ['Start-Sleep'] }));
    open.push(exo);
    // The first call of an imported cmdlet builds its implicit-remoting proxy (about 2 s on a busy machine):
    // do it before timing anything against the 500 ms default.
    await exo.invoke('Get-Mailbox', { ResultSize: 1 }, { timeoutMs: 60_000 });
    // The bounds are the sleep's own length, not a guess at the machine's speed: a stopped sleep returns long
    // before it, however busy the machine; one that kept running could not.
    const sleepMs = 120_000;
    const started = Date.now();
    await expect(exo.invoke('Start-Sleep', { Seconds: sleepMs / 1000 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect(Date.now() - started).toBeLessThan(sleepMs);
    // Had the sleep kept running, this would queue behind it until the sleep ends.
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 1 }, { timeoutMs: sleepMs })).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(sleepMs);
  });

  it('a step timeout fails with TIMEOUT and releases everything', async () => {
    await expect(connect(tenant.options({ timeouts: { import: 1 } }))).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    await noLeaks();
  });
});

describe('values travel as data', () => {
  it('New-Mailbox and Get-Mailbox return any display name unchanged', async () => {
    const exo = await connect(tenant.options());
    open.push(exo);
    let n = 0;
    const names = fc
      .oneof(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }),
        fc.constantFrom(
          "O'Brien",
          '‘x’ ‚y‛',
          '“q” „r”',
          '$(Remove-Mailbox admin)',
          '`n`t`$x',
          'a;b|c&d',
          'line1\nline2',
          '𝄞😀 non-BMP',
        ),
      )
      .filter((s) => s.trim().length > 0 && s.length <= 256);
    await fc.assert(
      fc.asyncProperty(names, async (displayName) => {
        const alias = `fc${Date.now().toString(36)}${n++}`;
        await exo.invoke('New-Mailbox', {
          Shared: true,
          Name: alias,
          Alias: alias,
          DisplayName: displayName,
        });
        const [back] = await exo.invoke<{ DisplayName: string }>('Get-Mailbox', { Identity: alias });
        expect(back!.DisplayName).toBe(displayName);
      }),
      { numRuns: 40 },
    );
    // The admin mailbox survived every value.
    expect(await exo.invoke('Get-Mailbox', { Identity: 'admin' })).toHaveLength(1);
  });
});
