import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { childEnv } from '@exo-connect/pwsh';
import { SandboxError } from '../../errors/sandbox-error.js';
import { pwshScriptArgs, SANDBOX_POWERSHELL_DIR } from '../../paths.js';
import {
  createReplyReader,
  encodeRequest,
  newMarker,
  type WorkerCommand,
  type WorkerReply,
  type WorkerRequest,
} from './protocol.js';

export const WORKER_SCRIPT_PATH = `${SANDBOX_POWERSHELL_DIR}ExoSandbox.Rest/worker.ps1`;

/** How much of a worker's stderr (and stray stdout) is kept for the error that reports its end. */
const TAIL_CHARS = 4000;

export interface EngineWorkerOptions {
  id: number;
  pwsh: string;
  directory: string;
  env: NodeJS.ProcessEnv;
  maxCursors: number;
  cursorIdleMs: number;
  startTimeoutMs: number;
}

export type PageReply = Extract<WorkerReply, { kind: 'page' | 'error' | 'cursorExpired' | 'auth' }>;

interface Pending {
  resolve: (reply: PageReply) => void;
  reject: (error: Error) => void;
  cmdlet: string;
}

/**
 * One long-lived `pwsh -NoProfile -NonInteractive -File worker.ps1`: started, announced ready (with its real pid
 * and its cmdlets), asked one request at a time by the pool, ended by closing its stdin (or killed).
 */
export class EngineWorker {
  readonly id: number;
  /** The spawned process, and the pid pwsh reported (another one when a launcher shim started it). */
  readonly pids: number[];
  readonly commands: WorkerCommand[];
  /** Settles once the process has exited and its output is read. */
  readonly exited: Promise<void>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private readonly tail: { text: string };
  private nextId = 1;
  private exitDescription: string | undefined;

  private constructor(
    id: number,
    child: ChildProcessWithoutNullStreams,
    pids: number[],
    commands: WorkerCommand[],
    exited: Promise<void>,
    tail: { text: string },
  ) {
    this.id = id;
    this.child = child;
    this.pids = pids;
    this.commands = commands;
    this.exited = exited;
    this.tail = tail;
  }

  static start(options: EngineWorkerOptions): Promise<EngineWorker> {
    const marker = newMarker();
    const child = spawn(
      options.pwsh,
      pwshScriptArgs(
        WORKER_SCRIPT_PATH,
        '-MaxCursors',
        String(options.maxCursors),
        '-CursorIdleSeconds',
        String(Math.max(1, Math.round(options.cursorIdleMs / 1000))),
      ),
      {
        env: childEnv(options.env, {
          TERM: 'dumb',
          NO_COLOR: '1',
          EXO_SANDBOX_DIR: options.directory,
          // A larger first GC generation (64 MB) almost doubles paging speed and lowers the worker's peak memory.
          DOTNET_GCgen0size: options.env.DOTNET_GCgen0size ?? '0x4000000',
        }),
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      },
    );
    const tail = { text: '' };
    const keep = (text: string) => {
      tail.text = (tail.text + text).slice(-TAIL_CHARS);
    };
    // stderr is always drained: a full pipe would block the worker.
    child.stderr.setEncoding('utf8').on('data', keep);
    child.stdin.on('error', () => {
      // The worker ended before reading everything; 'close' reports that.
    });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    return new Promise<EngineWorker>((resolve, reject) => {
      let worker: EngineWorker | undefined;
      const fail = (error: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            new SandboxError(
              'ENGINE_WORKER_FAILED',
              `The engine worker did not start within ${options.startTimeoutMs} ms.${describeTail(tail.text)}`,
            ),
          ),
        options.startTimeoutMs,
      );
      const reader = createReplyReader(
        marker,
        (reply) => {
          if (worker) {
            worker.settle(reply);
          } else if (reply.kind === 'ready') {
            clearTimeout(timer);
            const pids = [child.pid as number];
            if (reply.pid !== child.pid) pids.push(reply.pid);
            worker = new EngineWorker(options.id, child, pids, reply.commands, exited, tail);
            resolve(worker);
          } else if (reply.kind === 'fatal') {
            fail(new SandboxError('ENGINE_WORKER_FAILED', `${reply.message}${describeTail(tail.text)}`));
          }
        },
        (line) => keep(`${line}\n`),
      );
      child.stdout.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk);
        } catch (error) {
          // A reply that does not parse: the worker is broken; it is ended and its request fails.
          keep(`unreadable reply: ${(error as Error).message}\n`);
          child.kill('SIGKILL');
        }
      });
      child.once('error', (error: NodeJS.ErrnoException) => {
        fail(
          error.code === 'ENOENT'
            ? new SandboxError('PWSH_NOT_FOUND', `pwsh could not be started from ${options.pwsh}.`, {
                cause: error,
              })
            : new SandboxError('ENGINE_WORKER_FAILED', `pwsh could not be started: ${error.message}`, {
                cause: error,
              }),
        );
      });
      // A launcher shim's pwsh would outlive the shim (and hold the pipes open): end it too.
      child.once('exit', () => worker?.killOthers());
      // 'close', not 'exit': by then every line the worker wrote (a fatal reply, a last answer) has been read.
      child.once('close', (code, signal) => {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        if (worker) {
          worker.ended(how);
          return;
        }
        fail(
          new SandboxError(
            'ENGINE_WORKER_FAILED',
            `The engine worker ended (${how}) before it was ready.${describeTail(tail.text)}`,
          ),
        );
      });
      child.stdin.write(`${marker}\n`);
    });
  }

  get alive(): boolean {
    return this.exitDescription === undefined;
  }

  /** Sends one request; rejects with ENGINE_WORKER_FAILED if the worker ends before it answers. */
  request(request: WorkerRequest): Promise<PageReply> {
    const what = request.op === 'authenticate' ? 'A sign-in' : request.cmdlet;
    if (!this.alive) {
      return Promise.reject(this.endedError(what));
    }
    const id = this.nextId++;
    return new Promise<PageReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, cmdlet: what });
      this.child.stdin.write(encodeRequest(id, request));
    });
  }

  /** Asks the worker to finish its request and exit (stdin closes); kills it if it has not after `graceMs`. */
  async close(graceMs: number): Promise<void> {
    this.child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.exited, grace]);
    clearTimeout(timer);
    this.kill();
    await this.exited;
  }

  /** Ends the worker now: the spawned process and, if another, the pwsh it started. */
  kill(): void {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    this.killOthers();
  }

  private settle(reply: WorkerReply): void {
    if (reply.kind === 'ready' || reply.kind === 'fatal') return;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    pending.resolve(reply);
  }

  /** Ends the pwsh a launcher shim started, if it is another process than the one spawned. */
  killOthers(): void {
    for (const pid of this.pids.slice(1)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private ended(how: string): void {
    this.exitDescription = how;
    for (const pending of this.pending.values()) pending.reject(this.endedError(pending.cmdlet));
    this.pending.clear();
  }

  private endedError(cmdlet: string): SandboxError {
    return new SandboxError(
      'ENGINE_WORKER_FAILED',
      `The engine worker (pid ${this.pids.join('/')}) ended (${this.exitDescription}) while running ${cmdlet}; ` +
        `the pool replaces it.${describeTail(this.tail.text)}`,
      { details: { workerPids: this.pids, exit: this.exitDescription } },
    );
  }
}

function describeTail(text: string): string {
  const trimmed = text.trim();
  return trimmed ? ` Its last output: ${trimmed}` : '';
}
