import { describe, expect, it } from 'vitest';
import { terminalText } from './terminal-text.js';

describe('terminalText', () => {
  it('turns line breaks and tabs into spaces', () => {
    expect(terminalText('a\r\nb\nc\rd\te\u2028f')).toBe('a b c d e f');
  });

  it('replaces escape sequences, C1 controls and bidi overrides', () => {
    expect(terminalText('\u001b[31mred\u001b[0m \u009b2J \u202Eevil \u0007')).toBe(
      '\uFFFD[31mred\uFFFD[0m \uFFFD2J \uFFFDevil \uFFFD',
    );
  });

  it('leaves other text alone', () => {
    const text = "Dür, O'Brien “quoted” 漢字 😀 $(x) `y`";
    expect(terminalText(text)).toBe(text);
  });
});
