import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A terminal for tests: a private tmux server (its own socket, no user config) whose panes stay after their
 * program ends, so the exit status and the whole screen history can still be read.
 */
export class Terminal {
  private readonly socket: string;
  private readonly config: string;

  constructor(directory: string, name: string) {
    this.socket = join(directory, `${name}.tmux`);
    this.config = join(directory, `${name}.tmux.conf`);
    writeFileSync(this.config, 'set -g remain-on-exit on\nset -g history-limit 50000\n');
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', this.config, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Starts `argv` (no shell in between) in a new session; the pane's process is argv[0]. */
  start(session: string, argv: string[], env: Record<string, string>): number {
    const vars = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', ...vars, ...argv);
    return Number(this.tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
  }

  /** Everything the pane has shown, history included, with wrapped lines joined. */
  screen(session: string): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session);
  }

  type(session: string, text: string): void {
    this.tmux('send-keys', '-t', session, '-l', text);
    this.tmux('send-keys', '-t', session, 'Enter');
  }

  keys(session: string, ...keys: string[]): void {
    this.tmux('send-keys', '-t', session, ...keys);
  }

  /** The pane's program has ended: its exit status (or undefined while it runs). */
  status(session: string): { dead: boolean; status?: number; signal?: number } {
    const [dead, status, signal] = this.tmux(
      'display-message',
      '-p',
      '-t',
      session,
      '#{pane_dead} #{pane_dead_status} #{pane_dead_signal}',
    )
      .trim()
      .split(' ');
    return {
      dead: dead === '1',
      status: status ? Number(status) : undefined,
      signal: signal ? Number(signal) : undefined,
    };
  }

  async waitFor(session: string, expected: string | RegExp, timeout = 90_000): Promise<string> {
    const pattern = typeof expected === 'string' ? new RegExp(escapeRegExp(expected)) : expected;
    return this.poll(session, `${pattern}`, timeout, () => {
      const screen = this.screen(session);
      return pattern.test(screen) ? screen : undefined;
    });
  }

  /** Waits for the pane's program to end; its exit status, or 128 + n when signal n ended it. */
  async waitForExit(session: string, timeout = 90_000): Promise<number> {
    const pid = Number(this.tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
    return this.poll(session, 'the program to end', timeout, () => {
      const { dead, status, signal } = this.status(session);
      if (dead && status !== undefined) return status;
      if (dead && signal !== undefined) return 128 + signal;
      // tmux marks the pane dead when the terminal closes and sometimes reaps the program much later: a
      // zombie's exit status can be read from /proc meanwhile.
      return zombieExitStatus(pid);
    });
  }

  /** Polls `check` until it gives a value; on timeout the error shows what the terminal shows. */
  private async poll<T>(
    session: string,
    what: string,
    timeout: number,
    check: () => T | undefined,
  ): Promise<T> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        const tail = this.screen(session).trimEnd().split('\n').slice(-15).join('\n');
        throw new Error(`Waited ${timeout} ms for ${what} in "${session}"; the screen ends with:\n${tail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  kill(session: string): void {
    this.tmux('kill-session', '-t', session);
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone with its last session.
    }
  }
}

/** The exit status of a process that has ended but not been reaped yet (field 52 of /proc/<pid>/stat). */
function zombieExitStatus(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z') return undefined;
    const code = Number(fields[49]);
    return code & 0x7f ? 128 + (code & 0x7f) : (code >> 8) & 0xff;
  } catch {
    return undefined;
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
