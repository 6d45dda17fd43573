import { ExoError } from '@exo-connect/core';
import type { JsonValue } from './json-value.js';

/**
 * The value half of the parameter grammar (README "Parameter grammar"): one argv element, already split and
 * unquoted by the user's shell, becomes data. Nothing here is ever PowerShell code; only the ASCII quotes
 * ' and " mean anything, and only to group list items or force a string.
 */

const LITERALS = new Map<string, JsonValue>([
  ['$true', true],
  ['$false', false],
  ['$null', null],
]);

const NUMBER_TEXT = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const QUOTES = new Set(["'", '"']);
// Above 15 significant digits a decimal no longer survives the trip through a double.
const MAX_DECIMAL_DIGITS = 15;
const EDGE_BLANKS = /^[ \t]+|[ \t]+$/g;

const EMPTY_LIST = '@()';

/** The number an element means, or undefined when it stays a string (007, 1e5, 0x1F, +5, .5, 10MB …). */
function numberFromText(text: string): number | undefined {
  if (!NUMBER_TEXT.test(text)) return undefined;
  const value = Number(text);
  if (text.includes('.')) {
    const digits = text.replace(/[-.]/g, '').replace(/^0+/, '');
    if (digits.length > MAX_DECIMAL_DIGITS) return undefined;
    // 0.0000001 would print back as 1e-7, which this grammar reads as a string.
    if (String(value).includes('e')) return undefined;
  } else if (!Number.isSafeInteger(value)) {
    return undefined;
  }
  return value === 0 ? 0 : value; // never -0: JSON cannot carry it
}

/** The text of a whole-element quoted string ('it''s' or "say ""hi"""), or undefined when it is not one. */
function unquote(text: string): string | undefined {
  const quote = text[0];
  if (text.length < 2 || quote === undefined || !QUOTES.has(quote) || text.at(-1) !== quote) return undefined;
  const inner = text.slice(1, -1);
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] !== quote) continue;
    if (inner[i + 1] !== quote) return undefined;
    i++;
  }
  return inner.replaceAll(quote + quote, quote);
}

/**
 * The items of a comma list, or undefined when the element has no comma outside quotes. Quotes are tracked
 * across the whole element, so "Name -eq 'Doe, John'" (comma inside quotes) is not a list.
 */
function splitList(text: string): string[] | undefined {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (QUOTES.has(c)) {
      quote = c;
    } else if (c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (parts.length === 0) return undefined;
  parts.push(text.slice(start));
  // PowerShell's unary comma: ",a" is a list of one.
  if (parts[0]!.replace(EDGE_BLANKS, '') === '') parts.shift();
  return parts;
}

function scalar(text: string): JsonValue {
  const literal = LITERALS.get(text.toLowerCase());
  if (literal !== undefined) return literal;
  const number = numberFromText(text);
  if (number !== undefined) return number;
  return unquote(text) ?? text;
}

/** Reads one value element for parameter `name` (used in error messages only). */
export function parseValue(text: string, name: string): JsonValue {
  const lower = text.toLowerCase();
  if (LITERALS.has(lower) || numberFromText(text) !== undefined || unquote(text) !== undefined) {
    return scalar(text);
  }
  if (text === EMPTY_LIST) return [];
  const items = splitList(text);
  if (items === undefined) return text;
  return items.map((item, index) => {
    const trimmed = item.replace(EDGE_BLANKS, '');
    if (trimmed === '') {
      throw new ExoError('INVALID_ARGUMENT', `-${name}: item ${index + 1} of the comma list is empty.`, {
        details: { field: `parameters.${name}` },
        remediation:
          `Remove the extra comma, quote an item that contains a comma (-${name} "'a,b',c"), ` +
          `or pass the value with --params-json '{"${name}": …}'.`,
      });
    }
    return scalar(trimmed);
  });
}

function quoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function cannotWrite(name: string, what: string): ExoError {
  return new ExoError('INVALID_ARGUMENT', `-${name}: ${what} cannot be written as a -Name value argument.`, {
    details: { field: `parameters.${name}` },
    remediation: `Pass -${name} with --params-json '{"${name}": …}' instead.`,
  });
}

function numberText(value: number, name: string): string {
  const text = String(value);
  if (numberFromText(text) !== value) throw cannotWrite(name, `the number ${text}`);
  return text;
}

function itemText(value: JsonValue, name: string): string {
  if (value === null || typeof value === 'boolean') return `$${String(value)}`;
  if (typeof value === 'number') return numberText(value, name);
  if (typeof value !== 'string') throw cannotWrite(name, 'a nested list or object');
  const plain =
    value !== '' &&
    !/[,'"]/.test(value) &&
    value.replace(EDGE_BLANKS, '') === value &&
    scalar(value) === value;
  return plain ? value : quoted(value);
}

/** The element text that parseValue() reads back as exactly `value` (the inverse, for tests and re-use). */
export function formatValue(value: JsonValue, name: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return EMPTY_LIST;
    const items = value.map((item) => itemText(item, name));
    return value.length === 1 ? `,${items[0]}` : items.join(',');
  }
  if (value !== null && typeof value === 'object') throw cannotWrite(name, 'an object');
  if (typeof value === 'string') return readsBackAsItself(value, name) ? value : quoted(value);
  return itemText(value, name);
}

function readsBackAsItself(text: string, name: string): boolean {
  try {
    return parseValue(text, name) === text;
  } catch {
    return false; // "a,,b" is an error as bare text, so it must be quoted
  }
}
