import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayWidth, truncateToWidth } from './display-width.js';

describe('displayWidth', () => {
  it.each([
    ['abc', 3],
    ['', 0],
    ['漢字', 4],
    ['ｱ', 1],
    ['Ｘ', 2],
    ['e\u0301', 1],
    ['😀', 2],
    ['👩‍💻', 2],
    ['🇩🇪', 2],
    ['한국어', 6],
  ])('%s takes %i cells', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('truncateToWidth', () => {
  it('keeps text that fits and cuts the rest with …', () => {
    expect(truncateToWidth('abc', 3)).toBe('abc');
    expect(truncateToWidth('abcd', 3)).toBe('ab…');
    expect(truncateToWidth('漢字漢字', 5)).toBe('漢字…');
    expect(truncateToWidth('漢字漢字', 4)).toBe('漢…');
    expect(truncateToWidth('ab', 0)).toBe('');
  });

  it('never splits a character and never exceeds the width', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 20 }), (text, width) => {
        const cut = truncateToWidth(text, width);
        expect(displayWidth(cut)).toBeLessThanOrEqual(width);
        expect(cut.endsWith('…') ? text.startsWith(cut.slice(0, -1)) : cut === text).toBe(true);
      }),
    );
  });
});
