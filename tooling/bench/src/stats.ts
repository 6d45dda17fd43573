/** Summary statistics of one measured series (samples in any unit). */
export interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
  mean: number;
}

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError('no samples');
  for (const s of samples) if (!Number.isFinite(s)) throw new RangeError(`not a finite sample: ${s}`);
  return [...samples].sort((a, b) => a - b);
}

/**
 * The p-th percentile (0–100) with linear interpolation between closest ranks (Hyndman & Fan type 7, the
 * default of R, NumPy and spreadsheets), so the median of an even count is the mean of the middle two.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100; got ${p}`);
  const s = sorted(samples);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function mean(samples: readonly number[]): number {
  const s = sorted(samples);
  return s.reduce((a, b) => a + b, 0) / s.length;
}

export function summarize(samples: readonly number[]): Summary {
  const s = sorted(samples);
  return {
    n: s.length,
    median: percentile(s, 50),
    p90: percentile(s, 90),
    min: s[0]!,
    max: s[s.length - 1]!,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** subject / baseline; undefined when the baseline is zero or either side is missing. */
export function ratio(subject: number | undefined, baseline: number | undefined): number | undefined {
  if (subject === undefined || baseline === undefined) return undefined;
  if (!Number.isFinite(subject) || !Number.isFinite(baseline) || baseline === 0) return undefined;
  return subject / baseline;
}

/**
 * Ratios of samples taken in the same round (subject[i] / baseline[i]): measured side by side, so a
 * slow moment of the machine weighs on both sides of each ratio. Rounds missing either side are skipped.
 */
export function pairedRatios(
  subject: ReadonlyArray<number | undefined>,
  baseline: ReadonlyArray<number | undefined>,
): number[] {
  const out: number[] = [];
  const n = Math.min(subject.length, baseline.length);
  for (let i = 0; i < n; i++) {
    const r = ratio(subject[i], baseline[i]);
    if (r !== undefined) out.push(r);
  }
  return out;
}
