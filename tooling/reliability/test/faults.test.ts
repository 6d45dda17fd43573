/**
 * Leaks and faults: every fault in every state of the machine (policy, credential, session, import, ready,
 * and while a stream runs), each a test. After each one: no sandbox session once cleanup is due, no process
 * of the test's tenant left, the typed error the caller should see, and the tenant's data unchanged (the
 * sandbox's own integrity check, the mailbox count, and the bytes of every data file).
 *
 * The cases run in three lanes, each on its own tenant, so the slow ones (a killed session server makes
 * PowerShell wait its 60-second close timeout) overlap with the rest; inside a lane they run one by one.
 * Results go to results/faults.json for the report.
 */
import { type Connection, type ConnectOptions, connect } from '@exo-connect/core';
import { SANDBOX_DEMO_CREDENTIAL } from '@exo-connect/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, type TestTenant, waitFor, writeResult } from './support/common.js';
import { canMount, fullDiskCopy, makeReadOnly, readOnlyMechanism } from './support/fault-fs.js';
import {
  aftermath,
  type Baseline,
  baseline,
  codeOf,
  type FaultRecord,
  type FaultState,
  hostsOf,
  outcome,
  StateLog,
  seen,
  sleep,
  startChild,
  type TenantView,
  tenantAt,
} from './support/fault-harness.js';

const CONNECT_STATES = ['policy', 'credential', 'session', 'import'] as const;
/** Enough mailboxes that a stream of them all is still running in pwsh while the consumer reads the first. */
const MAILBOXES = 4_000;
/**
 * How long the sandbox waits for its tenant lock before it gives up (TenantLock.DefaultTimeout). A fault that
 * "fails at once" fails well before a lock wait could end: the bound comes from the sandbox, not from how fast
 * this machine happens to be.
 */
const LOCK_WAIT_MS = 60_000;
const records: FaultRecord[] = [];
const started = Date.now();

interface Lane {
  tenant: TestTenant;
  before: Baseline;
  /** Connections a case opened; each is disconnected before the aftermath is taken. */
  open: Connection[];
}

interface Observed {
  code: string;
  note?: string;
  /** When the fault was made on another tenant (a copy on a full disk): check that one. */
  tenant?: TenantView;
  before?: Baseline;
  cleanup?: () => Promise<void>;
}

interface FaultCase {
  state: FaultState;
  kind: string;
  fault: string;
  expected: string;
  run(lane: Lane): Promise<Observed>;
  /** How long cleanup may take after the fault (default 20 s). */
  cleanupMs?: number;
  /** A bug outside this suite's reach that makes the case fail today; it is run with it.fails. */
  knownBug?: string;
}

/** A credential provider that answers after `ms`, as a prompt or a vault would: the credential state lasts. */
const slowCredential =
  (ms = 2_000) =>
  () =>
    sleep(ms).then(() => SANDBOX_DEMO_CREDENTIAL);

async function open(lane: Lane, extra: Partial<ConnectOptions> = {}): Promise<Connection> {
  const exo = await connect(lane.tenant.options(extra));
  lane.open.push(exo);
  return exo;
}

/**
 * Streams every mailbox, 20 ms per object (pwsh waits on backpressure meanwhile), runs `inject` at the fifth,
 * then reads the rest at full speed. Resolves with the code the stream ended with and the count read.
 */
async function streamWith(
  exo: Connection,
  inject: () => void | Promise<void>,
  options: { timeoutMs?: number } = {},
): Promise<{ code: string; count: number }> {
  let count = 0;
  let code = 'none';
  try {
    for await (const _ of exo.stream('Get-Mailbox', { ResultSize: 'Unlimited' }, options)) {
      count++;
      if (count === 5) await inject();
      if (count <= 5) await sleep(20);
    }
  } catch (error) {
    code = codeOf(error);
  }
  expect(count, 'the fault struck while the stream ran').toBeGreaterThanOrEqual(5);
  return { code, count };
}

