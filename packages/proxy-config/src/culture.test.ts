import { describe, expect, it } from 'vitest';
import { canonicalCulture } from './culture.js';

describe('canonicalCulture', () => {
  it.each([
    ['en-US', 'en-US'],
    ['EN-us', 'en-US'],
    ['de', 'de'],
    ['zh-hans-cn', 'zh-Hans-CN'],
    ['es-419', 'es-419'],
  ])('reads %s as %s', (text, culture) => {
    expect(canonicalCulture(text)).toBe(culture);
  });

  it.each(['', 'english', 'xx-US', 'en_US', 'en-US-u-nu-thai', "en-US'; exit"])('refuses %j', (text) => {
    expect(canonicalCulture(text)).toBeUndefined();
  });
});
