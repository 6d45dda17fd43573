import { describe, expect, it } from 'vitest';
import { formatRatio } from './format.js';
import { evaluateTarget } from './targets.js';

describe('evaluateTarget', () => {
  it('meets an "at most" target at and below the threshold', () => {
    expect(evaluateTarget('≤ 1.10×', 1.1, 'atMost', 1.1, formatRatio)).toMatchObject({
      status: 'met',
      figure: '1.10×',
    });
    expect(evaluateTarget('≤ 1.10×', 0.97, 'atMost', 1.1, formatRatio).status).toBe('met');
    expect(evaluateTarget('≤ 1.10×', 1.1001, 'atMost', 1.1, formatRatio).status).toBe('missed');
  });

  it('meets an "at least" target at and above the threshold', () => {
    expect(evaluateTarget('≥ 3×', 3, 'atLeast', 3, formatRatio).status).toBe('met');
    expect(evaluateTarget('≥ 3×', 2.99, 'atLeast', 3, formatRatio)).toMatchObject({
      status: 'missed',
      figure: '2.99×',
      value: 2.99,
      threshold: 3,
    });
  });

  it('needs a strict difference for "below"', () => {
    expect(evaluateTarget('faster', 10, 'below', 10, String).status).toBe('missed');
    expect(evaluateTarget('faster', 9.9, 'below', 10, String).status).toBe('met');
  });

  it('never passes what was not measured', () => {
    expect(evaluateTarget('≥ 3×', undefined, 'atLeast', 3, formatRatio)).toEqual({
      description: '≥ 3×',
      figure: '–',
      status: 'not measured',
    });
    expect(evaluateTarget('x', Number.NaN, 'atMost', 1, String).status).toBe('not measured');
    expect(evaluateTarget('x', 1, 'atMost', undefined, String).status).toBe('not measured');
  });
});
