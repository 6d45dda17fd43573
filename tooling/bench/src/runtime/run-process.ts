import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Resources } from './resources.js';

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout without the mark lines. */
  stdout: string;
  stderr: string;
  /** From spawn to exit, ms. */
  wallMs: number;
  /** When each `@mark <name> <ms>` line arrived, ms after spawn (the time Node saw it). */
  marks: Record<string, number>;
  /** The ms each mark line reported (the script's own stopwatch). */
  inner: Record<string, number>;
}

export interface RunProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (a password goes here, never on the command line). */
  input?: string;
  timeoutMs?: number;
}

const MARK = /^@mark (\S+) ([\d.]+)\s*$/;

/** Spawns a process, times it from spawn to exit and timestamps its `@mark` lines as they arrive. */
export function runProcess(
  resources: Resources,
  command: string,
  args: string[],
  options: RunProcessOptions = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = resources.track(
      spawn(command, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true }),
    );
    const marks: Record<string, number> = {};
    const inner: Record<string, number> = {};
    const out: string[] = [];
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const now = performance.now() - started;
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const m = MARK.exec(line);
        if (m) {
          marks[m[1]!] = now;
          inner[m[1]!] = Number(m[2]);
        } else out.push(line);
        nl = pending.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs).unref()
      : undefined;
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (pending) out.push(pending);
      resolve({
        code,
        signal,
        stdout: out.join('\n'),
        stderr,
        wallMs: performance.now() - started,
        marks,
        inner,
      });
    });
  });
}

/** Throws with the process's own words when it did not exit 0. */
export function assertSucceeded(run: ProcessRun, what: string): void {
  if (run.code === 0) return;
  const why = run.signal ? `was killed (${run.signal})` : `exited ${run.code}`;
  const detail = (run.stderr.trim() || run.stdout.trim()).replace(/\s+/g, ' ').slice(0, 800);
  throw new Error(`${what} ${why}${detail ? `: ${detail}` : ''}`);
}
