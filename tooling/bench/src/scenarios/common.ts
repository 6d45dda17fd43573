import { performance } from 'node:perf_hooks';
import { type Connection, type ConnectionEvent, type ConnectOptions, connect } from '@exo-connect/core';
import { sandboxEnvironment } from '@exo-connect/sandbox';
import type { BenchContext, Tenant } from '../context.js';
import type { Comparison, Measurement, ScenarioResult, Unit } from '../report.js';
import { median, pairedRatios, ratio, summarize } from '../stats.js';

export type ScenarioRun = (ctx: BenchContext, result: ScenarioResult) => Promise<void>;

/**
 * Runs both sides of a round, taking turns to go first (`a` in even rounds, `b` in odd ones), so that neither
 * always follows the other's leftovers.
 */
export async function inTurn(round: number, a: () => Promise<void>, b: () => Promise<void>): Promise<void> {
  if (round % 2 === 0) {
    await a();
    await b();
  } else {
    await b();
    await a();
  }
}

/** A measured series; `samples` may hold undefined for rounds where the variant failed (kept for pairing). */
export function measurement(
  id: string,
  label: string,
  unit: Unit,
  better: 'lower' | 'higher',
  samples: ReadonlyArray<number | undefined>,
  extra: { note?: string; error?: string } = {},
): Measurement {
  const ok = samples.filter((s): s is number => s !== undefined && Number.isFinite(s));
  return {
    id,
    label,
    unit,
    better,
    samples: ok,
    summary: ok.length ? summarize(ok) : undefined,
    ...(ok.length ? {} : { error: extra.error ?? 'no samples' }),
    ...(extra.note ? { note: extra.note } : {}),
  };
}

/**
 * subject ÷ baseline. With `paired` (two series indexed by the same rounds) the headline is the median of
 * the per-round ratios; without (series from separate processes), only the ratio of medians is given.
 */
export function compare(
  label: string,
  subject: { id: string; rounds: ReadonlyArray<number | undefined> },
  baseline: { id: string; rounds: ReadonlyArray<number | undefined> },
  paired = true,
): Comparison {
  const clean = (xs: ReadonlyArray<number | undefined>) => xs.filter((x): x is number => x !== undefined);
  const s = clean(subject.rounds);
  const b = clean(baseline.rounds);
  const pairs = paired ? pairedRatios(subject.rounds, baseline.rounds) : [];
  return {
    label,
    subject: subject.id,
    baseline: baseline.id,
    pairedRatios: pairs,
    medianRatio: pairs.length ? median(pairs) : undefined,
    ratioOfMedians: s.length && b.length ? ratio(median(s), median(b)) : undefined,
  };
}

export const STATES = ['policy', 'credential', 'session', 'import'] as const;

export interface TimedConnect {
  connection: Connection;
  readyMs: number;
  /** ms spent in each state before ready, from the state events, plus `start` (until the first state). */
  states: Record<'start' | (typeof STATES)[number], number>;
  /** Disconnects; resolves with the ms it took. */
  close(): Promise<number>;
}

/** connect() to ready against a tenant, timed from the call, with the time spent in each state. */
export async function timedConnect(
  ctx: BenchContext,
  tenant: Tenant,
  extra: Partial<ConnectOptions> = {},
): Promise<TimedConnect> {
  const at: Record<string, number> = {};
  const t0 = performance.now();
  const onEvent = (event: ConnectionEvent) => {
    if (event.type === 'state') at[event.to] = performance.now() - t0;
  };
  const connection = await connect({
    environment: sandboxEnvironment(),
    strategy: 'rps',
    credential: ctx.credential,
    env: tenant.env,
    handleSignals: false,
    onEvent,
    ...extra,
  });
  const readyMs = performance.now() - t0;
  // Should the scenario fail before it disconnects, the run's cleanup does.
  const undo = ctx.resources.defer(() => connection.disconnect());
  const span = (from: string, to: string) => (at[to] ?? readyMs) - (at[from] ?? 0);
  return {
    connection,
    readyMs,
    states: {
      start: at.policy ?? 0,
      policy: span('policy', 'credential'),
      credential: span('credential', 'session'),
      session: span('session', 'import'),
      import: span('import', 'ready'),
    },
    async close() {
      const t = performance.now();
      await connection.disconnect();
      undo();
      return performance.now() - t;
    },
  };
}

/** Median of one field over rounds, for profiles. */
export function medianOf<T>(rows: T[], pick: (row: T) => number | undefined): number | undefined {
  const values = rows.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
  return values.length ? median(values) : undefined;
}

export const now = () => performance.now();
