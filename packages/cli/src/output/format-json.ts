import type { StreamWriter } from './stream-writer.js';

function json(row: unknown, indent?: number): string {
  // As JSON.stringify does inside an array: what has no JSON form (undefined, a function) is null.
  return JSON.stringify(row, null, indent) ?? 'null';
}

/**
 * A pretty JSON array, written element by element as rows arrive: byte for byte what
 * `JSON.stringify(rows, null, 2)` gives, plus a newline, and `[]` for no rows.
 */
export async function writeJson(rows: AsyncIterable<unknown>, writer: StreamWriter): Promise<number> {
  let count = 0;
  for await (const row of rows) {
    // Strings inside JSON never hold a raw newline, so indenting after each one is safe.
    await writer.write(`${count === 0 ? '[\n  ' : ',\n  '}${json(row, 2).replace(/\n/g, '\n  ')}`);
    count++;
  }
  await writer.write(count === 0 ? '[]\n' : '\n]\n');
  return count;
}

/** One compact JSON value per line (NDJSON), each written as soon as it arrives. */
export async function writeNdjson(rows: AsyncIterable<unknown>, writer: StreamWriter): Promise<number> {
  let count = 0;
  for await (const row of rows) {
    await writer.write(`${json(row)}\n`);
    count++;
  }
  return count;
}
