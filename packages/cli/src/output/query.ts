import { ExoError } from '@exo-connect/core';
import { compile, type JSONValue, TreeInterpreter } from '@jmespath-community/jmespath';
import { type FormatOutputOptions, formatOutput } from './format-output.js';
import { StreamWriter } from './stream-writer.js';

/** A JMESPath expression, checked once: applied to a command's whole output (a list), as `az --query` is. */
export interface ResultQuery {
  readonly expression: string;
  apply(rows: readonly unknown[]): unknown;
}

const REMEDY =
  'Write a JMESPath expression (https://jmespath.site), e.g. "[].{Name: DisplayName, Mail: PrimarySmtpAddress}" ' +
  'or "[?RecipientTypeDetails == \'SharedMailbox\'].Alias"; quote it for your shell.';

/** Compiles `expression`; a bad one is INVALID_ARGUMENT naming where it went wrong, before anything connects. */
export function compileQuery(expression: string): ResultQuery {
  if (expression.trim() === '') {
    throw new ExoError('INVALID_ARGUMENT', '--query: the expression is empty.', {
      details: { field: 'query' },
      remediation: REMEDY,
    });
  }
  let ast: ReturnType<typeof compile>;
  try {
    ast = compile(expression);
  } catch (error) {
    throw queryError(expression, error, 'is not a valid JMESPath expression', true);
  }
  return {
    expression,
    apply(rows) {
      try {
        return TreeInterpreter.search(ast, rows as JSONValue);
      } catch (error) {
        // A function given the wrong type (`length(@)` on a number, …) fails only when it runs.
        throw queryError(expression, error, 'failed on the output');
      }
    },
  };
}

function queryError(expression: string, error: unknown, what: string, parsing = false): ExoError {
  const message = error instanceof Error ? error.message : String(error);
  const position = parsing ? positionOf(expression, message) : undefined;
  // One line (the CLI prints messages on one): the expression with ▸ where the parser stopped.
  const where =
    position === undefined
      ? ''
      : ` (at character ${position + 1}: "${expression.slice(0, position)}▸${expression.slice(position)}")`;
  return new ExoError('INVALID_ARGUMENT', `--query ${what}${where}: ${message}`, {
    details: { field: 'query', ...(position !== undefined && { position }) },
    remediation: REMEDY,
  });
}

/**
 * Where the parser stopped, which its errors do not say: the end, for an expression that ends too soon; else
 * the last character of the shortest start of the expression that fails with the same message.
 */
function positionOf(expression: string, message: string): number | undefined {
  if (/\bEOF\b/.test(message)) return expression.trimEnd().length;
  for (let length = 1; length <= expression.length; length++) {
    try {
      compile(expression.slice(0, length));
    } catch (error) {
      if (error instanceof Error && error.message === message) return length - 1;
    }
  }
  return undefined;
}

/**
 * What a query gave, as rows for the table, csv and ndjson formats: a list's items, or the one value; an item
 * that is not an object becomes `{ Value: item }`. Null (nothing matched) is no rows.
 */
export function queryRows(result: unknown): Record<string, unknown>[] {
  if (result === null || result === undefined) return [];
  const items = Array.isArray(result) ? result : [result];
  return items.map((item) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? (item as Record<string, unknown>)
      : { Value: item },
  );
}

/**
 * Applies `query` to the whole output (read to its end first: a query sees every row), then prints what it
 * gave: JSON exactly as is (a list, an object, a string or a number, like `az --query`), the other formats
 * as rows (queryRows). Resolves with the number of rows printed (1 for a JSON value that is not a list).
 */
export async function formatQueried(
  rows: AsyncIterable<unknown>,
  query: ResultQuery,
  options: FormatOutputOptions,
): Promise<number> {
  const all: unknown[] = [];
  for await (const row of rows) all.push(row);
  const result = query.apply(all);
  if (options.format === 'json' && !Array.isArray(result)) {
    const writer = new StreamWriter(options.out);
    try {
      await writer.write(`${JSON.stringify(result ?? null, null, 2)}\n`);
    } finally {
      writer.release();
    }
    return 1;
  }
  return formatOutput(options.format === 'json' ? (result as unknown[]) : queryRows(result), options);
}
