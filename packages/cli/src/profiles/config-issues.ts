import { ExoError } from '@exo-connect/core';
import type { z } from 'zod';
import { SECRET_KEY } from './config-schema.js';

export interface FieldIssue {
  path: string;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A zod path the way a user reads it: `profiles.work.proxy["no-such"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}

/** zod's issues, one per field; an unknown key is reported on that key, and a password key says why. */
export function fieldIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: formatPath([...prefix, ...issue.path, key]),
          message: SECRET_KEY.test(key)
            ? 'secrets are never stored in the config file'
            : 'is not a known field (check its spelling)',
        }))
      : [
          {
            path: formatPath([...prefix, ...issue.path]),
            // A bad record key (a profile name) carries the key schema's own message inside.
            message:
              issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message,
          },
        ],
  );
}

/** INVALID_ARGUMENT listing every issue, each line starting with the file when there is one. */
export function configError(headline: string, issues: readonly FieldIssue[], file?: string): ExoError {
  const where = file === undefined ? '' : `${file}: `;
  const first = issues[0];
  const secret = issues.some((i) => i.message.startsWith('secrets are never stored'));
  return new ExoError(
    'INVALID_ARGUMENT',
    [headline, ...issues.map((i) => `  ${where}${i.path}: ${i.message}`)].join('\n'),
    {
      remediation: secret
        ? 'Remove the secret from the file; give passwords with the keychain (credentialStore: "keychain"), ' +
          '--password-stdin or the prompt.'
        : first
          ? `Correct ${where}${first.path} and try again.`
          : undefined,
      details: {
        ...(file === undefined ? {} : { file }),
        field: first?.path ?? '(root)',
        issues: issues.map((i) => ({ ...i })),
      },
    },
  );
}
