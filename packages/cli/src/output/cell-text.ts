/** A row as named fields: objects as they are, anything else (a string, a number) as { Value }. */
export function rowFields(row: unknown): Record<string, unknown> {
  if (row !== null && typeof row === 'object' && !Array.isArray(row) && !(row instanceof Date)) {
    return row as Record<string, unknown>;
  }
  return { Value: row };
}

function scalarText(value: unknown): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  return undefined;
}

/**
 * One field as text: dates as ISO 8601, nested values as compact JSON. For a table a list of scalars reads
 * better as `a, b`, the way PowerShell shows a collection.
 */
export function cellText(value: unknown, style: 'csv' | 'table'): string {
  const scalar = scalarText(value);
  if (scalar !== undefined) return scalar;
  if (style === 'table' && Array.isArray(value) && value.every((item) => scalarText(item) !== undefined)) {
    return value.map((item) => scalarText(item)).join(', ');
  }
  return JSON.stringify(value) ?? '';
}

/** True for values a table column shows well: not objects or lists. */
export function isScalar(value: unknown): boolean {
  return scalarText(value) !== undefined;
}

/** A row's own field (never one inherited from Object.prototype, for a column named "constructor"). */
export function ownField(fields: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}
