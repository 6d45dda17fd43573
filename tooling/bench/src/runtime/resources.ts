import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesWithEnv } from './procs.js';

/**
 * Everything a run creates: one temporary root holding every tenant and config directory, the child
 * processes it spawned, and cleanups (open connections) to run at the end. Every pwsh of the run, ours
 * or started by the engine, carries EXO_SANDBOX_DIR=<root>/…, so leftovers are found by that marker
 * and ended by PID even when a scenario crashed half-way.
 */
export class Resources {
  readonly #children = new Set<ChildProcess>();
  readonly #cleanups = new Set<() => Promise<void>>();
  #closed = false;

  private constructor(readonly root: string) {}

  static async create(): Promise<Resources> {
    return new Resources(await mkdtemp(join(tmpdir(), 'exo-bench-')));
  }

  /** A fresh directory under the run's root. */
  async dir(name: string): Promise<string> {
    if (this.#closed) throw new Error('the run is ending: nothing new starts');
    const path = join(this.root, name);
    await mkdir(path, { recursive: true });
    return path;
  }

  track<T extends ChildProcess>(child: T): T {
    // A scenario still winding down after an interrupt must not leave a process behind.
    if (this.#closed) child.kill('SIGKILL');
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Registers a cleanup (disconnect, dispose) for the end of the run; returns a function to drop it. */
  defer(fn: () => Promise<void>): () => void {
    if (this.#closed) {
      void fn().catch(() => undefined);
      return () => undefined;
    }
    this.#cleanups.add(fn);
    return () => this.#cleanups.delete(fn);
  }

  /** PIDs of the run's leftover processes (pwsh hosts, session servers, CLI children). */
  leftovers(): number[] {
    return processesWithEnv('EXO_SANDBOX_DIR', this.root);
  }

  async close(): Promise<{ killed: number }> {
    if (this.#closed) return { killed: 0 };
    this.#closed = true;
    const cleanups = [...this.#cleanups];
    this.#cleanups.clear();
    await Promise.race([
      Promise.allSettled(cleanups.map((fn) => fn())),
      new Promise((resolve) => setTimeout(resolve, 20_000).unref()),
    ]);
    let killed = 0;
    for (const child of this.#children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        killed++;
      }
    }
    // A disconnect that timed out, or a crash, can leave hosts and servers: end them by PID.
    for (let attempt = 0; attempt < 3; attempt++) {
      const pids = this.leftovers();
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
          killed++;
        } catch {
          // Already gone.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
    return { killed };
  }
}
