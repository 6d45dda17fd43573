/**
 * Runs a command on a real terminal (a detached tmux session) and types into it. A secret is never put on a
 * command line (tmux's own argv is visible in /proc): it is loaded into a tmux buffer from stdin and pasted.
 */
import { execFileSync } from 'node:child_process';

const tmux = (args: string[], input?: string) =>
  execFileSync('tmux', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });

/** Quotes a word for the POSIX shell tmux runs the command with. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TerminalSession {
  name: string;
  /** PID of the pane's shell: the root of the processes the command starts. */
  panePid: number;
  /** The screen and its scrollback. */
  screen(): string;
  /** Types text (no secret: it becomes part of tmux's argv). */
  type(text: string): void;
  key(name: 'Enter' | 'C-c' | 'C-d'): void;
  /** Pastes a secret through a tmux buffer (stdin → buffer → pane; the buffer is deleted). */
  paste(secret: string): void;
  /** Waits until the screen matches. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  kill(): void;
}

/** Starts `argv` with exactly `env` (env -i) in a new 200×50 tmux session. */
export function startTerminal(name: string, argv: string[], env: Record<string, string>): TerminalSession {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const command = `env -i ${vars.join(' ')} ${argv.map(shellQuote).join(' ')}; echo EXIT=$?; sleep 120`;
  tmux(['new-session', '-d', '-s', name, '-x', '200', '-y', '50', command]);
  const panePid = Number(tmux(['display-message', '-p', '-t', name, '#{pane_pid}']).trim());
  const screen = () => tmux(['capture-pane', '-p', '-J', '-t', name, '-S', '-500']);
  return {
    name,
    panePid,
    screen,
    type: (text) => {
      tmux(['send-keys', '-t', name, '-l', text]);
    },
    key: (key) => {
      tmux(['send-keys', '-t', name, key]);
    },
    paste: (secret) => {
      const buffer = `exo-${name}`;
      tmux(['load-buffer', '-b', buffer, '-'], secret);
      tmux(['paste-buffer', '-d', '-b', buffer, '-t', name]);
    },
    waitFor: async (pattern, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const text = screen();
        if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${pattern} on the terminal:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    kill: () => {
      try {
        tmux(['kill-session', '-t', name]);
      } catch {
        // already gone
      }
    },
  };
}
