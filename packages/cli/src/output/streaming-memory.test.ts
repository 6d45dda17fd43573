import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { formatOutput, type OutputFormat } from './format-output.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROWS = 100_000;
const MB = 1024 * 1024;

function used(): number {
  gc();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.external;
}

/** Streams ROWS rows (20 to 27 MB of output) to a slow stream; returns the peak memory growth seen. */
async function peakGrowth(
  format: OutputFormat,
  keepOutput: boolean,
): Promise<{ growth: number; bytes: number }> {
  const kept: unknown[] = [];
  let bytes = 0;
  const out = new Writable({
    highWaterMark: 64 * 1024,
    decodeStrings: false,
    write(chunk, _encoding, callback) {
      bytes += (chunk as string).length;
      if (keepOutput) kept.push(chunk);
      setImmediate(callback);
    },
  });
  const base = used();
  let peak = 0;
  async function* rows() {
    for (let i = 0; i < ROWS; i++) {
      if (i % 10_000 === 0) peak = Math.max(peak, used() - base);
      yield { Name: `user${i}`, DisplayName: `User Number ${i}`, Notes: `${'x'.repeat(200)}${i}` };
    }
  }
  expect(await formatOutput(rows(), { format, out })).toBe(ROWS);
  peak = Math.max(peak, used() - base);
  return { growth: peak, bytes };
}

describe('streaming 100,000 rows', () => {
  it('the measurement sees output that is held in memory (control)', async () => {
    const { growth, bytes } = await peakGrowth('ndjson', true);
    expect(bytes).toBeGreaterThan(20 * MB);
    expect(growth).toBeGreaterThan(20 * MB);
  });

  it.each(['ndjson', 'csv', 'json'] as const)('%s keeps memory flat', async (format) => {
    const { growth, bytes } = await peakGrowth(format, false);
    expect(bytes).toBeGreaterThan(20 * MB);
    expect(growth).toBeLessThan(8 * MB);
  });
});
