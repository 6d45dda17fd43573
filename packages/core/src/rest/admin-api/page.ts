import { ExoError } from '../../errors/exo-error.js';

/** One InvokeCommand page: `{"@odata.context","@adminapi.warnings"?,"value":[…],"@odata.nextLink"?}`. */
export interface Page {
  value: Record<string, unknown>[];
  warnings: string[];
  nextLink?: string;
}

/** Reads a page from its JSON (a parsed $batch sub-response body, or the text of a reply). */
export function readPage(body: unknown, what: string, host: string): Page {
  let json = body;
  if (typeof body === 'string') {
    try {
      json = JSON.parse(body);
    } catch (error) {
      throw unexpected(what, host, 'is not JSON', error);
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw unexpected(what, host, 'is not an object');
  const record = json as Record<string, unknown>;
  const value = record.value ?? [];
  if (!Array.isArray(value)) throw unexpected(what, host, 'has no value list');
  const page: Page = {
    // A cmdlet that writes a plain value (a string, a number) gives it as is; objects are the usual case.
    value: value.map((item) => (isObject(item) ? item : { Value: item })),
    warnings: warningsOf(record['@adminapi.warnings']),
  };
  const next = record['@odata.nextLink'];
  if (typeof next === 'string' && next !== '') page.nextLink = next;
  return page;
}

function warningsOf(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .map((entry) =>
      typeof entry === 'string'
        ? entry
        : isObject(entry)
          ? String(entry.Message ?? JSON.stringify(entry))
          : String(entry),
    )
    .filter((text) => text !== '');
}

function unexpected(what: string, host: string, problem: string, cause?: unknown): ExoError {
  return new ExoError(
    'SESSION_BROKEN',
    `The reply of ${host} to ${what} ${problem}: it is not an admin API page.`,
    {
      details: { host },
      cause,
      retryable: false,
      remediation:
        'Check that rest.apiUrl names the Exchange admin API and that no proxy rewrites its replies.',
    },
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
