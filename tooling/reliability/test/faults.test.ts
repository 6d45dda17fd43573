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
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Connection, type ConnectOptions, connect, ExoError } from '@exo-connect/core';
import {
  SANDBOX_DEMO_CREDENTIAL,
  type SandboxServer,
  sandboxEnvironment,
  verifyTenant,
} from '@exo-connect/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, processArgv, type TestTenant, waitFor, writeResult } from './support/common.js';
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
import {
  INVOKE_PATH,
  otherCertificateAuthority,
  RequestLedger,
  RestServer,
  TOKEN_PATH,
} from './support/fault-rest.js';

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

// ---- lane 4: the rest strategy (the sandbox's REST face in this process; the connection runs no pwsh) ----

const ledger = new RequestLedger();

interface RestLane {
  tenant: TestTenant;
  rest: RestServer;
  before: Baseline;
  /** A CA that did not issue the server's certificate. */
  otherCaPath: string;
  open: Connection[];
  /** Other servers a case started (a short token lifetime); each must have nothing in flight after it. */
  ports: number[];
}

interface RestCase {
  state: FaultState;
  kind: string;
  fault: string;
  expected: string;
  run(lane: RestLane): Promise<{ code: string; note?: string }>;
}

function restOptions(lane: RestLane, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    environment: sandboxEnvironment({ server: lane.rest.server }),
    strategy: 'rest',
    credential: SANDBOX_DEMO_CREDENTIAL,
    env: lane.tenant.env,
    handleSignals: false,
    ...extra,
  };
}

async function openRest(lane: RestLane, extra: Partial<ConnectOptions> = {}): Promise<Connection> {
  const exo = await connect(restOptions(lane, extra));
  lane.open.push(exo);
  return exo;
}

function setFaults(lane: RestLane, settings: Parameters<SandboxServer['faults']['configure']>[1]): void {
  lane.rest.server.faults.configure(lane.rest.server.tenantId, settings);
}

/**
 * Streams every mailbox (20 ms per object for the first five), runs `inject` at the fifth, and keeps the
 * identities read, to find duplicates.
 */
async function streamIdentities(
  exo: Connection,
  inject: () => void | Promise<void>,
): Promise<{ code: string; ids: string[]; duplicates: number }> {
  const ids: string[] = [];
  let code = 'none';
  try {
    for await (const m of exo.stream<{ Identity: string }>('Get-Mailbox', { ResultSize: 'Unlimited' })) {
      ids.push(m.Identity);
      if (ids.length === 5) await inject();
      if (ids.length <= 5) await sleep(20);
    }
  } catch (error) {
    code = codeOf(error);
  }
  expect(ids.length, 'the fault struck while the stream ran').toBeGreaterThanOrEqual(5);
  return { code, ids, duplicates: ids.length - new Set(ids).size };
}

/** Starts a rest connect() and runs `inject` as the machine enters `state` (inside the state event). */
async function connectRestAndInject(
  lane: RestLane,
  state: FaultState,
  extra: Partial<ConnectOptions>,
  inject: () => void,
): Promise<{ code: string; log: StateLog }> {
  const log = new StateLog();
  const attempt = connect(
    restOptions(lane, {
      ...extra,
      onEvent: (event) => {
        log.onEvent(event);
        if (event.type === 'state' && event.to === state) inject();
      },
    }),
  ).then((exo) => {
    lane.open.push(exo);
  });
  return { code: await outcome(attempt), log };
}

function restAbortCase(state: FaultState): RestCase {
  return {
    state,
    kind: 'rest: abort',
    fault:
      state === 'ready'
        ? 'rest: abort while a command waits on a slow page'
        : state === 'mid-stream'
          ? 'rest: abort mid-stream'
          : `rest: abort on entering ${state}`,
    expected: 'ABORTED',
    async run(lane) {
      const controller = new AbortController();
      if (state === 'ready') {
        const exo = await openRest(lane, { signal: controller.signal });
        setFaults(lane, { slowPages: { delayMs: 5_000 } });
        const mark = ledger.mark();
        const running = outcome(exo.invoke('Get-Mailbox', { ResultSize: 1 }));
        await waitFor(() => ledger.since(mark, lane.rest.port, INVOKE_PATH).length > 0);
        controller.abort();
        return { code: await running };
      }
      if (state === 'mid-stream') {
        const exo = await openRest(lane, { signal: controller.signal });
        setFaults(lane, { slowPages: { delayMs: 1_000 } });
        const { code, ids, duplicates } = await streamIdentities(exo, () => controller.abort());
        expect(ids.length, 'objects read after the abort').toBeLessThan(MAILBOXES);
        expect(duplicates).toBe(0);
        return { code, note: `${ids.length} objects read` };
      }
      // The credential state lasts while a provider answers; the others as long as their one request.
      const { code, log } = await connectRestAndInject(
        lane,
        state,
        {
          signal: controller.signal,
          ...(state === 'credential' ? { credential: slowCredential() } : {}),
        },
        () => controller.abort(),
      );
      expectLeftForCleanup(log, state);
      return { code };
    },
  };
}

