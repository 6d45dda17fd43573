import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { classifyErrorFrame, type ErrorFrame, ExoError, openSideChannel } from '@exo-connect/core';
import { childEnv } from '@exo-connect/pwsh';
import type { ShellMessage } from './shell-message.js';

const STARTUP = fileURLToPath(new URL('../../powershell/shell-startup.ps1', import.meta.url));
// The script is read and run as a script block, so an execution policy that blocks script files (Windows)
// does not stop it, and the shell's own policy stays what the user set. Its path comes from the environment.
// Neither a Ctrl+C before the script's own try block nor a script that cannot be read may leave an unconnected
// prompt: pwsh then exits, with 130 or (a broken installation) 70.
const BOOTSTRAP =
  'try { . ([scriptblock]::Create([System.IO.File]::ReadAllText($env:EXO_SHELL_SCRIPT, [System.Text.Encoding]::UTF8))) } ' +
  'catch { $global:ExoShellBroken = $true; $host.SetShouldExit(70); throw } ' +
  'finally { if (-not $global:ExoShellLabel -and -not $global:ExoShellBroken) { $host.SetShouldExit(130) } }';

/** What the start-up script reported back: connected, failed (with PowerShell's error) or stopped by Ctrl+C. */
type Outcome =
  | { ok: true }
  | { ok: false; aborted: true }
  | { ok: false; step: 'session' | 'import'; error: Omit<ErrorFrame, 't' | 'terminating'> };

export interface ShellRun {
  /** The exit code for exo: pwsh's own, or 128 + n when a signal ended it. */
  exitCode: number;
  /** The signal that ended the shell (forwarded by exo, or the terminal's hang-up). */
  signal?: NodeJS.Signals;
}

export interface RunShellOptions {
  pwsh: string;
  /** What the start-up script runs: core's connection plan, its functions and secrets. */
  message: ShellMessage;
  env: NodeJS.ProcessEnv;
  /** The shell's stdin: inherited, or a file descriptor (the terminal, after --password-stdin read the pipe). */
  stdin: 'inherit' | number;
}

/** `stty -g` of the terminal pwsh gets, to put back if pwsh had to be killed (it cannot restore it then). */
function saveTerminal(stdin: 'inherit' | number): string | undefined {
  if (process.platform === 'win32' || (stdin === 'inherit' && !process.stdin.isTTY)) return undefined;
  const saved = spawnSync('stty', ['-g'], { stdio: [stdin === 'inherit' ? 0 : stdin, 'pipe', 'ignore'] });
  return saved.status === 0 ? saved.stdout.toString().trim() : undefined;
}

function restoreTerminal(stdin: 'inherit' | number, settings: string | undefined): void {
  if (settings)
    spawnSync('stty', [settings], { stdio: [stdin === 'inherit' ? 0 : stdin, 'ignore', 'ignore'] });
}

function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 1);
}

/**
 * Runs the interactive pwsh until it exits. It gets the terminal; exo only hands over the plan once, on a
 * private channel, and waits. Once the plan is handed over Ctrl+C belongs to pwsh (it stops the running
 * command or the connect, not the shell); before that exo cancels (see above). SIGTERM and SIGHUP sent to
 * exo are passed on to pwsh, so the shell never outlives exo. A connect that failed or was
 * interrupted comes back as an ExoError (after pwsh removed what it had made).
 */