/** Starts connect() and runs `inject` once the machine is in `state`. */
async function connectAndInject(
  lane: Lane,
  state: FaultState,
  extra: Partial<ConnectOptions>,
  inject: () => void | Promise<void>,
): Promise<{ code: string; log: StateLog }> {
  const log = new StateLog();
  const attempt = connect(
    lane.tenant.options({
      ...(state === 'credential' ? { credential: slowCredential() } : {}),
      ...extra,
      onEvent: log.onEvent,
    }),
  ).then((exo) => {
    lane.open.push(exo);
  });
  attempt.catch(() => undefined);
  await log.entered(state);
  await inject();
  return { code: await outcome(attempt), log };
}

/** The machine left `state` for cleanup, i.e. the fault struck while it was in that state. */
function expectLeftForCleanup(log: StateLog, state: string): void {
  expect(['disconnecting', 'failed'], `path ${log.path}`).toContain(log.left(state));
}

// ---- lane 1: abort, timeout, thrown errors, full and read-only tenant directories ----

function abortCase(state: FaultState): FaultCase {
  return {
    state,
    kind: 'abort',
    fault: 'abort (AbortSignal)',
    // Ready: nothing is running, so the caller meets the aborted connection at its next command.
    expected: state === 'ready' ? 'SESSION_BROKEN' : 'ABORTED',
    async run(lane) {
      const controller = new AbortController();
      if (state === 'ready' || state === 'mid-stream') {
        const exo = await open(lane, { signal: controller.signal });
        if (state === 'ready') {
          controller.abort();
          await waitFor(() => exo.state === 'failed', { timeoutMs: 15_000 });
          expect(exo.state).toBe('failed');
          return { code: await outcome(exo.invoke('Get-Mailbox', { ResultSize: 1 })) };
        }
        const { code, count } = await streamWith(exo, () => controller.abort());
        // Aborting the connection stops the command it runs, not just what follows it.
        expect(count, 'objects read after the abort').toBeLessThan(MAILBOXES);
        return { code, note: `${count} objects read` };
      }
      const { code, log } = await connectAndInject(lane, state, { signal: controller.signal }, async () => {
        await sleep(50);
        controller.abort();
      });
      expectLeftForCleanup(log, state);
      return { code };
    },
  };
}

function timeoutCase(state: FaultState): FaultCase {
  return {
    state,
    kind: 'timeout',
    fault:
      state === 'ready' || state === 'mid-stream' ? 'command timeout' : `step timeout (timeouts.${state})`,
    expected: 'TIMEOUT',
    async run(lane) {
      if (state === 'ready') {
        const exo = await open(lane, { timeouts: { command: 1_000 }, allowCommands: ['Start-Sleep'] });
        const began = Date.now();
        const code = await outcome(exo.invoke('Start-Sleep', { Seconds: 30 }));
        // Bounded by the sleep itself, not by a guess at the machine's speed.
        expect(Date.now() - began, 'the command was stopped, not waited for').toBeLessThan(30_000);
        // The connection survives a command's timeout (this one is given more time than the default).
        expect(await exo.invoke('Get-Mailbox', { ResultSize: 1 }, { timeoutMs: 60_000 })).toHaveLength(1);
        return { code };
      }
      if (state === 'mid-stream') {
        const exo = await open(lane);
        // The consumer stalls after the fifth object until the command's 8 s are up.
        const began = Date.now();
        const { code, count } = await streamWith(
          exo,
          () => sleep(Math.max(0, 8_500 - (Date.now() - began))),
          {
            timeoutMs: 8_000,
          },
        );
        expect(count).toBeLessThan(MAILBOXES);
        expect(await exo.invoke('Get-Mailbox', { ResultSize: 1 })).toHaveLength(1);
        return { code, note: `${count} objects read` };
      }
      // Every step takes longer than 300 ms: a pwsh start, a credential prompt, New-PSSession, Import-PSSession.
      const { code, log } = await connectAndInject(
        lane,
        state,
        { timeouts: { [state]: 300 } },
        () => undefined,
      );
      expectLeftForCleanup(log, state);
      return { code };
    },
  };
}