/** Every InvokeCommand the server received since `mark`, and how many of them it ran (not 429 or 503). */
function invokes(lane: RestLane, mark: number): { sent: number; ran: number } {
  const sent = ledger.since(mark, lane.rest.port, INVOKE_PATH);
  return { sent: sent.length, ran: sent.filter((r) => r.status !== 429 && r.status !== 503).length };
}

const restCases: RestCase[] = [
  {
    state: 'ready',
    kind: 'rest: 429 storm',
    fault: 'rest: 429 storm (1 request per 2 s window, 8 reads at once)',
    expected: 'THROTTLED',
    async run(lane) {
      const exo = await openRest(lane);
      const mark = ledger.mark();
      setFaults(lane, { throttle: { limit: 1, windowSeconds: 2 } });
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          exo.invoke('Get-Mailbox', { ResultSize: 1 }).then(
            () => undefined,
            (error: unknown) => error,
          ),
        ),
      );
      const throttled = results.filter((e): e is ExoError => ExoError.is(e, 'THROTTLED'));
      expect(results.filter((e) => e !== undefined && !ExoError.is(e, 'THROTTLED')).map(codeOf)).toEqual([]);
      // Each read is sent at most maxAttempts (4) times, and a THROTTLED says how long to wait.
      const { sent } = invokes(lane, mark);
      expect(sent).toBeLessThanOrEqual(8 * 4);
      for (const error of throttled) {
        expect(error.details.retryAfterMs).toBeGreaterThan(0);
        expect(error.details.retryAfterMs).toBeLessThanOrEqual(2_000);
        expect(error.remediation).toMatch(/asked to wait \d+ s/);
      }
      return {
        code: throttled.length ? codeOf(throttled[0]) : 'none',
        note: `${8 - throttled.length} of 8 answered after retries, ${throttled.length} THROTTLED; ${sent} sends`,
      };
    },
  },
  {
    state: 'ready',
    kind: 'rest: 503, then up',
    fault: 'rest: 503 to the next 2 requests',
    expected: 'none',
    async run(lane) {
      const exo = await openRest(lane);
      const mark = ledger.mark();
      setFaults(lane, { unavailable: { count: 2, retryAfterSeconds: 1 } });
      const code = await outcome(exo.invoke('Get-Mailbox', { ResultSize: 1 }));
      expect(invokes(lane, mark)).toEqual({ sent: 3, ran: 1 });
      return { code, note: '3 sends, the third answered' };
    },
  },
  {
    state: 'ready',
    kind: 'rest: 503 storm',
    fault: 'rest: 503 to every request',
    expected: 'THROTTLED',
    async run(lane) {
      const exo = await openRest(lane);
      const mark = ledger.mark();
      setFaults(lane, { unavailable: { retryAfterSeconds: 1 } });
      const code = await outcome(exo.invoke('Get-Mailbox', { ResultSize: 1 }));
      expect(invokes(lane, mark)).toEqual({ sent: 4, ran: 0 });
      return { code, note: '4 sends (maxAttempts), none ran' };
    },
  },
  {
    state: 'mid-stream',
    kind: 'rest: reset mid-page',
    fault: 'rest: connection reset halfway through the next page',
    // The reply had begun: a read is not resent behind the caller's back once objects were yielded.
    expected: 'SESSION_BROKEN',
    async run(lane) {
      const exo = await openRest(lane);
      const { code, ids, duplicates } = await streamIdentities(exo, () =>
        setFaults(lane, { resetMidPage: { count: 1 } }),
      );
      expect(duplicates, 'objects yielded twice').toBe(0);
      expect(ids.length).toBeLessThan(MAILBOXES);
      return { code, note: `${ids.length} objects read, none twice` };
    },
  },
  {
    state: 'mid-stream',
    kind: 'rest: token expiry',
    fault: 'rest: access tokens of 4 s, pages 1.5 s apart (the stream outlives its token)',
    expected: 'none',
    async run(lane) {
      const short = new RestServer({
        directory: lane.tenant.directory,
        env: lane.tenant.env,
        lifetimes: { accessTokenSeconds: 4 },
      });
      const server = await short.start();
      lane.ports.push(short.port);
      try {
        const exo = await connect({
          ...restOptions(lane),
          environment: sandboxEnvironment({ server }),
        });
        lane.open.push(exo);
        const mark = ledger.mark();
        server.faults.configure(server.tenantId, { slowPages: { delayMs: 1_500 } });
        const began = Date.now();
        const { code, ids, duplicates } = await streamIdentities(exo, () => undefined);
        const tokens = ledger.since(mark, short.port, TOKEN_PATH).length;
        expect(duplicates).toBe(0);
        expect(ids.length).toBe(lane.before.mailboxCount);
        expect(Date.now() - began, 'the stream outlived a token').toBeGreaterThan(4_000);
        expect(tokens, 'tokens fetched while the stream ran').toBeGreaterThanOrEqual(1);
        return {
          code,
          note: `${ids.length} objects, none twice; ${tokens} token requests during the stream`,
        };
      } finally {
        await Promise.allSettled(lane.open.splice(0).map((exo) => exo.disconnect()));
        await short.stop();
      }
    },
  },
  {
    state: 'ready',
    kind: 'rest: server stopped',
    fault: 'rest: server.stop() while ready (restarted on the same port after)',
    expected: 'NETWORK_UNREACHABLE',
    async run(lane) {
      const exo = await openRest(lane);
      await lane.rest.stop();
      const code = await outcome(exo.invoke('Get-Mailbox', { ResultSize: 1 }));
      await lane.rest.start();
      return { code };
    },
  },
  {
    state: 'mid-stream',
    kind: 'rest: server stopped',
    fault: 'rest: server.stop() mid-stream (restarted on the same port after)',
    expected: 'NETWORK_UNREACHABLE',
    async run(lane) {
      const exo = await openRest(lane);
      setFaults(lane, { slowPages: { delayMs: 1_000 } });
      const { code, ids, duplicates } = await streamIdentities(exo, () => lane.rest.stop());
      await lane.rest.start();
      expect(duplicates).toBe(0);
      return { code, note: `${ids.length} objects read, none twice` };
    },
  },
  {
    state: 'credential',
    kind: 'rest: TLS mismatch',
    fault: "rest: the environment's caPath names another CA",
    expected: 'NETWORK_UNREACHABLE',
    async run(lane) {
      const log = new StateLog();
      const code = await outcome(
        connect({
          ...restOptions(lane, { onEvent: log.onEvent }),
          environment: sandboxEnvironment({ server: { ...lane.rest.server, caPath: lane.otherCaPath } }),
        }).then((exo) => {
          lane.open.push(exo);
        }),
      );
      expectLeftForCleanup(log, 'credential');
      // The caller is told it is the certificate, and which CA to trust, not to check DNS and port 443.
      expect(seen.getStore()?.at(-1)).toMatch(/certificate of 127\.0\.0\.1:\d+ is not trusted/);
      return { code };
    },
  },
  ...(['credential', 'session', 'import', 'ready', 'mid-stream'] as const).map(restAbortCase),
  {
    state: 'ready',
    kind: 'rest: write under 503',
    fault: 'rest: Set-Mailbox, 503 to the first 2 sends',
    // A 503 proves the service ran nothing: the write may be, and is, sent again; it runs once.
    expected: 'none',
    async run(lane) {
      const exo = await openRest(lane);
      const mark = ledger.mark();
      setFaults(lane, { unavailable: { count: 2, retryAfterSeconds: 1 } });
      const code = await outcome(exo.invoke('Set-Mailbox', { Identity: 'admin', Office: 'rest-503' }));
      expect(invokes(lane, mark)).toEqual({ sent: 3, ran: 1 });
      return { code, note: '3 sends: two 503s, then it ran once' };
    },
  },
  {
    state: 'ready',
    kind: 'rest: write under reset',
    fault: 'rest: Set-Mailbox, its reply reset halfway',
    expected: 'SESSION_BROKEN',
    async run(lane) {
      const exo = await openRest(lane);
      const mark = ledger.mark();
      setFaults(lane, { resetMidPage: { count: 1 } });
      const code = await outcome(exo.invoke('Set-Mailbox', { Identity: 'admin', Office: 'rest-reset' }));
      expect(invokes(lane, mark), 'the write is sent once').toEqual({ sent: 1, ran: 1 });
      return { code, note: 'sent once; the caller is told it ran and its reply was cut' };
    },
  },
  {
    state: 'ready',
    kind: 'rest: write, server gone',
    fault: 'rest: Set-Mailbox, server.stop() before the reply (restarted after)',
    expected: 'SESSION_BROKEN',
    async run(lane) {
      const exo = await openRest(lane);
      const mark = ledger.mark();
      setFaults(lane, { slowPages: { delayMs: 3_000 } });
      const running = outcome(exo.invoke('Set-Mailbox', { Identity: 'admin', Office: 'rest-lost' }));
      await waitFor(() => ledger.since(mark, lane.rest.port, INVOKE_PATH).length > 0);
      await lane.rest.stop();
      const code = await running;
      await lane.rest.start();
      // No answer came: the write may have run, so it is not sent again (to the server that came back either).
      expect(ledger.since(mark, lane.rest.port, INVOKE_PATH).length, 'the write is sent once').toBe(1);
      return { code, note: 'sent once, not resent after the connection was lost' };
    },
  },
  ...(['SIGINT', 'SIGTERM'] as const).flatMap((signal) =>
    (['credential', 'ready', 'mid-stream'] as const).map((state) => restSignalCase(state, signal)),
  ),
];

