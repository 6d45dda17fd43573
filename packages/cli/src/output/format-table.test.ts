import { describe, expect, it } from 'vitest';
import { defaultColumns, fitColumns } from './format-table.js';

describe('defaultColumns', () => {
  it("takes Exchange's usual columns in their order when present", () => {
    expect(defaultColumns({ Identity: 'i', Guid: 'g', PrimarySmtpAddress: 'p', Name: 'n' })).toEqual([
      'Name',
      'PrimarySmtpAddress',
      'Identity',
    ]);
  });

  it('else takes the first five scalar keys, or the first keys when none is scalar', () => {
    expect(defaultColumns({ a: 1, o: {}, b: 'x', c: null, d: true, e: 2, f: 3 })).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect(defaultColumns({ o: {}, l: [] })).toEqual(['o', 'l']);
  });
});

describe('fitColumns', () => {
  it('keeps natural widths that fit', () => {
    expect(fitColumns([4, 10, 6], 30)).toEqual([4, 10, 6]);
  });

  it('caps the widest columns first and hands out spare cells from the left', () => {
    expect(fitColumns([4, 30, 30], 40)).toEqual([4, 16, 16]);
    expect(fitColumns([4, 30, 31], 41)).toEqual([4, 17, 16]);
  });

  it('drops columns from the right when even 3 cells each do not fit', () => {
    expect(fitColumns([10, 10, 10, 10], 12)).toEqual([5, 5]);
    expect(fitColumns([10], 2)).toEqual([2]);
    expect(fitColumns([], 80)).toEqual([]);
  });

  it('never exceeds the total width', () => {
    for (let total = 1; total < 60; total++) {
      const widths = fitColumns([7, 25, 3, 40, 12], total);
      const used = widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
      expect(used).toBeLessThanOrEqual(Math.max(total, 1));
    }
  });
});
