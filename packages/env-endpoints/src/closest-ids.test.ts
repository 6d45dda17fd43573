import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestIds, editDistance } from './closest-ids.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'dod', 3],
    ['worldwide', 'worldwide', 0],
    ['wordwide', 'worldwide', 1],
    ['wrodlwide', 'worldwide', 2],
    ['gcchigh', 'gcc-high', 1],
    ['kitten', 'sitting', 3],
  ])('%s ↔ %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('is zero exactly for equal strings and never more than the longer length', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const d = editDistance(a, b);
        expect(d === 0).toBe(a === b);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });
});

describe('closestIds', () => {
  const candidates = [
    { id: 'worldwide', names: ['worldwide', 'commercial', 'gcc'] },
    { id: 'gcc-high', names: ['gcc-high'] },
    { id: 'dod', names: ['dod'] },
    { id: 'china', names: ['china', '21vianet'] },
  ];

  it('ranks by the nearest id or alias', () => {
    expect(closestIds('wordwide', candidates)).toEqual(['worldwide']);
    expect(closestIds('comercial', candidates)).toEqual(['worldwide']);
    expect(closestIds('21vianett', candidates)).toEqual(['china']);
    expect(closestIds('gcc-hig', candidates)[0]).toBe('gcc-high');
  });

  it('always names at least one and at most the limit', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 4 }), (name, limit) => {
        const ids = closestIds(name, candidates, limit);
        expect(ids.length).toBeGreaterThanOrEqual(1);
        expect(ids.length).toBeLessThanOrEqual(limit);
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });

  it('has nothing to suggest from nothing', () => {
    expect(closestIds('x', [])).toEqual([]);
  });
});
