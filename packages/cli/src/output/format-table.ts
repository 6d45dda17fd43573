import { displayWidth, truncateToWidth } from '../text/display-width.js';
import { terminalText } from '../text/terminal-text.js';
import { cellText, isScalar, ownField, rowFields } from './cell-text.js';
import type { StreamWriter } from './stream-writer.js';

/** Columns shown for Exchange objects when they have them, in this order. */
export const PREFERRED_COLUMNS = [
  'Name',
  'DisplayName',
  'PrimarySmtpAddress',
  'RecipientTypeDetails',
  'Identity',
] as const;
const MAX_DEFAULT_COLUMNS = 5;
const GAP = 2;
const MIN_WIDTH = 3;

export interface TableOptions {
  properties?: readonly string[];
  /** Terminal width the table must fit in. */
  columns: number;
  /** Rows held back to size the columns before anything is printed. */
  bufferRows: number;
}

/** The columns a table shows when none are asked for: Exchange's usual ones, else the first scalar keys. */
export function defaultColumns(first: Record<string, unknown>): string[] {
  const keys = Object.keys(first);
  const preferred = PREFERRED_COLUMNS.filter((key) => keys.includes(key));
  if (preferred.length > 0) return preferred;
  const scalars = keys.filter((key) => isScalar(first[key]));
  return (scalars.length > 0 ? scalars : keys).slice(0, MAX_DEFAULT_COLUMNS);
}

/**
 * Column widths that fit `total` cells: natural widths when they fit, else the widest columns are capped
 * at one shared width (and truncated with …). Columns that cannot get even MIN_WIDTH cells are dropped
 * from the right.
 */
export function fitColumns(natural: readonly number[], total: number): number[] {
  for (let n = natural.length; n > 0; n--) {
    const wanted = natural.slice(0, n);
    const room = total - GAP * (n - 1);
    const floor = wanted.reduce((sum, w) => sum + Math.min(w, MIN_WIDTH), 0);
    if (floor > room && n > 1) continue;
    if (wanted.reduce((sum, w) => sum + w, 0) <= room) return wanted;
    let cap = Math.max(...wanted);
    while (cap > MIN_WIDTH && wanted.reduce((sum, w) => sum + Math.min(w, cap), 0) > room) cap--;
    const widths = wanted.map((w) => Math.min(w, cap));
    let spare = room - widths.reduce((sum, w) => sum + w, 0);
    for (let i = 0; i < widths.length && spare > 0; i++) {
      if (wanted[i]! > widths[i]!) {
        widths[i]!++;
        spare--;
      }
    }
    return n === 1 ? [Math.max(1, Math.min(widths[0]!, room))] : widths;
  }
  return [];
}

function pad(text: string, width: number, right: boolean): string {
  const space = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return right ? space + text : text + space;
}

/**
 * A table for a terminal. The first `bufferRows` rows size the columns; after that rows stream through at
 * the same widths, so a million rows print as they come without being held in memory.
 */
export async function writeTable(
  rows: AsyncIterable<unknown>,
  writer: StreamWriter,
  options: TableOptions,
): Promise<number> {
  const buffered: Record<string, unknown>[] = [];
  let layout: { keys: string[]; widths: number[] } | undefined;
  let count = 0;

  const line = (cells: Array<{ text: string; right: boolean }>, widths: readonly number[]) =>
    `${cells
      .map((cell, i) => pad(truncateToWidth(cell.text, widths[i]!), widths[i]!, cell.right))
      .join(' '.repeat(GAP))
      .trimEnd()}\n`;
  const cells = (fields: Record<string, unknown>, keys: readonly string[]) =>
    keys.map((key) => {
      const value = ownField(fields, key);
      return { text: terminalText(cellText(value, 'table')), right: typeof value === 'number' };
    });

  const start = async () => {
    const keys = options.properties ? [...options.properties] : defaultColumns(buffered[0]!);
    const headers = keys.map(terminalText);
    const natural = headers.map((header, i) =>
      Math.max(displayWidth(header), ...buffered.map((row) => displayWidth(cells(row, [keys[i]!])[0]!.text))),
    );
    const widths = fitColumns(natural, options.columns);
    const shown = keys.slice(0, widths.length);
    layout = { keys: shown, widths };
    const left = (text: string) => ({ text, right: false });
    let head = line(headers.slice(0, widths.length).map(left), widths);
    head += line(
      headers.slice(0, widths.length).map((h, i) => left('-'.repeat(Math.min(displayWidth(h), widths[i]!)))),
      widths,
    );
    for (const row of buffered) head += line(cells(row, shown), widths);
    buffered.length = 0;
    await writer.write(head);
  };

  for await (const row of rows) {
    count++;
    const fields = rowFields(row);
    if (layout) {
      await writer.write(line(cells(fields, layout.keys), layout.widths));
      continue;
    }
    buffered.push(fields);
    if (buffered.length >= options.bufferRows) await start();
  }
  if (!layout && buffered.length > 0) await start();
  return count;
}
