import { describe, expect, it } from 'vitest';
import { sparkline } from './sparkline.js';

describe('sparkline', () => {
  it('draws the smallest value lowest and the largest highest', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([8, 1])).toBe('█▁');
  });

  it('draws a flat series as a flat line, and nothing for no values', () => {
    expect(sparkline([5, 5, 5])).toBe('▄▄▄');
    expect(sparkline([])).toBe('');
  });

  it('averages long series into at most `width` bars', () => {
    const rising = Array.from({ length: 1000 }, (_, i) => i);
    const line = sparkline(rising, 10);
    expect(line).toHaveLength(10);
    expect(line[0]).toBe('▁');
    expect(line.at(-1)).toBe('█');
    // A spike is kept (averaged), not dropped.
    const spike = [...Array(99).fill(100), 1_000];
    expect(sparkline(spike, 10).at(-1)).toBe('█');
  });
});
