import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  callerKey,
  clampPageSize,
  createReplyReader,
  cursorExpiredError,
  decodeReply,
  encodeRequest,
  formatCursor,
  parseCursor,
  type WorkerReply,
} from './protocol.js';

const MARKER = '0123456789abcdef0123456789abcdef';

function read(chunks: Buffer[]): { replies: WorkerReply[]; stray: string[] } {
  const replies: WorkerReply[] = [];
  const stray: string[] = [];
  const reader = createReplyReader(
    MARKER,
    (r) => replies.push(r),
    (l) => stray.push(l),
  );
  for (const chunk of chunks) reader.push(chunk);
  return { replies, stray };
}

describe('engine worker protocol', () => {
  it('takes only marked lines for replies, also after stray text on the same line', () => {
    const out = [
      'WARNING: something a host printed',
      `\n${MARKER} {"id":1,"ok":true,"objects":[{"Name":"a"}],"warnings":[]}`,
      `stray without newline${MARKER} {"id":2,"cursorExpired":true}`,
      '0123456789abcdef {"id":3,"ok":true,"objects":[],"warnings":[]}',
      '',
    ].join('\n');
    const { replies, stray } = read([Buffer.from(out)]);
    expect(replies).toEqual([
      { kind: 'page', id: 1, objects: [{ Name: 'a' }], warnings: [] },
      { kind: 'cursorExpired', id: 2 },
    ]);
    expect(stray).toEqual([
      'WARNING: something a host printed',
      '0123456789abcdef {"id":3,"ok":true,"objects":[],"warnings":[]}',
    ]);
  });

  it('reads the same replies however stdout is cut into chunks, multi-byte characters included', () => {
    const lines = [
      `${MARKER} {"ready":true,"pid":42,"commands":[{"name":"Get-Mailbox","parameters":["Identity"]}]}`,
      `${MARKER} {"id":1,"ok":true,"objects":[{"Name":"Zoë ‘quoted’ 名前"}],"warnings":["w"],"cursor":"ab"}`,
      `${MARKER} {"id":2,"ok":false,"error":{"type":"T","typeName":"N.T","message":"m","category":"c","httpStatus":404},"warnings":[]}`,
    ];
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const whole = read([bytes]).replies;
    expect(whole.map((r) => r.kind)).toEqual(['ready', 'page', 'error']);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const at = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          const chunks = at.slice(1).map((end, i) => bytes.subarray(at[i], end));
          expect(read(chunks).replies).toEqual(whole);
        },
      ),
    );
  });

  it('decodes every reply shape and refuses what a worker never sends', () => {
    expect(decodeReply('{"fatal":"no tenant"}')).toEqual({ kind: 'fatal', message: 'no tenant' });
    expect(decodeReply('{"id":4,"ok":true,"objects":[],"warnings":[],"cursor":"c"}')).toEqual({
      kind: 'page',
      id: 4,
      objects: [],
      warnings: [],
      cursor: 'c',
    });
    expect(() => decodeReply('{"ok":true}')).toThrow(/without an id/);
    expect(() => decodeReply('{"id":1}')).toThrow(/unknown shape/);
  });

  it('writes each request as one line whatever its values hold', () => {
    const line = encodeRequest(7, {
      op: 'invoke',
      cmdlet: 'Set-Mailbox',
      parameters: { Identity: "a\nb\r\nc'; Remove-Item /; '\u2028$(whoami)" },
      pageSize: 10,
      caller: 'x',
    });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\r\n]/);
    expect(JSON.parse(line)).toMatchObject({
      id: 7,
      op: 'invoke',
      parameters: { Identity: expect.any(String) },
    });
  });

  it('cursors name their worker; page sizes stay within 1..1000; callers are told apart', () => {
    const token = 'f'.repeat(32);
    expect(parseCursor(formatCursor(12, token))).toEqual({ workerId: 12, token });
    for (const bad of ['', '12', `x.${token}`, `1.${token}0`, `1.${token.toUpperCase()}`]) {
      expect(parseCursor(bad)).toBeUndefined();
    }
    expect([undefined, 0, -5, 1, 999.9, 1000, 5000, Number.NaN].map(clampPageSize)).toEqual([
      1000, 1, 1, 1, 999, 1000, 1000, 1000,
    ]);
    const user = { tenantId: 't', userPrincipalName: 'a@x', scopes: [], roles: [] };
    expect(callerKey(user)).not.toBe(callerKey({ ...user, userPrincipalName: 'b@x' }));
    expect(callerKey(user)).not.toBe(callerKey({ ...user, tenantId: 'u' }));
    expect(callerKey({ ...user, userPrincipalName: undefined, appId: 'a@x' })).not.toBe(callerKey(user));
    expect(cursorExpiredError({ cursorIdleMs: 300_000, maxCursors: 64 })).toMatchObject({
      httpStatus: 400,
      message: expect.stringContaining('300 seconds'),
    });
  });
});
