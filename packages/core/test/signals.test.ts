import { fileURLToPath } from 'node:url';
import { type LineChild, startLineChild } from '@exo-connect/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, testTenant } from './sandbox-helpers.js';

// A library user in its own Node process (the built core, handleSignals at its default), so that signals
// reach a real process: the test sends them when the child reports the state it wants.
const FIXTURE = fileURLToPath(new URL('./fixtures/signal-child.mjs', import.meta.url));

interface Line {
  type: string;
  from?: string;
  to?: string;
  count?: number;
  pid?: number;
  code?: string;
}

type Child = LineChild<Line>;

const children: Child[] = [];

function start(tenant: TestTenant, strategy: 'rps' | 'module', mode = 'connect', ownGroup = false): Child {
  const child = startLineChild<Line>(FIXTURE, [strategy, mode], { env: tenant.env, detached: ownGroup });
  children.push(child);
  return child;
}

const entered = (state: string) => (line: Line) => line.type === 'state' && line.to === state;

/** The state the machine left for cleanup: the `from` of its move to disconnecting (or failed). */
function leftFrom(child: Child): string | undefined {
  return child.lines.find((l) => l.type === 'state' && (l.to === 'disconnecting' || l.to === 'failed'))?.from;
}

let tenant: TestTenant;
let big: TestTenant;

beforeAll(async () => {
  tenant = await testTenant(30);
  // Large enough that streaming it takes seconds, so a signal lands mid-stream.
  big = await testTenant(20_000);
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  }
});
afterAll(async () => {
  await tenant?.remove();
  await big?.remove();
});

/** No pwsh host or session server left for the tenant, and the sandbox counts no live session. */
async function noLeaks(t: TestTenant) {
  await expect.poll(() => t.processes(), { interval: 200 }).toEqual([]);
  expect(await t.liveSessions()).toBe(0);
}

// Each test starts a Node process that connects with real pwsh; the machine may be busy with other work.
describe('SIGINT, SIGTERM and SIGHUP in each state disconnect, then end the process with that signal', () => {
  it.each([
    ['policy', 'SIGINT', 'rps', 'connect'],
    ['credential', 'SIGINT', 'rps', 'slow-credential'],
    ['session', 'SIGINT', 'rps', 'connect'],
    ['import', 'SIGINT', 'rps', 'connect'],
    ['ready', 'SIGINT', 'rps', 'connect'],
    ['policy', 'SIGTERM', 'rps', 'connect'],
    ['session', 'SIGTERM', 'module', 'connect'],
    ['ready', 'SIGTERM', 'module', 'connect'],
    // A closed terminal.
    ['import', 'SIGHUP', 'rps', 'connect'],
    ['ready', 'SIGHUP', 'rps', 'connect'],
  ] as const)('%s, %s (%s strategy)', async (state, signal, strategy, mode) => {
    const child = start(tenant, strategy, mode);
    await child.waitFor(entered(state));
    child.process.kill(signal);
    const exit = await child.exit;
    // signals.ts disconnects every live connection, then re-raises the signal with no listener left: the
    // process ends by the signal itself, as it would have without exo-connect.
    expect(exit).toMatchObject({ code: null, signal });
    expect(leftFrom(child)).toBe(state);
    // Cleanup finished before the process ended.
    const last = child.lines.filter((l) => l.type === 'state').at(-1);
    expect(last?.to).toBe(state === 'ready' ? 'disconnected' : 'failed');
    if (state !== 'ready') {
      expect(child.lines).toContainEqual(expect.objectContaining({ type: 'error', code: 'ABORTED' }));
    }
    await noLeaks(tenant);
  });

  it('mid-stream: SIGINT stops the running command, disconnects and ends the process', async () => {
    const child = start(big, 'rps', 'stream');
    await child.waitFor((l) => l.type === 'streamed' && (l.count ?? 0) >= 500);
    child.process.kill('SIGINT');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: null, signal: 'SIGINT' });
    // The stream was stopped (its loop ended with ABORTED), not waited for: a disconnect queued behind it would
    // have let it print stream-done, or the signal handler's 30 s cap would have ended the process first.
    expect(child.lines.some((l) => l.type === 'stream-done')).toBe(false);
    expect(child.lines).toContainEqual(expect.objectContaining({ type: 'error', code: 'ABORTED' }));
    expect(child.lines.filter((l) => l.type === 'state').at(-1)?.to).toBe('disconnected');
    await noLeaks(big);
  });

  it('Ctrl-C in a terminal (SIGINT to the whole process group) still disconnects cleanly', async () => {
    const child = start(tenant, 'rps', 'connect', true);
    await child.waitFor(entered('ready'));
    process.kill(-child.process.pid!, 'SIGINT');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: null, signal: 'SIGINT' });
    // Had the host been stopped by the Ctrl-C too, the disconnect would still be waiting when the signal
    // handler's 30 s cap ended the process.
    expect(child.lines.filter((l) => l.type === 'state').at(-1)?.to).toBe('disconnected');
    await noLeaks(tenant);
  });
});

describe('SIGKILL of the Node process', () => {
  it.each(['ready', 'mid-stream'] as const)(
    'in %s: the pwsh host notices its channel close, removes the session and exits',
    async (when) => {
      const mode = when === 'ready' ? 'connect' : 'stream';
      const t = when === 'ready' ? tenant : big;
      const child = start(t, 'rps', mode);
      if (mode === 'stream') await child.waitFor((l) => l.type === 'streamed' && (l.count ?? 0) >= 500);
      else await child.waitFor(entered('ready'));
      const { pid: hostPid } = await child.waitFor((l) => l.type === 'hostPid');
      const [server, ...others] = t.servers();
      expect(others).toEqual([]);
      expect(t.processes()).toContain(hostPid);
      expect(await t.liveSessions()).toBe(1);
      // When each process ends. The sandbox also frees a slot when the host dies (its server sees stdin close),
      // so only the order shows that the host removed the session itself: then the server ends first.
      const gone: { host?: number; server?: number } = {};
      const watch = setInterval(() => {
        const now = Date.now();
        if (gone.host === undefined && !t.processes().includes(hostPid!)) gone.host = now;
        if (gone.server === undefined && !t.servers().includes(server!)) gone.server = now;
      }, 20);
      try {
        child.process.kill('SIGKILL');
        expect(await child.exit).toMatchObject({ signal: 'SIGKILL' });
        await noLeaks(t);
        await expect.poll(() => gone.host !== undefined && gone.server !== undefined).toBe(true);
      } finally {
        clearInterval(watch);
      }
      expect(gone.server).toBeLessThanOrEqual(gone.host!);
    },
  );
});
