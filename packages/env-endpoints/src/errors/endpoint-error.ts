import { ERROR_CODES, type ErrorCode, ExoError, type ExoErrorOptions } from '@exo-connect/errors';

/** The codes env-endpoints raises, from the one table of @exo-connect/errors (DESIGN.md §6). */
export type EndpointErrorCode = Extract<
  ErrorCode,
  'INVALID_ARGUMENT' | 'UNKNOWN_ENVIRONMENT' | 'ENVIRONMENT_RETIRED'
>;

/** Their default next steps: the table's, so a user hears one voice. */
export const ENDPOINT_ERROR_REMEDIATIONS: Readonly<Record<EndpointErrorCode, string>> = Object.freeze({
  INVALID_ARGUMENT: ERROR_CODES.INVALID_ARGUMENT.remediation,
  UNKNOWN_ENVIRONMENT: ERROR_CODES.UNKNOWN_ENVIRONMENT.remediation,
  ENVIRONMENT_RETIRED: ERROR_CODES.ENVIRONMENT_RETIRED.remediation,
});

/** Nothing env-endpoints reports gets better by trying again, so retryable stays the table's `false`. */
export type EndpointErrorOptions = Omit<ExoErrorOptions, 'retryable'>;

// The errors of this package are the workspace's one ExoError; the old name stays for existing callers
// (`instanceof EndpointError`, `EndpointError.is(error, code)`).
export { ExoError as EndpointError };
