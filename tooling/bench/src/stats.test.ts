import { describe, expect, it } from 'vitest';
import { mean, median, pairedRatios, percentile, ratio, summarize } from './stats.js';

describe('median', () => {
  it('is the middle sample of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([9, 7, 8, 1, 2])).toBe(7);
  });

  it('is the mean of the two middle samples of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 20])).toBe(15);
  });

  it('is the sample itself for one sample', () => {
    expect(median([42])).toBe(42);
  });

  it('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('refuses no samples and non-finite samples', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, Number.NaN])).toThrow(/finite/);
    expect(() => median([1, Number.POSITIVE_INFINITY])).toThrow(/finite/);
  });
});

describe('percentile', () => {
  const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];

  it('interpolates between closest ranks (type 7)', () => {
    // Ranks 0..9 over 1..10: p90 sits at rank 8.1.
    expect(percentile(ten, 90)).toBeCloseTo(9.1, 10);
    expect(percentile(ten, 25)).toBeCloseTo(3.25, 10);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
  });

  it('gives the extremes at 0 and 100', () => {
    expect(percentile(ten, 0)).toBe(1);
    expect(percentile(ten, 100)).toBe(10);
  });

  it('never decreases as p grows and stays within the samples', () => {
    const samples = [0.3, 12, 5.5, 5.5, 99, -4, 7];
    let previous = Number.NEGATIVE_INFINITY;
    for (let p = 0; p <= 100; p += 2.5) {
      const v = percentile(samples, p);
      expect(v).toBeGreaterThanOrEqual(previous);
      expect(v).toBeGreaterThanOrEqual(-4);
      expect(v).toBeLessThanOrEqual(99);
      previous = v;
    }
  });

  it('refuses p outside 0–100', () => {
    expect(() => percentile(ten, -1)).toThrow(/0–100/);
    expect(() => percentile(ten, 101)).toThrow(/0–100/);
    expect(() => percentile(ten, Number.NaN)).toThrow(/0–100/);
  });
});

describe('summarize', () => {
  it('reports count, median, p90, min, max and mean', () => {
    expect(summarize([4, 2, 6, 8])).toEqual({ n: 4, median: 5, p90: 7.4, min: 2, max: 8, mean: 5 });
    expect(mean([1, 2, 3, 10])).toBe(4);
  });
});

describe('ratio', () => {
  it('divides subject by baseline', () => {
    expect(ratio(110, 100)).toBeCloseTo(1.1, 12);
    expect(ratio(50, 200)).toBe(0.25);
  });

  it('is undefined without a usable baseline or subject', () => {
    expect(ratio(1, 0)).toBeUndefined();
    expect(ratio(undefined, 1)).toBeUndefined();
    expect(ratio(1, undefined)).toBeUndefined();
    expect(ratio(Number.NaN, 1)).toBeUndefined();
  });
});

describe('pairedRatios', () => {
  it('divides round by round, not medians', () => {
    expect(pairedRatios([2, 9, 4], [1, 3, 8])).toEqual([2, 3, 0.5]);
  });

  it('skips rounds where either side is missing or the baseline is zero, and stops at the shorter series', () => {
    expect(pairedRatios([2, undefined, 6, 8, 10], [1, 5, undefined, 0, 5, 7])).toEqual([2, 2]);
  });

  it('differs from the ratio of medians when the machine drifts between rounds', () => {
    // The machine slows down over the run: both sides slow together, so each round's ratio stays 1.1.
    const baseline = [100, 200, 400];
    const subject = baseline.map((b) => b * 1.1);
    const ratios = pairedRatios(subject, baseline);
    expect(median(ratios)).toBeCloseTo(1.1, 12);
  });
});
