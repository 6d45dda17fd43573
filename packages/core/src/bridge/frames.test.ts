import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ControlFrame,
  decodeControlFrame,
  decodeFrame,
  encodeFrame,
  type Frame,
  LineSplitter,
  PROTOCOL_VERSION,
} from './frames.js';

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

describe('decodeFrame', () => {
  it('parses a frame and refuses what is not one', () => {
    expect(decodeFrame('{"t":"o","v":1}')).toEqual({ t: 'o', v: 1 });
    expect(() => decodeFrame('[1]')).toThrow('malformed frame');
    expect(() => decodeFrame('{"v":1}')).toThrow('malformed frame');
    expect(() => decodeFrame('not json')).toThrow();
  });
});

describe('the frame codec', () => {
  const hostFrames: Frame[] = [
    { t: 'hello', protocol: PROTOCOL_VERSION, token: 'abc_-1', pid: 4242, version: '7.6.9' },
    { t: 'o', v: { Name: 'x', Items: [1, 'two', null], Nested: { ok: true } } },
    { t: 'o', v: null },
    {
      t: 'e',
      message: 'Not found.',
      fqid: 'NotFound,Get-Thing',
      category: 'ObjectNotFound',
      reason: 'ManagementObjectNotFoundException',
      targetName: 'x',
      exceptionType: 'System.Exception',
      details: null,
      inner: ['inner one'],
      terminating: false,
    },
    { t: 'w', m: 'careful\nnow' },
    { t: 'i', m: 'héllo 😀' },
    { t: 'v', m: '' },
    { t: 'd', m: '"quoted"' },
    {
      t: 'p',
      activity: 'Reading',
      status: 'half',
      percent: 50,
      operation: null,
      activityId: 1,
      parentId: -1,
      completed: false,
    },
    { t: 'secret', name: 'credential' },
    { t: 'end', id: 'id-1', ok: false, stopped: true },
  ];
  const controlFrames: ControlFrame[] = [
    { t: 'req', id: 'id-1', command: 'Get-Thing', parameters: { A: 1 }, depth: 4, queue: 1024 },
    { t: 'stop', id: 'id-1' },
    { t: 'quit' },
    { t: 'secret', name: 'credential', kind: 'credential', userName: 'a@b.example', password: 'p\u0000w' },
    { t: 'secret', name: 'token', kind: 'string', value: 'v' },
    { t: 'secret', name: 'key', kind: 'secureString', value: 'v' },
    { t: 'secret', name: null },
  ];

  it.each(hostFrames.map((f) => [f.t, f]))('round-trips the host frame %s on one line', (_, frame) => {
    const line = encodeFrame(frame);
    expect(line).not.toMatch(/[\r\n]/);
    expect(decodeFrame(line)).toEqual(frame);
  });

  it.each(controlFrames.map((f) => [f.t, f]))('round-trips the control frame %s on one line', (_, frame) => {
    const line = encodeFrame(frame);
    expect(line).not.toMatch(/[\r\n]/);
    expect(decodeControlFrame(line)).toEqual(frame);
  });

  it('reads a hello without a protocol as protocol 0 (a host older than versions)', () => {
    expect(decodeFrame('{"t":"hello","token":"a","pid":1,"version":"7.6.9"}')).toMatchObject({ protocol: 0 });
  });

  it.each([
    '{"t":"nope"}',
    '{"t":"hello","token":"a","pid":"1","version":"7"}',
    '{"t":"end","id":1,"ok":true,"stopped":false}',
    '{"t":"secret"}',
    '{"t":"e"}',
    '{"t":"toString"}',
    '{"t":"req","id":"1","command":"Get-X","parameters":{},"depth":4,"queue":1}',
  ])('refuses %s from the host', (line) => {
    expect(() => decodeFrame(line)).toThrow('malformed frame');
  });

  it.each(['{"t":"o","v":1}', '{"t":"req","id":"1"}', '{"t":"secret","name":"x"}'])(
    'refuses %s as a control frame',
    (line) => {
      expect(() => decodeControlFrame(line)).toThrow('malformed frame');
    },
  );

  it("says the same protocol version as bridge.ps1's ExoFrame", () => {
    const script = readFileSync(new URL('../../powershell/bridge.ps1', import.meta.url), 'utf8');
    expect(script).toMatch(new RegExp(`static \\[int\\]\\$Protocol = ${PROTOCOL_VERSION}\\r?\\n`));
  });
});
