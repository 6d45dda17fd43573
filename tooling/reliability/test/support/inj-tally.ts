/** Counts the values each injection path carried and the ones that did not arrive intact. */
export interface PathResult {
  path: string;
  values: number;
  failures: number;
  /** The first few failures, described (never a whole 64 KiB value). */
  examples: string[];
}

export class Tally {
  readonly #paths = new Map<string, PathResult>();

  /** Adds `values` tried on `path` and the descriptions of those that failed. */
  record(path: string, values: number, failures: readonly string[] = []): void {
    const entry = this.#paths.get(path) ?? { path, values: 0, failures: 0, examples: [] };
    entry.values += values;
    entry.failures += failures.length;
    for (const failure of failures) if (entry.examples.length < 5) entry.examples.push(failure);
    this.#paths.set(path, entry);
  }

  get paths(): PathResult[] {
    return [...this.#paths.values()];
  }

  get total(): number {
    return this.paths.reduce((sum, p) => sum + p.values, 0);
  }
}
