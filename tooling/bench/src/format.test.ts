import { describe, expect, it } from 'vitest';
import { formatMs, formatRatio, formatValue, renderTable } from './format.js';

describe('formatMs', () => {
  it('keeps about three significant digits and switches to seconds from one second', () => {
    expect(formatMs(0.4123)).toBe('0.412 ms');
    expect(formatMs(4.126)).toBe('4.13 ms');
    expect(formatMs(41.26)).toBe('41.3 ms');
    expect(formatMs(412.6)).toBe('413 ms');
    expect(formatMs(2440)).toBe('2.44 s');
    expect(formatMs(31_400)).toBe('31.4 s');
  });
});

describe('formatRatio and formatValue', () => {
  it('prints ratios with two decimals and a times sign', () => {
    expect(formatRatio(1.0449)).toBe('1.04×');
    expect(formatRatio(3)).toBe('3.00×');
  });

  it('groups large rates and counts, and prints megabytes with one decimal', () => {
    expect(formatValue(3321.7, 'objects/s')).toBe('3,322 objects/s');
    expect(formatValue(15.66, 'commands/s')).toBe('15.7 commands/s');
    expect(formatValue(63.96, 'MB')).toBe('64.0 MB');
    expect(formatValue(1234567, 'bytes')).toBe('1,234,567 B');
    expect(formatValue(3, 'sessions')).toBe('3');
    expect(formatValue(0.641, 'ms/call')).toBe('0.641 ms/call');
    expect(formatValue(1.637, '×')).toBe('1.64 ×');
  });
});

describe('renderTable', () => {
  it('renders a GitHub table with the requested alignment', () => {
    expect(renderTable(['variant', 'median'], [['engine', '1.00 s']], 'lr')).toBe(
      ['| variant | median |', '| --- | ---: |', '| engine | 1.00 s |'].join('\n'),
    );
    expect(renderTable(['a', 'b', 'c'], [], 'lcr').split('\n')[1]).toBe('| --- | :---: | ---: |');
  });

  it('escapes pipes and line breaks so a cell never breaks the table', () => {
    const table = renderTable(['error'], [['a | b\nc']]);
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toContain('a \\| b c');
  });

  it('refuses a row with the wrong number of cells', () => {
    expect(() => renderTable(['a', 'b'], [['only one']])).toThrow(/row 0 has 1 cells/);
  });
});
