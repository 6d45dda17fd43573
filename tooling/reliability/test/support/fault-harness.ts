/**
 * The fault suite's harness: what "after each fault" means (no session, no process, data intact), a spawned
 * library user to signal, and the record each case leaves in results/faults.json.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { type ConnectionEvent, ExoError } from '@exo-connect/core';
import { verifyTenant } from '@exo-connect/sandbox';
import { type LineChild, startLineChild } from '@exo-connect/test-utils';
import { processArgv, type TenantView, type TestTenant, tenantAt, waitFor } from './common.js';

export { type TenantView, tenantAt };

import { tenantDigest } from './fault-fs.js';

export const STATES = ['policy', 'credential', 'session', 'import', 'ready', 'mid-stream'] as const;
export type FaultState = (typeof STATES)[number];

/** One row of results/faults.json. `code` is what the caller saw: an ExoError code, or "none". */
export interface FaultRecord {
  state: FaultState;
  /** The fault's family, one row of the report's matrix: abort, timeout, SIGINT, host killed, … */
  kind: string;
  fault: string;
  expected: string;
  code: string;
  sessionsAfter: number;
  processesAfter: number;
  dataIntact: boolean;
  ok: boolean;
  ms: number;
  note?: string;
  /** Set when the case fails today on a bug outside this suite's reach (run with it.fails). */
  knownBug?: string;
  /** `rest` for the rest strategy's lane (its connections run no pwsh); absent for the pwsh strategies. */
  strategy?: 'rest';
  /** rest: HTTP requests still open at the sandbox server or in this process after the case (must be 0). */
  inFlightAfter?: number;
}

/** The parts of a TestTenant the fault cases use, for any tenant directory (also a copy made for a fault). */
/**
 * The pwsh host of a connection to this tenant: node-powershell starts it with `-NoExit -Command -`. (Not the
 * short-lived pwsh that checks the version before it, nor a session server, `pwsh -s`.)
 */
export function hostsOf(tenant: Pick<TenantView, 'processes'>): number[] {
  return tenant.processes().filter((pid) => {
    const argv = processArgv(pid) ?? [];
    return argv.includes('-NoExit') && argv.at(-1) === '-';
  });
}

export interface Baseline {
  digest: string;
  mailboxCount: number;
  recipientCount: number;
  generation: number;
}

/** What a tenant looks like before the faults, to compare with after each. */
export async function baseline(tenant: Pick<TestTenant, 'directory' | 'env' | 'status'>): Promise<Baseline> {
  const [status, integrity, digest] = await Promise.all([
    tenant.status(),
    verifyTenant({ directory: tenant.directory, env: tenant.env }),
    tenantDigest(tenant.directory),
  ]);
  return {
    digest,
    mailboxCount: status.mailboxCount,
    recipientCount: integrity.recipientCount,
    generation: integrity.generation,
  };
}

export interface Aftermath {
  sessionsAfter: number;
  processesAfter: number;
  dataIntact: boolean;
  detail: string;
}

/**
 * Waits (polling /proc, which is cheap) until no process of the tenant is left or `cleanupMs` has passed,
 * then asks the sandbox once how many sessions it counts and whether its data is what it was.
 */
export async function aftermath(
  tenant: Pick<TestTenant, 'directory' | 'env' | 'status' | 'processes'>,
  before: Baseline,
  cleanupMs = 20_000,
): Promise<Aftermath> {
  await waitFor(() => tenant.processes().length === 0, { timeoutMs: cleanupMs });
  const leftover = tenant.processes();
  const [status, integrity, digest] = await Promise.all([
    tenant.status(),
    verifyTenant({ directory: tenant.directory, env: tenant.env }),
    tenantDigest(tenant.directory),
  ]);
  const dataIntact =
    digest === before.digest &&
    status.mailboxCount === before.mailboxCount &&
    integrity.recipientCount === before.recipientCount &&
    integrity.generation === before.generation &&
    integrity.unreferencedFileCount === 0;
  const detail = [
    leftover.length
      ? `left: ${leftover.map((pid) => `${pid} ${processArgv(pid)?.join(' ')}`).join('; ')}`
      : '',
    dataIntact
      ? ''
      : `data: mailboxes ${before.mailboxCount}→${status.mailboxCount}, recipients ${before.recipientCount}→${integrity.recipientCount}, generation ${before.generation}→${integrity.generation}, unreferenced ${integrity.unreferencedFileCount}, bytes ${digest === before.digest ? 'same' : 'changed'}`,
  ]
    .filter(Boolean)
    .join('; ');
  return { sessionsAfter: status.sessions.length, processesAfter: leftover.length, dataIntact, detail };
}

/** The errors a fault case saw, kept per case (cases of different lanes run at the same time). */
export const seen = new AsyncLocalStorage<string[]>();

/** The ExoError code of a failure, "none" for success, "untyped" for anything that is not an ExoError. */
export function codeOf(error: unknown): string {
  if (error === undefined) return 'none';
  const code = ExoError.is(error) ? error.code : 'untyped';
  seen.getStore()?.push(`${code}: ${String((error as Error)?.message ?? error).slice(0, 300)}`);
  return code;
}

export function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'none',
    (error: unknown) => codeOf(error),
  );
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Records state events; `left(state)` is where the machine went when it left that state. */
export class StateLog {
  readonly transitions: Array<{ from: string; to: string }> = [];
  private readonly waiters: Array<{ state: string; wake: () => void; fail: (error: Error) => void }> = [];

  readonly onEvent = (event: ConnectionEvent | { type: string; from?: string; to?: string }): void => {
    if (event.type !== 'state' || !('to' in event)) return;
    this.push(String(event.from), String(event.to));
  };

  push(from: string, to: string): void {
    this.transitions.push({ from, to });
    for (const waiter of this.waiters.filter((w) => w.state === to)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.wake();
    }
    // A machine that ended cannot enter anything more: say so at once, with the path it took.
    if (to === 'failed' || to === 'disconnected') {
      for (const waiter of this.waiters.splice(0)) {
        waiter.fail(new Error(`never entered ${waiter.state}: the connection ended first (${this.path})`));
      }
    }
  }

  /**
   * Resolves when the machine enters `state` (at once if it already did); rejects when it ends without. The
   * timeout only ends a hang: a loaded machine may take long to get there.
   */
  entered(state: string, timeoutMs = 150_000): Promise<void> {
    if (this.transitions.some((t) => t.to === state)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never entered ${state} (${this.path})`)), timeoutMs);
      this.waiters.push({
        state,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  left(state: string): string | undefined {
    return this.transitions.find((t) => t.from === state)?.to;
  }

  get path(): string {
    return ['idle', ...this.transitions.map((t) => t.to)].join('→');
  }
}

const FIXTURE = fileURLToPath(new URL('./fault-child.mjs', import.meta.url));

export interface ChildLine {
  type: string;
  from?: string;
  to?: string;
  code?: string | null;
  message?: string;
  hostPid?: number;
  count?: number;
}

export interface FaultChild extends LineChild<ChildLine> {
  log: StateLog;
}

/** Starts fault-child.mjs against the tenant; it reports its events as JSON lines. */
export function startChild(env: Record<string, string>, state: FaultState): FaultChild {
  const log = new StateLog();
  const child = startLineChild<ChildLine>(FIXTURE, [state], {
    env,
    onLine: (line) => {
      if (line.type === 'state') log.push(String(line.from), String(line.to));
    },
  });
  return { ...child, log };
}
