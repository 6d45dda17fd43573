import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { APPLY_HTTP_PROXY_SCRIPT, NEW_SESSION_OPTION_SCRIPT } from '@exo-connect/proxy-config';
import { childEnv } from '@exo-connect/pwsh';
import { PowerShell } from 'node-powershell';
import { ExoError } from '../errors/exo-error.js';
import {
  compareVersions,
  forgetPwshLocations,
  locatePwsh,
  MINIMUM_PWSH_VERSION,
  type PwshInfo,
} from '../pwsh/locate-pwsh.js';
import { checkSecret, encodeRequest, type ParameterValue } from './encode-request.js';
import { type Frame, LineSplitter, parseFrame } from './frames.js';
import { openSideChannel, type SideChannelAddress } from './side-channel.js';

export type SecretValue =
  | { kind: 'credential'; userName: string; password: string }
  | { kind: 'secureString'; value: string }
  | { kind: 'string'; value: string };

export interface BridgeStartOptions {
  info?: PwshInfo;
  env?: NodeJS.ProcessEnv;
  /** Windows only: the process-scope execution policy for the host (default Bypass). */
  executionPolicy?: string;
  /** How long pwsh may take to start and connect its side channel. Default 60 s. */
  startTimeoutMs?: number;
}

export interface BridgeRequestOptions {
  depth?: number;
  /** Values for the parameters given as { $exoSecret: name }; each is handed over once, on request. */
  secrets?: Record<string, SecretValue>;
  signal?: AbortSignal;
  /** How long a stop may take before the host is killed. Default 5 s. */
  stopGraceMs?: number;
}

const HIGH_WATER = 2048;
const LOW_WATER = 256;

/** Wraps a fixed script that has its own param() block as a named function for the worker runspace. */
function asWorkerFunction(name: string, script: string): string {
  if (/^'@/m.test(script)) throw new Error(`${name}: a fixed script cannot contain a here-string terminator`);
  return `\n$script:WorkerScript += @'\n\nfunction ${name} {\n${script}\n}\n'@\n`;
}

let bridgeScript: string | undefined;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * The one line node-powershell runs: it loads the bridge, starts it (side channel, hello, worker runspace)
 * and enters the request loop, which returns on quit. Every value is base64 data, never code.
 */
function bootstrapLine(address: SideChannelAddress, executionPolicy: string): string {
  bridgeScript ??=
    readFileSync(new URL('../../powershell/bridge.ps1', import.meta.url), 'utf8') +
    asWorkerFunction('New-ExoSessionOption', NEW_SESSION_OPTION_SCRIPT) +
    asWorkerFunction('Set-ExoHttpProxy', APPLY_HTTP_PROXY_SCRIPT);
  const channel = address.pipeName ? `pipe:${address.pipeName}` : `unix:${address.socketPath}`;
  return (
    `. ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64(bridgeScript)}')))); ` +
    `Start-ExoBridge -Channel '${b64(channel)}' -Token '${b64(address.token)}' -ExecutionPolicy '${b64(executionPolicy)}'; Invoke-ExoServe`
  );
}

// The CommonJS module object node-powershell spawns through (builtins are one object for every importer).
const childProcess = createRequire(import.meta.url)(
  'node:child_process',
) as typeof import('node:child_process');

/**
 * Creates the shell with pwsh in a process group of its own (Unix). A terminal's Ctrl-C signals the whole
 * foreground group; PowerShell answers SIGINT by stopping its current pipeline, which is the bridge's request
 * loop, so the disconnect that signals.ts then sends would never be read. Node owns the host: it gets the
 * terminal's signals and ends the host itself. node-powershell forces `detached: false`, so the option is set
 * on its spawn call, which happens synchronously inside its constructor.
 */
function inOwnProcessGroup<T>(create: () => T): T {
  if (process.platform === 'win32') return create();
  const spawn = childProcess.spawn;
  childProcess.spawn = ((file: string, args: readonly string[], options: object) =>
    spawn(file, args, { ...options, detached: true })) as typeof spawn;
  try {
    return create();
  } finally {
    childProcess.spawn = spawn;
  }
}

interface ShellDebuggers {
  debuggers?: Record<string, { enabled: boolean }>;
}

/**
 * node-powershell (through child-shell) logs every command it sends and every chunk pwsh prints with the
 * `debug` package when DEBUG names it (`DEBUG=*`), and it logs to stdout: that would corrupt `exo run -o json`
 * and print the bootstrap line. Its one line at start-up ("shell process started") is sent to stderr, since
 * the logger binds whatever console.log is while the shell is being created; the command and output loggers
 * are then switched off: the bridge's own traffic never goes through them, only its one fixed line does.
 */
function quietDebugLog<T extends object>(create: () => T): T {
  const log = console.log;
  console.log = console.error;
  let shell: T;
  try {
    shell = create();
  } finally {
    console.log = log;
  }
  for (const logger of Object.values((shell as ShellDebuggers).debuggers ?? {})) logger.enabled = false;
  return shell;
}

/**
 * .NET runtime settings for the host, unless the caller's environment sets them. PowerShell's own assemblies
 * are not precompiled, so a connect spends most of its CPU time compiling, and by default the runtime starts
 * recompiling hot methods (a profiling pass, then optimized code) 100 ms after compiling slows down, while
 * the connect is still going. Waiting 500 ms and skipping the profiling pass made connect() 5-7% faster here
 * (tooling/bench, scenario 1). 2 s was no faster to connect and left the first warm calls slow (scenario 2).
 */
const HOST_RUNTIME_ENV: Record<string, string> = {
  DOTNET_TC_CallCountingDelayMs: '500',
  DOTNET_TieredPGO: '0',
};

function hostEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return childEnv({ ...HOST_RUNTIME_ENV, ...env }, { TERM: 'dumb', NO_COLOR: '1' });
}