function restSignalCase(state: FaultState, signal: 'SIGINT' | 'SIGTERM'): RestCase {
  return {
    state,
    kind: `rest: ${signal}`,
    fault: `rest: ${signal} to a Node process connected by the rest strategy`,
    expected: state === 'ready' ? 'none' : 'ABORTED',
    async run(lane) {
      const { adminUrl, authorityUrl, scope, caPath } = lane.rest.server;
      const child = startChild(
        { ...lane.tenant.env, EXO_FAULT_REST: JSON.stringify({ adminUrl, authorityUrl, scope, caPath }) },
        state,
      );
      try {
        if (state === 'ready') await child.waitFor((l) => l.type === 'ready');
        else if (state === 'mid-stream') {
          // The first page is read from memory; the signal strikes while the next one is on its way.
          await child.waitFor((l) => l.type === 'streaming');
          const mark = ledger.mark();
          setFaults(lane, { slowPages: { delayMs: 30_000 } });
          await waitFor(() => ledger.since(mark, lane.rest.port, INVOKE_PATH).length > 0, {
            timeoutMs: 120_000,
          });
        } else await child.waitFor((l) => l.type === 'state' && l.to === state);
        child.process.kill(signal);
        const exit = await Promise.race([child.exit, sleep(60_000).then(() => undefined)]);
        expect(exit, `the process ended; lines ${JSON.stringify(child.lines)}`).toBeDefined();
        expect(exit!.signal, child.stderr()).toBe(signal);
        expect(['disconnected', 'failed']).toContain(child.log.transitions.at(-1)?.to);
        const from = state === 'mid-stream' ? 'ready' : state;
        expect(['disconnecting', 'failed'], child.log.path).toContain(child.log.left(from));
        const error = child.lines.find((l) => l.type === 'error');
        if (error) seen.getStore()?.push(`${error.code}: ${error.message}`);
        return { code: error ? (error.code ?? 'untyped') : 'none' };
      } finally {
        child.process.kill('SIGKILL');
      }
    },
  };
}