function thrownCase(state: FaultState): FaultCase {
  if (state === 'credential') {
    return {
      state,
      kind: 'thrown error',
      fault: 'thrown error (credential provider throws)',
      expected: 'CREDENTIAL_MISSING',
      async run(lane) {
        const { code, log } = await connectAndInject(
          lane,
          state,
          {
            credential: async () => {
              await sleep(200);
              throw new Error('the vault is locked');
            },
          },
          () => undefined,
        );
        expectLeftForCleanup(log, state);
        return { code };
      },
    };
  }
  if (state === 'mid-stream') {
    return {
      state,
      kind: 'thrown error',
      fault: 'thrown error (the consumer throws mid-stream)',
      // The consumer's own error reaches it unchanged; the engine stops the command and stays usable.
      expected: 'none',
      async run(lane) {
        const exo = await open(lane);
        const mine = new Error('the consumer gave up');
        const { code } = await streamWith(exo, () => {
          throw mine;
        });
        expect(code, 'the consumer gets its own error back').toBe('untyped');
        const began = Date.now();
        const next = await outcome(exo.invoke('Get-Mailbox', { ResultSize: 1 }));
        expect(Date.now() - began, 'the next command does not wait for the abandoned one').toBeLessThan(
          10_000,
        );
        return { code: next, note: 'code of the next command on the same connection' };
      },
    };
  }
  return {
    state,
    kind: 'thrown error',
    fault: 'thrown error (onEvent listener throws)',
    // A listener's failure must never break the connection.
    expected: 'none',
    async run(lane) {
      const log = new StateLog();
      let thrown = 0;
      let armed = false;
      const onEvent: ConnectOptions['onEvent'] = (event) => {
        log.onEvent(event);
        if (event.type === 'state' && event.to === state) armed = true;
        if (armed) {
          thrown++;
          throw new Error('listener failure');
        }
      };
      const exo = await open(lane, { onEvent });
      if (state === 'ready') armed = true;
      expect(log.path).toBe('idle→policy→credential→session→import→ready');
      // More results than asked for: the server warns, and the listener throws on that warning too.
      const rows = await exo.invoke('Get-Mailbox', { ResultSize: 5 });
      expect(rows).toHaveLength(5);
      expect(thrown, 'the listener threw').toBeGreaterThan(0);
      return { code: 'none', note: `listener threw ${thrown} times` };
    },
  };
}

const diskCases: FaultCase[] = [
  {
    state: 'session',
    kind: 'full disk',
    fault: 'full tenant directory (ENOSPC)',
    expected: 'CMDLET_ERROR',
    async run(lane) {
      const disk = await fullDiskCopy(lane.tenant.directory);
      const view = tenantAt(disk.directory);
      const before = await baseline(view);
      await disk.fill();
      expect(await disk.free()).toBe(0);
      const began = Date.now();
      const code = await outcome(connect(view.options()));
      expect(Date.now() - began, 'a full disk fails at once').toBeLessThan(LOCK_WAIT_MS);
      return { code, tenant: view, before, cleanup: () => disk.remove() };
    },
  },
  {
    state: 'ready',
    kind: 'full disk',
    fault: 'full tenant directory (ENOSPC) on a write',
    expected: 'CMDLET_ERROR',
    async run(lane) {
      const disk = await fullDiskCopy(lane.tenant.directory);
      const view = tenantAt(disk.directory);
      const before = await baseline(view);
      const exo = await connect(view.options());
      lane.open.push(exo);
      await disk.fill();
      const code = await outcome(
        exo.invoke('New-Mailbox', { Shared: true, Name: 'full-disk', Alias: 'fulldisk' }),
      );
      // Reads go on; the refused write left nothing behind (checked by the aftermath).
      expect(await exo.invoke('Get-Mailbox', { ResultSize: 2 })).toHaveLength(2);
      return { code, tenant: view, before, cleanup: () => disk.remove() };
    },
  },
  {
    state: 'ready',
    kind: 'read-only shards',
    fault: 'read-only shard files on a write',
    expected: 'CMDLET_ERROR',
    async run(lane) {
      const exo = await open(lane);
      const restore = await makeReadOnly(`${lane.tenant.directory}/recipients`);
      try {
        const began = Date.now();
        const code = await outcome(exo.invoke('Set-Mailbox', { Identity: 'admin', Office: 'read-only' }));
        expect(Date.now() - began).toBeLessThan(LOCK_WAIT_MS);
        expect(await exo.invoke('Get-Mailbox', { ResultSize: 2 })).toHaveLength(2);
        return { code };
      } finally {
        await restore();
      }
    },
  },
];

