import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestCommands, editDistance, MAX_SUGGESTIONS } from './closest-commands.js';

const COMMANDS = [
  'autocomplete',
  'doctor',
  'endpoints:list',
  'endpoints:show',
  'help',
  'profile:add',
  'profile:list',
  'profile:remove',
  'profile:use',
  'run',
  'sandbox:init',
  'sandbox:reset',
  'sandbox:status',
  'shell',
];

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('run', 'run')).toBe(0);
    expect(editDistance('rnu', 'run')).toBe(1);
    expect(editDistance('rn', 'run')).toBe(1);
    expect(editDistance('runn', 'run')).toBe(1);
    expect(editDistance('ran', 'run')).toBe(1);
    expect(editDistance('docter', 'doctor')).toBe(1);
    expect(editDistance('', 'shell')).toBe(5);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });

  it('is a distance: zero only for equal strings, symmetric, and at most the longer length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(d === 0).toBe(a === b);
        expect(editDistance(b, a)).toBe(d);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
  });
});

describe('closestCommands', () => {
  it('suggests the command a slip of the keyboard meant', () => {
    expect(closestCommands('rnu', COMMANDS)).toEqual(['run']);
    expect(closestCommands('docter', COMMANDS)).toEqual(['doctor']);
    expect(closestCommands('shel', COMMANDS)).toEqual(['shell']);
    expect(closestCommands('sandbox:stauts', COMMANDS)).toEqual(['sandbox:status']);
    expect(closestCommands('profiles:list', COMMANDS)).toEqual(['profile:list']);
    expect(closestCommands('RUN', COMMANDS)).toEqual(['run']);
  });

  it('suggests the commands a word or a beginning belongs to', () => {
    expect(closestCommands('list', COMMANDS)).toEqual(['endpoints:list', 'profile:list']);
    expect(closestCommands('status', COMMANDS)).toEqual(['sandbox:status']);
    expect(closestCommands('sandbox:st', COMMANDS)).toEqual(['sandbox:status']);
    expect(closestCommands('endpoint', COMMANDS)).toEqual(['endpoints:list', 'endpoints:show']);
  });

  it('suggests nothing for text that is far from every command', () => {
    expect(closestCommands('xyzzy', COMMANDS)).toEqual([]);
    expect(closestCommands('', COMMANDS)).toEqual([]);
    expect(closestCommands('q', COMMANDS)).toEqual([]);
  });

  it('returns known commands only, at most three, each once', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 16 }), (typed) => {
        const found = closestCommands(typed, [...COMMANDS, ...COMMANDS]);
        expect(found.length).toBeLessThanOrEqual(MAX_SUGGESTIONS);
        expect(new Set(found).size).toBe(found.length);
        for (const id of found) expect(COMMANDS).toContain(id);
      }),
    );
  });

  it('always suggests a command for itself with one slip', () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMANDS), fc.nat(), (id, at) => {
        const i = at % id.length;
        const slipped = id.slice(0, i) + id.slice(i + 1);
        if (slipped === '' || COMMANDS.includes(slipped)) return;
        expect(closestCommands(slipped, COMMANDS)).toContain(id);
      }),
    );
  });
});
