/**
 * Samples /proc while a scenario runs: the argv and environment of every descendant of this process (and of
 * extra roots, such as a tmux pane), searched for a secret in UTF-8 and UTF-16LE.
 */
import { descendantsOf, findSecret, processArgv, readProc } from './common.js';

export interface ProcHit {
  pid: number;
  command: string;
  file: 'cmdline' | 'environ';
}

export class ProcWatcher {
  /** Every process seen at least once, by PID, with its command name. */
  readonly seen = new Map<number, string>();
  readonly hits: ProcHit[] = [];
  samples = 0;
  /** PIDs whose environment may hold the secret by design (exo itself when EXO_PASSWORD is set). */
  readonly environExempt = new Set<number>();
  readonly roots = new Set<number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly secret: string) {}

  start(intervalMs = 100): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.sample();
  }

  sample(): void {
    if (process.platform !== 'linux') return;
    this.samples++;
    const pids = new Set<number>([process.pid, ...descendantsOf(process.pid)]);
    for (const root of this.roots) {
      pids.add(root);
      for (const pid of descendantsOf(root)) pids.add(pid);
    }
    // Between fork and exec a child still shows its parent's memory, environment included: a fork of a
    // process exempt for its environment (exo, holding EXO_PASSWORD where the user put it) is that process.
    const exemptArgv = new Set<string>();
    for (const pid of this.environExempt) {
      const argv = processArgv(pid);
      if (argv) exemptArgv.add(argv.join('\0'));
    }
    for (const pid of pids) {
      const argv = processArgv(pid);
      if (!argv) continue;
      const forkOfExempt = !this.environExempt.has(pid) && exemptArgv.has(argv.join('\0'));
      const command = argv.slice(0, 2).join(' ').slice(0, 120);
      if (!this.seen.has(pid)) this.seen.set(pid, command);
      for (const file of ['cmdline', 'environ'] as const) {
        if (file === 'environ' && (this.environExempt.has(pid) || forkOfExempt)) continue;
        const raw = readProc(pid, file);
        if (
          raw &&
          findSecret(raw, this.secret).length &&
          !this.hits.some((h) => h.pid === pid && h.file === file)
        )
          this.hits.push({ pid, command, file });
      }
    }
  }
}