/**
 * Ready and answering, or ended and saying so at once: never "ready" with a dead transport. A connection still
 * disconnecting after its fault is given time to get there (the bound only ends a hang).
 */
async function restStateAfter(exo: Connection): Promise<{ state: string; problem?: string }> {
  await waitFor(() => exo.state !== 'disconnecting', { timeoutMs: 15_000 }).catch(() => undefined);
  const state = exo.state;
  const probe = await exo.invoke('Get-Mailbox', { ResultSize: 1 }).then(
    (rows) => (rows.length === 1 ? 'none' : `${rows.length} rows`),
    (error: unknown) => (ExoError.is(error) ? error.code : 'untyped'),
  );
  if (state === 'ready' && probe === 'none') return { state };
  if ((state === 'failed' || state === 'disconnected') && probe === 'SESSION_BROKEN') return { state };
  return { state, problem: `state ${state}, and a read then gave ${probe}` };
}

/** Tenant processes that are not the REST server's engine worker, and workers beyond its one. */
function restLeftovers(lane: RestLane): number[] {
  const pids = lane.tenant.processes();
  const workers = pids.filter((pid) => processArgv(pid)?.some((a) => a.endsWith('worker.ps1')));
  return [...pids.filter((pid) => !workers.includes(pid)), ...workers.slice(1)];
}

