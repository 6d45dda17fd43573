import type { Unit } from './report.js';

/** Three significant digits at most, no trailing noise: 0.412, 4.12, 41.2, 412, 4120. */
function significant(value: number): string {
  const abs = Math.abs(value);
  const decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(decimals);
}

/** Thousands separators for large counts and rates: 3,300. */
function grouped(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatMs(ms: number): string {
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${significant(ms)} ms`;
}

export function formatRatio(r: number): string {
  return `${r.toFixed(2)}×`;
}

export function formatValue(value: number, unit: Unit | string): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'objects/s':
    case 'commands/s':
      return `${value >= 1000 ? grouped(value) : significant(value)} ${unit}`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'bytes':
      return `${grouped(value)} B`;
    case '%':
      return `${value.toFixed(0)} %`;
    case 'ms/call':
      return `${significant(value)} ms/call`;
    case 'count':
    case 'sessions':
      return grouped(value);
    default:
      return `${significant(value)} ${unit}`;
  }
}

/** A cell never breaks the table: pipes are escaped and line breaks become spaces. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * A GitHub-flavoured Markdown table. `align` is one letter per column: l(eft), r(ight), c(enter);
 * numbers read best right-aligned.
 */
export function renderTable(headers: string[], rows: string[][], align?: string): string {
  for (const [i, row] of rows.entries()) {
    if (row.length !== headers.length) {
      throw new RangeError(`row ${i} has ${row.length} cells; the table has ${headers.length} columns`);
    }
  }
  const rule = headers.map((_, i) => {
    const a = align?.[i] ?? 'l';
    return a === 'r' ? '---:' : a === 'c' ? ':---:' : '---';
  });
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}