// ---- lane 2: signals to a Node process that uses the engine ----

function signalCase(state: FaultState, signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): FaultCase {
  return {
    state,
    kind: signal,
    fault: `${signal} to the Node process`,
    // SIGKILL leaves Node no chance to report anything: the pwsh host cleans up when its channel closes.
    expected: signal === 'SIGKILL' || state === 'ready' ? 'none' : 'ABORTED',
    async run(lane) {
      const child = startChild(lane.tenant.env, state);
      try {
        if (state === 'ready') await child.waitFor((l) => l.type === 'ready');
        else if (state === 'mid-stream') await child.waitFor((l) => l.type === 'streaming');
        else {
          await child.waitFor((l) => l.type === 'state' && l.to === state);
          await sleep(50);
        }
        child.process.kill(signal);
        // The engine waits up to 30 s for its disconnects; the bound here only ends a hang.
        const exit = await Promise.race([child.exit, sleep(120_000).then(() => undefined)]);
        expect(exit, `the process ended; lines ${JSON.stringify(child.lines)}`).toBeDefined();
        // The engine lets the signal do what it would have done: the process ends by it.
        expect(exit!.signal, child.stderr()).toBe(signal);
        if (signal !== 'SIGKILL') {
          // …after disconnecting itself.
          expect(['disconnected', 'failed']).toContain(child.log.transitions.at(-1)?.to);
          const from = state === 'mid-stream' ? 'ready' : state;
          expect(['disconnecting', 'failed'], child.log.path).toContain(child.log.left(from));
        }
        const error = child.lines.find((l) => l.type === 'error');
        if (error) seen.getStore()?.push(`${error.code}: ${error.message}`);
        return { code: error ? (error.code ?? 'untyped') : 'none' };
      } finally {
        child.process.kill('SIGKILL');
      }
    },
  };
}

// ---- lane 3: the pwsh host and the sandbox's session server killed ----

async function killWhenFound(find: () => number[], delayMs = 0): Promise<number> {
  await waitFor(() => find().length > 0, { timeoutMs: 30_000 });
  const pids = find();
  expect(pids.length, 'process to kill').toBeGreaterThan(0);
  if (delayMs) await sleep(delayMs);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  return pids.length;
}