interface Pending {
  id: string;
  frames: Frame[];
  wake?: () => void;
  secrets: Map<string, SecretValue>;
  failure?: Error;
  done: boolean;
}

/**
 * One pwsh host process. node-powershell spawns it (with -NoLogo -NoProfile -NonInteractive, TERM=dumb)
 * and runs the one fixed line that loads the bridge and enters its request loop. Requests then travel as
 * single JSON lines over a private side channel, and results, progress and errors come back framed on
 * it: node-powershell's own per-command protocol costs about 10 ms a call and buffers whole outputs,
 * which would rule out fast calls and streaming (see the core README).
 */
export class PwshBridge {
  private readonly splitter = new LineSplitter();
  private current: Pending | undefined;
  private queue: Promise<void> = Promise.resolve();
  private exited = false;
  private closing = false;
  private readonly exitWaiters: Array<() => void> = [];

  private constructor(
    private readonly shell: PowerShell,
    private readonly child: ChildProcess,
    private readonly socket: Socket,
    private readonly serve: Promise<unknown>,
    readonly pid: number,
    readonly info: PwshInfo,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.resume();
    socket.on('error', () => undefined);
    socket.on('close', () => this.failCurrent(this.hostGone('The PowerShell host closed its channel.')));
    // The request loop ends only on quit: a failure of the bootstrap line after the hello leaves a host that
    // reads no requests, so it is ended and its caller sees SESSION_BROKEN.
    serve.catch(() => {
      if (!this.closing) this.kill();
    });
    child.once('exit', () => {
      this.exited = true;
      this.failCurrent(this.hostGone('The PowerShell host exited.'));
      for (const wake of this.exitWaiters.splice(0)) wake();
    });
  }

