import { type ChildProcess, spawn } from 'node:child_process';

export interface LineChildOptions<Line> {
  env?: NodeJS.ProcessEnv;
  /** Its own process group, so that a test can signal the whole group as a terminal's Ctrl-C does. */
  detached?: boolean;
  /** Called with each line as it arrives, before any waiter sees it. */
  onLine?: (line: Line) => void;
}

export interface LineChild<Line> {
  process: ChildProcess;
  /** Every line so far, in order. */
  lines: Line[];
  /**
   * Resolves with the first line that matches, also one that came before the call. Rejects, with the lines and
   * stderr, as soon as the child exits without one, or after `timeoutMs` (default 120 s, a backstop for a hang).
   */
  waitFor(match: (line: Line) => boolean, timeoutMs?: number): Promise<Line>;
  /** Settles once the child has exited and its output is read. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/**
 * Runs `node <script> …args`, a small program that reports what it does as one JSON object per stdout line, so
 * that a test acts when the child reaches the state it wants instead of after a guessed delay.
 */
export function startLineChild<Line>(
  script: string,
  args: readonly string[],
  options: LineChildOptions<Line> = {},
): LineChild<Line> {
  const child = spawn(process.execPath, [script, ...args], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const lines: Line[] = [];
  const wakers: Array<() => void> = [];
  const wake = () => {
    for (const waker of wakers.splice(0)) waker();
  };
  let buffered = '';
  let errors = '';
  let exited = false;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl !== -1) {
      const line = JSON.parse(buffered.slice(0, nl)) as Line;
      lines.push(line);
      options.onLine?.(line);
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
    }
    wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  // 'close', not 'exit': by then every line the child wrote has been read.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      exited = true;
      wake();
      resolve({ code, signal });
    }),
  );
  const describe = () => `lines: ${JSON.stringify(lines)}\nstderr: ${errors.slice(-2000)}`;
  return {
    process: child,
    lines,
    exit,
    stderr: () => errors,
    waitFor: (match, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const at = wakers.indexOf(check);
          if (at !== -1) wakers.splice(at, 1);
          reject(new Error(`no matching line within ${timeoutMs} ms; ${describe()}`));
        }, timeoutMs);
        function check() {
          const found = lines.find(match);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else if (exited) {
            clearTimeout(timer);
            reject(new Error(`the child exited without a matching line; ${describe()}`));
          } else {
            wakers.push(check);
          }
        }
        check();
      }),
  };
}