function hostKilledCase(state: FaultState): FaultCase {
  return {
    state,
    kind: 'pwsh host killed',
    fault: 'pwsh host killed (SIGKILL)',
    expected: 'SESSION_BROKEN',
    async run(lane) {
      if (state === 'ready' || state === 'mid-stream') {
        const exo = await open(lane, { allowCommands: ['Start-Sleep'] });
        const pid = exo.hostPid!;
        let code: string;
        if (state === 'ready') {
          const running = outcome(exo.invoke('Start-Sleep', { Seconds: 30 }));
          await sleep(300);
          process.kill(pid, 'SIGKILL');
          code = await running;
        } else {
          code = (
            await streamWith(exo, () => {
              process.kill(pid, 'SIGKILL');
            })
          ).code;
        }
        // The connection knows its host is gone: it does not claim to be ready.
        await waitFor(() => exo.state === 'failed', { timeoutMs: 15_000 });
        expect(exo.state).toBe('failed');
        return { code };
      }
      const { code, log } = await connectAndInject(lane, state, {}, async () => {
        await killWhenFound(() => hostsOf(lane.tenant), state === 'policy' ? 0 : 100);
      });
      // Killed while the credential prompt waits: the session step is the first to need the host.
      expectLeftForCleanup(log, state === 'credential' ? 'session' : state);
      return { code };
    },
  };
}

function serverKilledCase(state: FaultState): FaultCase {
  return {
    state,
    kind: 'session server killed',
    fault: 'sandbox session server (pwsh -s) killed',
    // Ready and idle: the next read reconnects once, transparently, and answers.
    expected: state === 'ready' ? 'none' : 'SESSION_BROKEN',
    // PowerShell gives up on a server that died during a command after its 60-second close timeout.
    cleanupMs: 90_000,
    async run(lane) {
      if (state === 'ready') {
        const exo = await open(lane);
        await killWhenFound(() => lane.tenant.servers());
        await waitFor(() => lane.tenant.servers().length === 0);
        await sleep(500);
        const rows = await exo.invoke('Get-Mailbox', { ResultSize: 1 }).catch((error: unknown) => error);
        expect(rows).toHaveLength(1);
        return { code: 'none' };
      }
      if (state === 'mid-stream') {
        const exo = await open(lane);
        const { code, count } = await streamWith(exo, async () => {
          await killWhenFound(() => lane.tenant.servers());
        });
        return { code, note: `${count} objects read` };
      }
      const { code, log } = await connectAndInject(lane, state, {}, async () => {
        await killWhenFound(() => lane.tenant.servers());
      });
      expectLeftForCleanup(log, state);
      return { code };
    },
  };
}

// ---- the matrix ----

const mechanism = await readOnlyMechanism();
const mountable = await canMount();

const readOnlyTenant: FaultCase = {
  state: 'session',
  kind: 'read-only tenant',
  fault: `read-only tenant directory (${mechanism === 'bind-mount' ? 'EROFS' : 'EACCES'})`,
  expected: 'CMDLET_ERROR',
  async run(lane) {
    const restore = await makeReadOnly(lane.tenant.directory);
    try {
      const log = new StateLog();
      let sessionAt = 0;
      // The session step is bounded below the lock's wait: a read-only tenant must fail at once, not wait
      // for a lock (which would end in TIMEOUT), on a busy machine as well.
      const attempt = connect(
        lane.tenant.options({
          timeouts: { session: LOCK_WAIT_MS - 10_000 },
          onEvent: (event) => {
            log.onEvent(event);
            if (event.type === 'state' && event.to === 'session') sessionAt = Date.now();
          },
        }),
      );
      const code = await outcome(attempt);
      expectLeftForCleanup(log, 'session');
      expect(Date.now() - sessionAt, 'a read-only tenant fails at once').toBeLessThan(LOCK_WAIT_MS - 10_000);
      return { code };
    } finally {
      await restore();
    }
  },
};

const lanes = new Map<string, Lane>();

const ALL_STATES = [...CONNECT_STATES, 'ready', 'mid-stream'] as const;

