import { locatePwsh } from '@exo-connect/pwsh';
import { SandboxError } from '../../errors/sandbox-error.js';
import type { Engine, EngineRequest, EngineResult } from '../contracts.js';
import type { AuthenticateResult } from '../identity/context.js';
import { EngineWorker, type EngineWorkerOptions, type PageReply } from './engine-worker.js';
import {
  callerKey,
  clampPageSize,
  cursorExpiredError,
  formatCursor,
  parseCursor,
  type WorkerCommand,
  type WorkerRequest,
} from './protocol.js';

export interface EnginePoolOptions {
  /** The tenant directory the workers serve (the same one PSSessions to the sandbox use). */
  directory: string;
  /** Workers (pwsh processes), each running one request at a time. Default 2. */
  size?: number;
  /** The pwsh executable, taken as given; else the real pwsh found by @exo-connect/pwsh's locatePwsh. */
  pwsh?: string;
  /** Environment for the workers (defaults to this process's; secrets are removed). */
  env?: NodeJS.ProcessEnv;
  /** Open paged results each worker keeps (the least recently used goes first). Default 64. */
  maxCursorsPerWorker?: number;
  /** How long an open paged result is kept after its last page. Default 300,000 ms. */
  cursorIdleMs?: number;
  /** A request running longer ends its worker (which is replaced). Default 900,000 ms, the service's 15 minutes. */
  requestTimeoutMs?: number;
  /** How long a worker may take to start. Default 120,000 ms (a loaded machine compiling the engine once). */
  startTimeoutMs?: number;
}

export interface EnginePool extends Engine {
  readonly size: number;
  /** The pids of the live workers' processes (for diagnostics and tests). */
  workerPids(): number[];
}

interface Job {
  request: WorkerRequest;
  resolve: (answer: { worker: EngineWorker; reply: PageReply }) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker?: EngineWorker;
  /** The job it runs; undefined while idle. */
  job?: Job;
  restartTimer?: NodeJS.Timeout;
  /** Settles once a replacement being started is adopted, or closed because the pool closed meanwhile. */
  starting?: Promise<void>;
}

const CLOSE_GRACE_MS = 5000;
const RESTART_DELAYS_MS = [0, 1000, 5000, 30_000];

/**
 * Starts `size` warm pwsh workers that run the PSSession face's own cmdlet functions for the REST face, and
 * resolves once every one is ready. Requests wait in one queue for the next idle worker; the next page of a paged
 * result goes to the worker that holds its query.
 */
export async function startEnginePool(options: EnginePoolOptions): Promise<EnginePool> {
  const size = options.size ?? 2;
  if (!Number.isInteger(size) || size < 1 || size > 64) {
    throw new SandboxError('INVALID_OPTION', `size must be a whole number from 1 to 64, not ${size}.`);
  }
  if (!options.directory) throw new SandboxError('INVALID_OPTION', 'directory names the tenant to serve.');
  const env = options.env ?? process.env;
  const pwsh = options.pwsh ?? (await locatePwsh({ env, cache: true })).executable;
  let nextId = 1;
  const limits = {
    maxCursors: options.maxCursorsPerWorker ?? 64,
    cursorIdleMs: options.cursorIdleMs ?? 300_000,
  };
  const config: PoolConfig = {
    worker: () => ({
      id: nextId++,
      pwsh,
      directory: options.directory,
      env,
      ...limits,
      startTimeoutMs: options.startTimeoutMs ?? 120_000,
    }),
    limits,
    requestTimeoutMs: options.requestTimeoutMs ?? 900_000,
  };
  const started = await Promise.allSettled(
    Array.from({ length: size }, () => EngineWorker.start(config.worker())),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.close(0)));
    throw failed.reason;
  }
  return new Pool(config, workers);
}

interface PoolConfig {
  /** The options of the next worker to start (each gets a new id). */
  worker: () => EngineWorkerOptions;
  limits: { maxCursors: number; cursorIdleMs: number };
  requestTimeoutMs: number;
}

class Pool implements EnginePool {
  readonly size: number;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  /** Pages of open results, waiting for the worker (by id) that holds each one's query. */
  private readonly pinned = new Map<number, Job[]>();
  private readonly commandList: WorkerCommand[];
  private closed = false;
  private lastStartError: Error | undefined;

  constructor(
    private readonly config: PoolConfig,
    workers: EngineWorker[],
  ) {
    this.size = workers.length;
    this.commandList = (workers[0] as EngineWorker).commands;
    this.slots = workers.map(() => ({}));
    for (const [i, worker] of workers.entries()) this.adopt(this.slots[i] as Slot, worker);
  }

  workerPids(): number[] {
    return this.slots.flatMap((s) => (s.worker?.alive ? s.worker.pids : []));
  }

  async commands(): Promise<{ name: string; parameters: string[] }[]> {
    if (this.closed) throw closedError();
    return this.commandList.map((c) => ({ name: c.name, parameters: [...c.parameters] }));
  }

  async invoke(request: EngineRequest): Promise<EngineResult> {
    if (this.closed) throw closedError();
    const common = {
      cmdlet: request.cmdlet,
      pageSize: clampPageSize(request.pageSize),
      caller: callerKey(request.caller),
    };
    const result = ({ worker, reply }: { worker: EngineWorker; reply: PageReply }) =>
      this.toResult(worker, reply);
    if (request.cursor === undefined) {
      return this.enqueue({ op: 'invoke', parameters: request.parameters ?? {}, ...common }).then(result);
    }
    const cursor = parseCursor(request.cursor);
    if (!cursor || !this.slots.some((s) => s.worker?.alive && s.worker.id === cursor.workerId)) {
      return this.expired();
    }
    return this.enqueue({ op: 'next', cursor: cursor.token, ...common }, cursor.workerId).then(result);
  }