  static async start(options: BridgeStartOptions = {}): Promise<PwshBridge> {
    const info = options.info ?? (await locatePwsh({ env: options.env, cache: true }));
    const channel = await openSideChannel();
    const executableOptions: Record<string, boolean | string> = {
      '-NoProfile': true,
      '-NonInteractive': true,
    };
    if (process.platform === 'win32')
      executableOptions['-ExecutionPolicy'] = options.executionPolicy ?? 'Bypass';
    const shell = quietDebugLog(() =>
      inOwnProcessGroup(
        () =>
          new PowerShell({
            executable: info.executable,
            executableOptions,
            spawnOptions: { env: hostEnv(options.env ?? process.env), windowsHide: true },
          }),
      ),
    );
    const child = (shell as unknown as { process: ChildProcess }).process;
    // node-powershell rejects its exit promise on any non-zero exit; we report exits ourselves.
    (shell as unknown as { exitPromise: Promise<void> }).exitPromise.catch(() => undefined);
    shell.streams.stdin.on('error', () => undefined);
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (child.pid === undefined)
        throw new ExoError('PWSH_NOT_FOUND', `pwsh could not be started from ${info.executable}.`);
      // The bootstrap line runs until the request loop ends: it settles at start only when pwsh failed.
      const serve = shell.invoke(bootstrapLine(channel.address, options.executionPolicy ?? 'Bypass'));
      serve.catch(() => undefined);
      const failed = serve.then(
        () => Promise.reject(new Error('the bridge ended before it said hello')),
        (error: unknown) => Promise.reject(error),
      );
      failed.catch(() => undefined);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ExoError('TIMEOUT', `pwsh did not start within ${timeoutMs} ms.`)),
          timeoutMs,
        );
      });
      const exited = new Promise<never>((_, reject) => {
        child.once('exit', (code) =>
          reject(new ExoError('PWSH_NOT_FOUND', `pwsh exited during start (code ${code}).`)),
        );
      });
      const socket = await Promise.race([channel.accepted, failed, timeout, exited]);
      const hello = await Promise.race([readHello(socket), failed, timeout, exited]);
      if (hello.token !== channel.address.token) {
        socket.destroy();
        throw new ExoError('PWSH_NOT_FOUND', 'The PowerShell host did not identify itself.');
      }
      // The version comes from the running host, so a cached location (locatePwsh's cache) is checked anyway.
      if (hello.version !== info.version) await forgetPwshLocations({ env: options.env });
      if (compareVersions(hello.version, MINIMUM_PWSH_VERSION) < 0) {
        throw new ExoError(
          'PWSH_NOT_FOUND',
          `${info.executable} is PowerShell ${hello.version}, older than ${MINIMUM_PWSH_VERSION}.`,
        );
      }
      shell.history.length = 0;
      return new PwshBridge(shell, child, socket, serve, hello.pid, info);
    } catch (error) {
      // A pwsh that something else ended while it started (a kill, a crash) was found and ran: report a
      // broken host, not a missing one, whichever of its exit, its channel or its shell noticed first.
      if (!ExoError.is(error, 'TIMEOUT')) await exitedWithin(child, 500);
      const endedBy = child.signalCode;
      child.kill('SIGKILL');
      await channel.close();
      if (endedBy) {
        throw new ExoError(
          'SESSION_BROKEN',
          `The PowerShell host was ended by ${endedBy} while it started.`,
          {
            remediation: 'Something outside exo-connect ended pwsh; connect again.',
            cause: error,
          },
        );
      }
      if (ExoError.is(error)) throw error;
      throw new ExoError(
        'PWSH_NOT_FOUND',
        `The PowerShell host failed to start: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  get alive(): boolean {
    return !this.exited;
  }

  /**
   * Runs one command and yields its frames (objects, errors, warnings, information, progress) as they
   * arrive; returns the end frame. Requests on one host run one at a time, in call order.
   */
  async *request(
    command: string,
    parameters: Record<string, ParameterValue> = {},
    options: BridgeRequestOptions = {},
  ): AsyncGenerator<Frame, { ok: boolean; stopped: boolean }, undefined> {
    const id = randomUUID();
    const line = encodeRequest({ id, command, parameters, depth: options.depth ?? 4, queue: 1024 });
    for (const [name, secret] of Object.entries(options.secrets ?? {})) checkSecret(name, secret);
    let release!: () => void;
    const turn = this.queue;
    this.queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await turn;
    const pending: Pending = {
      id,
      frames: [],
      secrets: new Map(Object.entries(options.secrets ?? {})),
      done: false,
    };
    let stopTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      this.writeControl({ t: 'stop', id });
      stopTimer = setTimeout(() => this.kill(), options.stopGraceMs ?? 5_000);
    };
    let ended = false;
    try {
      if (this.exited) throw this.hostGone('The PowerShell host has exited.');
      options.signal?.throwIfAborted();
      this.current = pending;
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.socket.write(`${line}\n`);
      while (true) {
        const frame = await this.next(pending);
        if (frame.t === 'end') {
          if (frame.id !== id) continue;
          ended = true;
          return { ok: frame.ok, stopped: frame.stopped };
        }
        yield frame;
      }
    } finally {
      // The caller stopped reading before the end (break, throw): stop the command and read its frames
      // away up to its end frame, so they never reach the next request and the queue moves on.
      if (!ended && this.current === pending && !pending.failure) {
        await this.abandon(pending, options.stopGraceMs ?? 5_000);
      }
      clearTimeout(stopTimer);
      options.signal?.removeEventListener('abort', onAbort);
      pending.done = true;
      pending.secrets.clear();
      if (this.current === pending) this.current = undefined;
      this.socket.resume();
      release();
    }
  }

  /** Stops a request nobody reads any more and waits for its end frame; kills the host after graceMs. */
  private async abandon(pending: Pending, graceMs: number): Promise<void> {
    this.writeControl({ t: 'stop', id: pending.id });
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      while (true) {
        const frame = await this.next(pending);
        if (frame.t === 'end' && frame.id === pending.id) return;
      }
    } catch {
      // The host ended meanwhile: nothing more will arrive.
    } finally {
      clearTimeout(timer);
    }
  }

  /** Asks the running request to stop; the host stops its pipeline and ends the request. */
  stop(): void {
    if (this.current) this.writeControl({ t: 'stop', id: this.current.id });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /**
   * Ends the host: the request loop removes every session it still holds and returns, pwsh reads the end
   * of its stdin and exits; after graceMs it is killed.
   */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    if (!this.exited) {
      const timer = setTimeout(() => this.kill(), graceMs);
      // A request whose stream the caller abandoned never releases the queue; the exit does.
      await Promise.race([this.queue, this.waitForExit()]);
      this.writeControl({ t: 'quit' });
      await this.serve.catch(() => undefined);
      this.shell.streams.stdin.end();
      await this.waitForExit();
      clearTimeout(timer);
    }
    this.socket.destroy();
    this.shell.history.length = 0;
  }

  waitForExit(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  private hostGone(message: string): ExoError {
    return new ExoError('SESSION_BROKEN', message, {
      remediation: 'The local PowerShell host ended unexpectedly; connect again.',
    });
  }

  private writeControl(frame: object): void {
    if (!this.socket.destroyed) this.socket.write(`${JSON.stringify(frame)}\n`);
  }

  private failCurrent(error: Error): void {
    const pending = this.current;
    if (!pending || pending.failure) return;
    pending.failure = error;
    pending.wake?.();
  }

  private onData(chunk: Buffer): void {
    const pending = this.current;
    for (const line of this.splitter.push(chunk)) {
      if (!line) continue;
      let frame: Frame;
      try {
        frame = parseFrame(line);
      } catch (error) {
        this.failCurrent(
          new ExoError('SESSION_BROKEN', 'The PowerShell host sent a malformed frame.', { cause: error }),
        );
        continue;
      }
      if (!pending || pending.done) continue;
      if (frame.t === 'secret') {
        this.answerSecret(pending, frame.name);
        continue;
      }
      pending.frames.push(frame);
    }
    if (pending && pending.frames.length > HIGH_WATER) this.socket.pause();
    pending?.wake?.();
  }

  private answerSecret(pending: Pending, name: string): void {
    const secret = pending.secrets.get(name);
    pending.secrets.delete(name);
    // A missing secret is answered with a refusal, so pwsh fails the request instead of waiting forever.
    this.socket.write(`${JSON.stringify(secret ? { name, ...secret } : { name: null })}\n`);
  }

  private async next(pending: Pending): Promise<Frame> {
    while (true) {
      const frame = pending.frames.shift();
      if (frame) {
        if (pending.frames.length < LOW_WATER && this.socket.isPaused()) this.socket.resume();
        return frame;
      }
      if (pending.failure) throw pending.failure;
      await new Promise<void>((resolve) => {
        pending.wake = resolve;
      });
      pending.wake = undefined;
    }
  }
}

/** Resolves once the child has exited, or after `ms` if it has not. */
function exitedWithin(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function readHello(socket: Socket): Promise<{ token: string; pid: number; version: string }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const nl = buffered.indexOf(0x0a);
      if (nl === -1) return;
      socket.off('data', onData);
      socket.pause();
      const rest = buffered.subarray(nl + 1);
      if (rest.length > 0) socket.unshift(rest);
      try {
        const frame = JSON.parse(buffered.subarray(0, nl).toString('utf8'));
        if (frame.t !== 'hello') throw new Error('expected hello');
        resolve(frame);
      } catch (error) {
        reject(error);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('side channel closed before hello')));
  });
}
