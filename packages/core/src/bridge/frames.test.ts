import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, parseFrame } from './frames.js';

describe('LineSplitter', () => {
  it('keeps a multi-byte character split across chunks whole', () => {
    const bytes = Buffer.from('{"m":"héllo 😀"}\n', 'utf8');
    const splitter = new LineSplitter();
    const lines = [...splitter.push(bytes.subarray(0, 9)), ...splitter.push(bytes.subarray(9))];
    expect(lines).toEqual(['{"m":"héllo 😀"}']);
  });

  it('drops a trailing carriage return and reports the unfinished tail', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from('a\r\nb\nc'))).toEqual(['a', 'b']);
    expect(splitter.buffered).toBe(1);
    expect(splitter.push(Buffer.from('d\n'))).toEqual(['cd']);
  });

  it('yields the same lines however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\r\n]/g, '')),
          { maxLength: 20 },
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, cuts) => {
          const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
          const points = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort(
            (a, b) => a - b,
          );
          const splitter = new LineSplitter();
          const out: string[] = [];
          let start = 0;
          for (const p of [...points, bytes.length]) {
            out.push(...splitter.push(bytes.subarray(start, p)));
            start = p;
          }
          expect(out).toEqual(lines);
        },
      ),
    );
  });
});

describe('parseFrame', () => {
  it('parses a frame and refuses what is not one', () => {
    expect(parseFrame('{"t":"o","v":1}')).toEqual({ t: 'o', v: 1 });
    expect(() => parseFrame('[1]')).toThrow('malformed frame');
    expect(() => parseFrame('{"v":1}')).toThrow('malformed frame');
    expect(() => parseFrame('not json')).toThrow();
  });
});
