import { ExoError } from '@exo-connect/errors';
import type { z } from 'zod';

/** One problem with one field, `path` written the way a contributor reads it: `environments[0].rps.connectionUri`. */
export interface FieldIssue {
  path: string;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A zod path the way a user reads it: `environments[0].rps.connectionUri`, `profiles.work["no-such"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}

export interface FieldIssuesOptions {
  /** Where the validated value sits in a larger document: prepended to every path. */
  prefix?: readonly PropertyKey[];
  /** A message of its own for an unknown key (e.g. a password field); undefined keeps the default. */
  unknownKey?: (key: string) => string | undefined;
}

/**
 * zod's issues as field issues, one per field: an unknown key becomes an issue on that key, where a typo is
 * easiest to spot, and a bad record key (say, a profile name) carries its key schema's own message.
 */
export function fieldIssues(error: z.ZodError, options: FieldIssuesOptions = {}): FieldIssue[] {
  const prefix = options.prefix ?? [];
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: formatPath([...prefix, ...issue.path, key]),
          message: options.unknownKey?.(key) ?? 'is not a known field (check its spelling)',
        }))
      : [
          {
            path: formatPath([...prefix, ...issue.path]),
            message:
              issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message,
          },
        ],
  );
}

/**
 * The INVALID_ARGUMENT error for a list of field issues. With a file, every line starts with the file name,
 * compiler style, so each problem can be found from the message alone.
 */
export function invalidArgument(headline: string, issues: readonly FieldIssue[], file?: string): ExoError {
  const prefix = file === undefined ? '' : `${file}: `;
  const lines = issues.map((i) => `  ${prefix}${i.path}: ${i.message}`);
  const first = issues[0];
  return new ExoError('INVALID_ARGUMENT', [headline, ...lines].join('\n'), {
    remediation: first ? `Correct ${prefix}${first.path} and try again.` : undefined,
    details: { ...(file === undefined ? {} : { file }), issues: issues.map((i) => ({ ...i })) },
  });
}
