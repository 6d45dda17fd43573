import { ExoError } from '@exo-connect/core';
import { type FieldIssue, fieldIssues as zodFieldIssues } from '@exo-connect/env-endpoints';
import type { z } from 'zod';
import { SECRET_KEY } from './config-schema.js';

export type { FieldIssue };

/** zod's issues, one per field (env-endpoints' rules); a password key says why it is refused. */
export function fieldIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return zodFieldIssues(error, {
    prefix,
    unknownKey: (key) => (SECRET_KEY.test(key) ? 'secrets are never stored in the config file' : undefined),
  });
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
