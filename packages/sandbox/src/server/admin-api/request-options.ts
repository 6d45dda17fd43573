/** Reading the request's OData options: Prefer, $select, $skiptoken. */

export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 1000;

export interface Preferences {
  /** The page size to use: odata.maxpagesize when given in 1..1000, 1000 above that, else the default. */
  pageSize: number;
  /** Whether odata.maxpagesize was honoured (capped or not): it is then named in Preference-Applied. */
  maxPageSizeApplied: boolean;
  continueOnError: boolean;
}

/**
 * Prefer is a hint, never an error (RFC 7240, OData 4.01 §8.2.8): `odata.maxpagesize=N` (clients also write
 * `odata.maxpagesize = N`) above 1000 is served as 1000 pages, and one below 1 or not a whole number is ignored.
 */
export function parsePrefer(values: string | readonly string[] | undefined): Preferences {
  const preferences: Preferences = {
    pageSize: DEFAULT_PAGE_SIZE,
    maxPageSizeApplied: false,
    continueOnError: false,
  };
  const all = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  for (const token of all.flatMap((value) => value.split(/[,;]/))) {
    const [rawName = '', ...rest] = token.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name === 'odata.continue-on-error') {
      preferences.continueOnError = value === '' || value.toLowerCase() === 'true';
    } else if (name === 'odata.maxpagesize' && /^\d+$/.test(value)) {
      const size = Number(value);
      if (size >= 1) {
        preferences.pageSize = Math.min(size, MAX_PAGE_SIZE);
        preferences.maxPageSizeApplied = true;
      }
    }
  }
  return preferences;
}

/** The Preference-Applied header: what the service's own replies say, plus the page size when one was asked. */
export function preferenceApplied(preferences: Preferences): string {
  const applied = ['odata.include-annotations="*"'];
  if (preferences.maxPageSizeApplied) applied.push(`odata.maxpagesize=${preferences.pageSize}`);
  return applied.join(', ');
}

/** `$select=A,B` as names; undefined when absent, empty or `*`. */
export function parseSelect(raw: string | null | undefined): string[] | undefined {
  if (raw === null || raw === undefined) return undefined;
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0 || names.includes('*')) return undefined;
  return names;
}

/**
 * Keeps the selected properties (matched in any case) with the object's own names and order, and their
 * `Name@odata.type`-style annotations; the object's own annotations (`@odata.type`) stay too.
 */
export function projector(
  select: readonly string[] | undefined,
): (object: Record<string, unknown>) => Record<string, unknown> {
  if (!select) return (object) => object;
  const wanted = new Set(select.map((name) => name.toLowerCase()));
  return (object) => {
    const projected: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(object)) {
      const at = key.indexOf('@');
      const property = (at > 0 ? key.slice(0, at) : key).toLowerCase();
      if (at === 0 || wanted.has(property)) projected[key] = value;
    }
    return projected;
  };
}

/** A query option by name, accepting `$select` and a client's `%24select` alike (URLSearchParams decodes). */
export function queryOption(search: URLSearchParams, name: string): string | null {
  for (const [key, value] of search) if (key.toLowerCase() === name.toLowerCase()) return value;
  return null;
}