// The three cases where PowerShell waits 60 s for a dead session server go one to a lane, so they overlap.
const LANES: Record<string, FaultCase[]> = {
  'in-process': [
    ...ALL_STATES.map(abortCase),
    ...ALL_STATES.map(timeoutCase),
    ...ALL_STATES.map(thrownCase),
    ...(mountable ? diskCases : diskCases.slice(2)),
    readOnlyTenant,
    serverKilledCase('session'),
  ],
  signals: [
    ...(['SIGINT', 'SIGTERM', 'SIGKILL'] as const).flatMap((signal) =>
      ALL_STATES.map((state) => signalCase(state, signal)),
    ),
    serverKilledCase('import'),
  ],
  killed: [...ALL_STATES.map(hostKilledCase), serverKilledCase('ready'), serverKilledCase('mid-stream')],
};

async function runCase(lane: Lane, c: FaultCase): Promise<void> {
  const began = Date.now();
  let observed: Observed | undefined;
  let failure: unknown;
  const errors: string[] = [];
  try {
    observed = await seen.run(errors, () => c.run(lane));
  } catch (error) {
    failure = error;
  } finally {
    await Promise.allSettled(lane.open.splice(0).map((exo) => exo.disconnect()));
  }
  const view = observed?.tenant ?? lane.tenant;
  const after = await aftermath(view, observed?.before ?? lane.before, c.cleanupMs);
  await observed?.cleanup?.();
  // A case that failed an expectation of its own still saw a code: the last error it met.
  const code = observed?.code ?? errors.at(-1)?.split(':')[0] ?? 'error';
  const ok =
    failure === undefined &&
    code === c.expected &&
    after.sessionsAfter === 0 &&
    after.processesAfter === 0 &&
    after.dataIntact;
  const unexpected = code !== c.expected && errors.length ? `errors seen: ${errors.join(' / ')}` : '';
  const note = [observed?.note, after.detail, failure ? String((failure as Error).message) : '', unexpected]
    .filter(Boolean)
    .join('; ');
  records.push({
    state: c.state,
    kind: c.kind,
    fault: c.fault,
    expected: c.expected,
    code,
    sessionsAfter: after.sessionsAfter,
    processesAfter: after.processesAfter,
    dataIntact: after.dataIntact,
    ok,
    ms: Date.now() - began,
    ...(note ? { note } : {}),
    ...(c.knownBug ? { knownBug: c.knownBug } : {}),
  });
  if (failure) throw failure;
  expect(code, `the caller sees this code${unexpected ? ` (${unexpected})` : ''}`).toBe(c.expected);
  expect(after.processesAfter, after.detail).toBe(0);
  expect(after.sessionsAfter, 'live sandbox sessions').toBe(0);
  expect(after.dataIntact, after.detail).toBe(true);
}

for (const [name, cases] of Object.entries(LANES)) {
  // Lanes overlap (concurrent), cases inside a lane run one after another on the lane's tenant.
  describe(name, { concurrent: true }, () => {
    describe.sequential(`${name} lane`, () => {
      beforeAll(async () => {
        const tenant = await createTestTenant(MAILBOXES);
        lanes.set(name, { tenant, before: await baseline(tenant), open: [] });
      });
      afterAll(async () => {
        await lanes.get(name)?.tenant.remove();
      });
      const known = cases.filter((c) => c.knownBug);
      it.each(cases.filter((c) => !c.knownBug))(
        '$state × $fault → $expected',
        (c) => runCase(lanes.get(name)!, c),
        180_000,
      );
      for (const c of known) {
        it.fails(
          `${c.state} × ${c.fault} → ${c.expected} (known bug: ${c.knownBug})`,
          () => runCase(lanes.get(name)!, c),
          180_000,
        );
      }
    });
  });
}

afterAll(async () => {
  const order = Object.values(LANES).flat();
  records.sort(
    (a, b) =>
      order.findIndex((c) => c.state === a.state && c.fault === a.fault) -
      order.findIndex((c) => c.state === b.state && c.fault === b.fault),
  );
  await writeResult('faults', {
    suite: 'faults',
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    mailboxes: MAILBOXES,
    filesystem: { readOnly: mechanism, fullDisk: mountable ? 'tmpfs' : 'not run: needs mount rights' },
    cases: records,
  });
});
