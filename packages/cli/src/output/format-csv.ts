import { cellText, ownField, rowFields } from './cell-text.js';
import type { StreamWriter } from './stream-writer.js';

const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, with inner quotes doubled. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function record(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/**
 * RFC 4180 CSV with CRLF line ends. The header is `properties`, or the first row's keys; later rows are
 * written in those columns (a missing field is empty, an extra one is left out). No rows and no
 * `properties` write nothing, since there is no header to write.
 */
export async function writeCsv(
  rows: AsyncIterable<unknown>,
  writer: StreamWriter,
  properties?: readonly string[],
): Promise<number> {
  let header = properties;
  if (header) await writer.write(record(header));
  let count = 0;
  for await (const row of rows) {
    const fields = rowFields(row);
    if (!header) {
      header = Object.keys(fields);
      await writer.write(record(header));
    }
    await writer.write(record(header.map((key) => cellText(ownField(fields, key), 'csv'))));
    count++;
  }
  return count;
}