async function runRestCase(lane: RestLane, c: RestCase): Promise<void> {
  const began = Date.now();
  let observed: { code: string; note?: string } | undefined;
  let failure: unknown;
  const errors: string[] = [];
  try {
    observed = await seen.run(errors, () => c.run(lane));
  } catch (error) {
    failure = error;
  }
  if (!lane.rest.running) await lane.rest.start();
  lane.rest.server.faults.clear();
  const states: string[] = [];
  const problems: string[] = [];
  for (const exo of lane.open.splice(0)) {
    const after = await restStateAfter(exo);
    states.push(after.state);
    if (after.problem) problems.push(after.problem);
    await exo.disconnect().catch(() => undefined);
  }
  const ports = [lane.rest.port, ...lane.ports.splice(0)];
  const inFlight = () => ports.reduce((n, port) => n + ledger.inFlight(port), 0) + ledger.clientInFlight;
  await waitFor(() => inFlight() === 0 && restLeftovers(lane).length === 0, { timeoutMs: 20_000 }).catch(
    () => undefined,
  );
  const inFlightAfter = inFlight();
  const leftovers = restLeftovers(lane);
  const [status, integrity] = await Promise.all([
    lane.tenant.status(),
    verifyTenant({ directory: lane.tenant.directory, env: lane.tenant.env }),
  ]);
  // The write cases write (Office): the bytes change, the counts and the integrity may not.
  const dataIntact =
    status.mailboxCount === lane.before.mailboxCount &&
    integrity.recipientCount === lane.before.recipientCount &&
    integrity.unreferencedFileCount === 0;
  const code = observed?.code ?? errors.at(-1)?.split(':')[0] ?? 'error';
  const unexpected = code !== c.expected && errors.length ? `errors seen: ${errors.join(' / ')}` : '';
  const note = [
    observed?.note,
    states.length ? `connection ${states.join(', ')} after` : '',
    ...problems,
    inFlightAfter ? `${inFlightAfter} request(s) in flight` : '',
    leftovers.length
      ? `left: ${leftovers.map((pid) => `${pid} ${processArgv(pid)?.join(' ')}`).join('; ')}`
      : '',
    failure ? String((failure as Error).message) : '',
    unexpected,
  ]
    .filter(Boolean)
    .join('; ');
  const ok =
    failure === undefined &&
    code === c.expected &&
    problems.length === 0 &&
    inFlightAfter === 0 &&
    leftovers.length === 0 &&
    status.sessions.length === 0 &&
    dataIntact;
  records.push({
    state: c.state,
    kind: c.kind,
    fault: c.fault,
    expected: c.expected,
    code,
    sessionsAfter: status.sessions.length,
    processesAfter: leftovers.length,
    dataIntact,
    ok,
    ms: Date.now() - began,
    strategy: 'rest',
    inFlightAfter,
    ...(note ? { note } : {}),
  });
  if (failure) throw failure;
  expect(code, `the caller sees this code${unexpected ? ` (${unexpected})` : ''}`).toBe(c.expected);
  expect(problems, 'the connection state is consistent').toEqual([]);
  expect(inFlightAfter, 'requests in flight').toBe(0);
  expect(leftovers, 'processes left').toEqual([]);
  expect(status.sessions.length, 'live sandbox sessions').toBe(0);
  expect(dataIntact, 'mailbox and recipient counts, integrity').toBe(true);
}

describe('rest', { concurrent: true }, () => {
  describe.sequential('rest lane', () => {
    let lane: RestLane | undefined;
    beforeAll(async () => {
      const tenant = await createTestTenant(MAILBOXES);
      const rest = new RestServer({ directory: tenant.directory, env: tenant.env });
      await rest.start();
      lane = {
        tenant,
        rest,
        before: await baseline(tenant),
        otherCaPath: await otherCertificateAuthority(),
        open: [],
        ports: [],
      };
    });
    afterAll(async () => {
      await lane?.rest.stop();
      await lane?.tenant.remove();
      if (lane) await rm(dirname(lane.otherCaPath), { recursive: true, force: true });
    });
    it.each(restCases)('$state × $fault → $expected', (c) => runRestCase(lane!, c), 180_000);
  });
});

afterAll(async () => {
  const order: Array<{ state: string; fault: string }> = [...Object.values(LANES).flat(), ...restCases];
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