export async function runShell(options: RunShellOptions): Promise<ShellRun> {
  // Until the script has the plan, a Ctrl+C is exo's to handle: pwsh may lose it while it starts, or it may
  // stop pwsh before the start-up script runs, leaving a bare prompt. Nothing exists yet then: when the script
  // connects it is told to stop; if it never does, pwsh is ended (SIGTERM; SIGKILL if it hangs in start-up).
  let handedOver = false;
  let cancelled = false;
  let killed = false;
  let child: ChildProcess | undefined;
  let forwarded: NodeJS.Signals | undefined;
  let timer: NodeJS.Timeout | undefined;
  const interrupt = () => {
    if (handedOver || cancelled) return;
    cancelled = true;
    timer = setTimeout(() => {
      child?.kill('SIGTERM');
      timer = setTimeout(() => {
        killed = child?.kill('SIGKILL') ?? false;
      }, 10_000);
    }, 15_000);
  };
  const forward = (signal: NodeJS.Signals) => {
    forwarded ??= signal;
    child?.kill(signal);
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  const channel = await openSideChannel().catch((error: unknown) => {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', forward);
    process.off('SIGHUP', forward);
    throw error;
  });
  // No secret reaches the shell: it is the user's pwsh, with everything they run in it.
  const env = childEnv(options.env, { EXO_SHELL_SCRIPT: STARTUP, EXO_SHELL_TOKEN: channel.address.token });
  if (channel.address.socketPath) env.EXO_SHELL_CHANNEL = channel.address.socketPath;
  else env.EXO_SHELL_PIPE = channel.address.pipeName;

  let outcome: Outcome | undefined;
  let channelClosed: Promise<void> | undefined;
  channel.accepted.then((socket) => {
    channelClosed = new Promise((resolve) => socket.once('close', () => resolve()));
    let buffered = '';
    let proven = false;
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end).trim();
        buffered = buffered.slice(end + 1);
        if (!proven) {
          // The first line proves this is the pwsh exo started; only then does the plan (and password) go out.
          if (line !== channel.address.token) {
            socket.destroy();
            return;
          }
          if (cancelled) {
            socket.end('{"cancel":true}\n');
            return;
          }
          proven = true;
          handedOver = true;
          socket.write(`${JSON.stringify(options.message)}\n`);
        } else if (outcome === undefined) {
          try {
            outcome = JSON.parse(line) as Outcome;
          } catch {
            socket.destroy();
          }
        }
      }
    });
  });

  // At a terminal pwsh stays (-NoExit) for the user; with commands piped in it runs them and ends.
  const mode = options.message.stdinScript ? ['-NonInteractive'] : ['-NoExit'];
  const terminalSettings = saveTerminal(options.stdin);
  try {
    if (cancelled || forwarded) {
      throw new ExoError('ABORTED', 'Interrupted while connecting; nothing was left open.');
    }
    const started = spawn(options.pwsh, ['-NoLogo', '-NoProfile', ...mode, '-Command', BOOTSTRAP], {
      stdio: [options.stdin, 'inherit', 'inherit'],
      env,
    });
    child = started;
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      started.once('error', reject);
      started.once('exit', (c, s) => resolve([c, s]));
    });
    // pwsh wrote its outcome before exiting; its end of the channel is closed now, so this does not wait long.
    if (channelClosed) await Promise.race([channelClosed, new Promise((r) => setTimeout(r, 2000).unref())]);
    const ended = signal ?? forwarded;
    if (cancelled) throw new ExoError('ABORTED', 'Interrupted while connecting; nothing was left open.');
    if (outcome && !outcome.ok) {
      if ('aborted' in outcome) {
        throw new ExoError('ABORTED', 'Interrupted while connecting; nothing was left open.');
      }
      throw classifyErrorFrame(
        { t: 'e', terminating: true, ...outcome.error },
        { step: outcome.step, rpsRetired: options.message.rpsRetired },
      );
    }
    if (outcome === undefined && (signal === 'SIGINT' || code === 130)) {
      // Ctrl+C before the start-up script had opened the channel: nothing was made yet.
      throw new ExoError('ABORTED', 'Interrupted while connecting; nothing was left open.');
    }
    if (signal) return { exitCode: signalExitCode(signal), signal };
    if (outcome === undefined && code !== 0) {
      // The start-up script always reports back, so this is a bug (or a pwsh that cannot start at all).
      throw new Error(`pwsh ended (exit ${code}) before exo shell's start-up script reported back.`);
    }
    return ended ? { exitCode: code ?? signalExitCode(ended), signal: ended } : { exitCode: code ?? 1 };
  } finally {
    clearTimeout(timer);
    if (killed) restoreTerminal(options.stdin, terminalSettings);
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', forward);
    process.off('SIGHUP', forward);
    await channel.close();
  }
}
