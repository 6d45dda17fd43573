import type { Writable } from 'node:stream';
import { ExoError } from '@exo-connect/core';
import { writeCsv } from './format-csv.js';
import { writeJson, writeNdjson } from './format-json.js';
import { writeTable } from './format-table.js';
import { StreamWriter } from './stream-writer.js';

export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Table width when neither the caller nor the stream says: PowerShell's width for redirected output. */
export const DEFAULT_TABLE_COLUMNS = 120;
export const DEFAULT_TABLE_BUFFER_ROWS = 200;

export interface FormatOutputOptions {
  format: OutputFormat;
  /** Where the rows go (stdout); it is written with backpressure and never ended here. */
  out: Writable;
  /** Columns for csv and table; default: the first row's keys (csv) or Exchange's usual ones (table). */
  properties?: readonly string[];
  /** Width of a table in cells; default: the stream's `columns` (a TTY), else 120. */
  columns?: number;
  /** Rows a table holds back to size its columns. Default 200. */
  tableBufferRows?: number;
}

/** `table` for a person at a terminal, `json` for a pipe or a file. */
export function defaultFormat(isTTY: boolean | undefined): OutputFormat {
  return isTTY ? 'table' : 'json';
}

/** Checks a user's `-o` value (any case). */
export function parseOutputFormat(value: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((f) => f === value.trim().toLowerCase());
  if (format === undefined) {
    throw new ExoError('INVALID_ARGUMENT', `--output: "${value.slice(0, 40)}" is not an output format.`, {
      details: { field: 'output' },
      remediation: `Use one of ${OUTPUT_FORMATS.join(', ')}, e.g. -o csv.`,
    });
  }
  return format;
}

async function* asAsync(rows: AsyncIterable<unknown> | Iterable<unknown>): AsyncIterable<unknown> {
  yield* rows;
}

/**
 * Streams rows (plain objects from invoke()/stream()) to `out` in the chosen format, waiting for 'drain'
 * whenever the stream is full, and resolves with the number of rows. Rejects with the stream's error if it
 * fails or closes; leaving the loop early also stops the row source (its iterator is returned).
 */
export async function formatOutput(
  rows: AsyncIterable<unknown> | Iterable<unknown>,
  options: FormatOutputOptions,
): Promise<number> {
  const format = parseOutputFormat(options.format);
  const source = Symbol.asyncIterator in rows ? rows : asAsync(rows);
  const writer = new StreamWriter(options.out);
  try {
    switch (format) {
      case 'json':
        return await writeJson(source, writer);
      case 'ndjson':
        return await writeNdjson(source, writer);
      case 'csv':
        return await writeCsv(source, writer, options.properties);
      case 'table':
        return await writeTable(source, writer, {
          properties: options.properties,
          columns: options.columns ?? (options.out as { columns?: number }).columns ?? DEFAULT_TABLE_COLUMNS,
          bufferRows: options.tableBufferRows ?? DEFAULT_TABLE_BUFFER_ROWS,
        });
    }
  } finally {
    writer.release();
  }
}
