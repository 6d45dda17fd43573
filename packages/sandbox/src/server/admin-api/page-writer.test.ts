import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ClientGoneError, createSink, writePage } from './page-writer.js';

/** A socket stand-in with a small buffer that accepts a write only when the test lets it. */
function slowSocket(highWaterMark = 16 * 1024) {
  const chunks: string[] = [];
  const waiting: (() => void)[] = [];
  let peak = 0;
  const out = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      peak = Math.max(peak, out.writableLength);
      waiting.push(() => done());
    },
  });
  return {
    out,
    chunks,
    peak: () => peak,
    release: () => {
      for (const done of waiting.splice(0)) done();
    },
  };
}

const objects = (count: number, size: number) =>
  Array.from({ length: count }, (_, i) => ({ Name: `mbx${i}`, Padding: 'x'.repeat(size) }));

describe('page writer', () => {
  it('writes a page in chunks and waits for drain instead of buffering it whole', async () => {
    const socket = slowSocket();
    const sink = createSink(socket.out, 16 * 1024);
    const page = { context: 'ctx', warnings: ['w'], objects: objects(1000, 1000), nextLink: 'next' };
    const writing = writePage(sink, page).then(async (ended) => {
      await sink.flush();
      return ended;
    });
    let settled = false;
    writing.finally(() => {
      settled = true;
    });
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      // Never more than one chunk plus an object waits in memory beyond the socket's own buffer.
      expect(socket.out.writableLength).toBeLessThanOrEqual(16 * 1024 + 16 * 1024 + 1100);
      socket.release();
    }
    expect(await writing).toBe('done');
    expect(socket.chunks.length).toBeGreaterThan(50);
    const body = JSON.parse(socket.chunks.join(''));
    expect(Object.keys(body)).toEqual([
      '@odata.context',
      'adminapi.warnings@odata.type',
      '@adminapi.warnings',
      'value',
      '@odata.nextLink',
    ]);
    expect(body.value).toHaveLength(1000);
    expect(body.value[999].Name).toBe('mbx999');
  });

  it('projects with $select and stops halfway when told to reset', async () => {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const sink = createSink(out, 1);
    const page = { context: 'c', warnings: [], objects: objects(4, 1), select: ['name'] };
    expect(await writePage(sink, page, { resetAfter: 2 })).toBe('reset');
    await sink.flush();
    expect(chunks.join('')).toBe(
      '{"@odata.context":"c","adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":[],"value":[{"Name":"mbx0"},{"Name":"mbx1"} ',
    );
  });

  it('gives up when the client has gone', async () => {
    const socket = slowSocket(1);
    const sink = createSink(socket.out, 1);
    const writing = writePage(sink, { context: 'c', warnings: [], objects: objects(10, 10) });
    await new Promise((resolve) => setImmediate(resolve));
    socket.out.destroy();
    await expect(writing).rejects.toBeInstanceOf(ClientGoneError);
    await expect(sink.flush()).rejects.toBeInstanceOf(ClientGoneError);
  });
});
