/** Measurements for the load suite: resident memory from /proc, and the few statistics it reports. */
import { cpus, totalmem } from 'node:os';
import { locatePwsh } from '@exo-connect/core';
import { readProc } from './common.js';

/** Resident set size of a process in MB (VmRSS in /proc/<pid>/status), or undefined when it is gone. */
export function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const status = readProc(pid, 'status')?.toString('utf8');
  const kb = status?.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1];
  return kb === undefined ? undefined : round(Number(kb) / 1024);
}

export function nodeRssMb(): number {
  return round(process.memoryUsage().rss / 1024 / 1024);
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The q-quantile (0…1) of the values, by linear interpolation; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    min: round(Math.min(...values)),
    p50: round(quantile(values, 0.5)),
    p95: round(quantile(values, 0.95)),
    max: round(Math.max(...values)),
  };
}

/** Least-squares slope of y over x (units of y per unit of x); 0 for fewer than two points. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Growth of a memory series after warm-up: the median of its last fifth minus the median of the fifth that
 * follows the warm-up, so that single spikes (a GC that has not run yet) do not count.
 */
export function growth(values: readonly number[], warmup: number): number {
  const settled = values.slice(Math.min(warmup, Math.max(0, values.length - 2)));
  const fifth = Math.max(1, Math.floor(settled.length / 5));
  return round(quantile(settled.slice(-fifth), 0.5) - quantile(settled.slice(0, fifth), 0.5));
}

export interface Machine {
  platform: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  pwsh: string;
}

export async function machine(): Promise<Machine> {
  const info = await locatePwsh().catch(() => undefined);
  return {
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: round(totalmem() / 1024 ** 3),
    node: process.version,
    pwsh: info?.version ?? 'unknown',
  };
}
