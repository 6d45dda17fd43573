import { spawn } from 'node:child_process';
import type { Resources } from './resources.js';

/**
 * A long-running process driven line by line: write a line, read the next line it prints. The floor of
 * scenario 2 runs this way, so its blocks of calls can alternate with the engine's.
 */
export class LineProcess {
  readonly #lines: string[] = [];
  readonly #waiters: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  #stderr = '';
  #ended: Error | undefined;

  private constructor(private readonly child: ReturnType<typeof spawn>) {
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl !== -1) {
        this.#push(pending.slice(0, nl).trimEnd());
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-2000);
    });
    child.stdin!.on('error', () => undefined);
    child.once('close', (code) => {
      this.#ended = new Error(
        `exited ${code}${this.#stderr ? `: ${this.#stderr.trim().replace(/\s+/g, ' ')}` : ''}`,
      );
      for (const w of this.#waiters.splice(0)) w.reject(this.#ended);
    });
  }

  static start(resources: Resources, command: string, args: string[], env: NodeJS.ProcessEnv): LineProcess {
    return new LineProcess(
      resources.track(spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true })),
    );
  }

  #push(line: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(line);
    else this.#lines.push(line);
  }

  write(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** The next line the process prints (rejects if it exits first). */
  next(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Closes stdin and waits for the exit (killing it after graceMs). */
  async close(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
