import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { childEnv } from '@exo-connect/pwsh';
import type { PowerShell } from 'node-powershell';
import { connectionStepsScript } from '../connect/connection-steps.js';
import { ExoError } from '../errors/exo-error.js';
import {
  compareVersions,
  forgetPwshLocations,
  locatePwsh,
  MINIMUM_PWSH_VERSION,
  type PwshInfo,
} from '../pwsh/locate-pwsh.js';
import { openSideChannel, type SideChannelAddress } from './side-channel.js';

export interface BridgeStartOptions {
  info?: PwshInfo;
  env?: NodeJS.ProcessEnv;
  /** Windows only: the process-scope execution policy for the host (default Bypass). */
  executionPolicy?: string;
  /** How long pwsh may take to start and connect its side channel. Default 60 s. */
  startTimeoutMs?: number;
}

/** What the host said when its side channel connected (its hello). */
export interface Greeting {
  pid: number;
  version: string;
}

/** Appends fixed function text to the worker runspace's script (a here-string: it must not end one). */
function forWorker(script: string): string {
  if (/^'@/m.test(script)) throw new Error('a fixed worker script cannot contain a here-string terminator');
  return `\n$script:WorkerScript += @'\n${script}\n'@\n`;
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
    forWorker(connectionStepsScript());
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

/**
 * One pwsh host process. node-powershell spawns it (with -NoLogo -NoProfile -NonInteractive, TERM=dumb)
 * and runs the one fixed line that loads the bridge and enters its request loop; everything else travels
 * on the private side channel this yields (see host-protocol.ts): node-powershell's own per-command
 * protocol costs about 10 ms a call and buffers whole outputs, which would rule out fast calls and
 * streaming (see the core README). Every workaround node-powershell needs lives here.
 */
export class PwshProcess {
  private exited = false;
  private closing = false;
  private readonly exitWaiters: Array<() => void> = [];

  private constructor(
    private readonly shell: PowerShell,
    private readonly child: ChildProcess,
    /** The side channel: a duplex byte stream to the bridge. */
    readonly channel: Socket,
    private readonly serve: Promise<unknown>,
    readonly info: PwshInfo,
  ) {
    // The request loop ends only on quit: a failure of the bootstrap line after the hello leaves a host that
    // reads no requests, so it is ended and its caller sees SESSION_BROKEN.
    serve.catch(() => {
      if (!this.closing) this.kill();
    });
    child.once('exit', () => {
      this.exited = true;
      for (const wake of this.exitWaiters.splice(0)) wake();
    });
  }

  /**
   * Spawns pwsh and waits for its side channel; `greet` reads the hello on it (and may throw to refuse the
   * host). Any failure ends the process: PWSH_NOT_FOUND, TIMEOUT, or SESSION_BROKEN when something else
   * ended it meanwhile.
   */
  static async start<G extends Greeting>(
    options: BridgeStartOptions,
    greet: (channel: Socket, token: string) => Promise<G>,
  ): Promise<{ host: PwshProcess; greeting: G }> {
    const info = options.info ?? (await locatePwsh({ env: options.env, cache: true }));
    // Loaded when a host first starts: the rest strategy never needs it.
    const { PowerShell: Shell } = await import('node-powershell');
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
          new Shell({
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
      const greeting = await Promise.race([greet(socket, channel.address.token), failed, timeout, exited]);
      // The version comes from the running host, so a cached location (locatePwsh's cache) is checked anyway.
      if (greeting.version !== info.version) await forgetPwshLocations({ env: options.env });
      if (compareVersions(greeting.version, MINIMUM_PWSH_VERSION) < 0) {
        throw new ExoError(
          'PWSH_NOT_FOUND',
          `${info.executable} is PowerShell ${greeting.version}, older than ${MINIMUM_PWSH_VERSION}.`,
        );
      }
      shell.history.length = 0;
      return { host: new PwshProcess(shell, child, socket, serve, info), greeting };
    } catch (error) {
      // A pwsh that something else ended while it started (a kill, a crash) was found and ran: report a
      // broken host, not a missing one, whichever of its exit, its channel or its shell noticed first.
      if (!ExoError.is(error, 'TIMEOUT')) await exitedWithin(child, 500);
      const endedBy = child.signalCode;
      child.kill('SIGKILL');
      await channel.close();
      if (endedBy) {
        const remediation = 'Something outside exo-connect ended pwsh; connect again.';
        const message = `The PowerShell host was ended by ${endedBy} while it started.`;
        throw new ExoError('SESSION_BROKEN', message, { remediation, cause: error });
      }
      if (ExoError.is(error)) throw error;
      const message = `The PowerShell host failed to start: ${(error as Error).message}`;
      throw new ExoError('PWSH_NOT_FOUND', message, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Calls `listener` once the process has exited (at once if it has). */
  onExit(listener: () => void): void {
    if (this.exited) listener();
    else this.child.once('exit', listener);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /**
   * Ends the host: `quit` ends the bridge's request loop (which removes every session it still holds), then
   * pwsh reads the end of its stdin and exits; after graceMs it is killed.
   */
  async end(graceMs: number, quit: () => Promise<void>): Promise<void> {
    this.closing = true;
    if (!this.exited) {
      const timer = setTimeout(() => this.kill(), graceMs);
      await quit();
      await this.serve.catch(() => undefined);
      this.shell.streams.stdin.end();
      await this.waitForExit();
      clearTimeout(timer);
    }
    this.channel.destroy();
    this.shell.history.length = 0;
  }

  waitForExit(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
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