  async authenticate(upn: string, password: string): Promise<AuthenticateResult> {
    if (this.closed) throw closedError();
    const { reply } = await this.enqueue({ op: 'authenticate', upn, password });
    if (reply.kind !== 'auth')
      throw new SandboxError('ENGINE_WORKER_FAILED', 'The engine worker could not check the sign-in.');
    switch (reply.outcome) {
      // Remote PowerShell off does not stop a sign-in to Entra ID: it concerns the PSSession face only.
      case 'Success':
      case 'RemotePowerShellDisabled':
        return { ok: true, upn: reply.upn ?? upn };
      case 'MultiFactorRequired':
        return { ok: false, reason: 'mfa-required' };
      case 'FederatedServiceUnreachable':
        return { ok: false, reason: 'federated' };
      default:
        return { ok: false, reason: reply.exists ? 'bad-password' : 'unknown-user' };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = closedError();
    for (const job of this.queue.splice(0)) job.reject(error);
    for (const jobs of this.pinned.values()) for (const job of jobs) job.reject(error);
    this.pinned.clear();
    await Promise.all(
      this.slots.map(async (slot) => {
        clearTimeout(slot.restartTimer);
        if (slot.worker?.alive) await slot.worker.close(CLOSE_GRACE_MS);
        await slot.starting;
      }),
    );
  }

  private expired(): EngineResult {
    return { ok: false, error: cursorExpiredError(this.config.limits), warnings: [] };
  }

  private enqueue(
    request: WorkerRequest,
    workerId?: number,
  ): Promise<{ worker: EngineWorker; reply: PageReply }> {
    if (workerId === undefined && this.lastStartError && !this.slots.some((s) => s.worker?.alive)) {
      return Promise.reject(this.lastStartError);
    }
    return new Promise((resolve, reject) => {
      const job = { request, resolve, reject };
      if (workerId === undefined) this.queue.push(job);
      else this.pinned.set(workerId, [...(this.pinned.get(workerId) ?? []), job]);
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      const worker = slot.worker;
      if (!worker?.alive || slot.job) continue;
      const job = this.pinned.get(worker.id)?.shift() ?? this.queue.shift();
      if (job) this.run(slot, worker, job);
    }
  }

  private run(slot: Slot, worker: EngineWorker, job: Job): void {
    slot.job = job;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      worker.kill();
    }, this.config.requestTimeoutMs);
    worker
      .request(job.request)
      .then(
        (reply) => job.resolve({ worker, reply }),
        (error: Error) => {
          if (this.closed) job.reject(closedError());
          else if (timedOut)
            job.reject(
              timeoutError(
                'cmdlet' in job.request ? job.request.cmdlet : 'A sign-in',
                this.config.requestTimeoutMs,
              ),
            );
          else job.reject(error);
        },
      )
      .finally(() => {
        clearTimeout(timer);
        if (slot.job === job) slot.job = undefined;
        this.dispatch();
      });
  }

  private toResult(worker: EngineWorker, reply: PageReply): EngineResult {
    if (reply.kind === 'cursorExpired') return this.expired();
    if (reply.kind === 'error') return { ok: false, error: reply.error, warnings: reply.warnings };
    if (reply.kind === 'auth')
      throw new SandboxError('ENGINE_WORKER_FAILED', 'The engine worker answered a cmdlet with a sign-in.');
    const result: EngineResult = { ok: true, objects: reply.objects, warnings: reply.warnings };
    if (reply.cursor) result.nextCursor = formatCursor(worker.id, reply.cursor);
    return result;
  }

  private adopt(slot: Slot, worker: EngineWorker): void {
    slot.worker = worker;
    void worker.exited.then(() => this.lost(slot, worker));
  }

  /** A worker ended (crashed, killed, timed out): the queries it held are gone, and another one starts. */
  private lost(slot: Slot, worker: EngineWorker): void {
    if (this.closed || slot.worker !== worker) return;
    slot.worker = undefined;
    for (const job of this.pinned.get(worker.id) ?? [])
      job.resolve({ worker, reply: { kind: 'cursorExpired', id: 0 } });
    this.pinned.delete(worker.id);
    this.restart(slot, 0);
  }

  private restart(slot: Slot, attempt: number): void {
    const delay = RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)] as number;
    slot.restartTimer = setTimeout(() => {
      if (this.closed) return;
      slot.starting = EngineWorker.start(this.config.worker()).then(
        async (worker) => {
          if (this.closed) return worker.close(0);
          this.lastStartError = undefined;
          this.adopt(slot, worker);
          this.dispatch();
        },
        (error: Error) => {
          this.lastStartError = error;
          // With no worker left, queued requests would wait for ever: they get the reason instead.
          if (!this.slots.some((s) => s.worker?.alive)) {
            for (const job of this.queue.splice(0)) job.reject(error);
          }
          if (!this.closed) this.restart(slot, attempt + 1);
        },
      );
    }, delay);
    // A pending restart alone does not keep Node running.
    slot.restartTimer.unref();
  }
}

function closedError(): SandboxError {
  return new SandboxError('ENGINE_CLOSED', 'The engine pool is closed: it runs no more requests.');
}

function timeoutError(cmdlet: string, ms: number): SandboxError {
  return new SandboxError(
    'ENGINE_TIMEOUT',
    `${cmdlet} ran longer than ${ms} ms: its engine worker was ended, and the pool replaces it.`,
  );
}
