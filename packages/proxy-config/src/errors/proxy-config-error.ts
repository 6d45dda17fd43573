import { ERROR_CODES, type ErrorCode, ExoError } from '@exo-connect/errors';

/** The codes proxy-config raises, from the one table of @exo-connect/errors (DESIGN.md §6). */
export type ProxyConfigErrorCode = Extract<ErrorCode, 'INVALID_ARGUMENT' | 'PROXY_UNSUPPORTED'>;

/** Default next steps: INVALID_ARGUMENT names what a user corrects here; PROXY_UNSUPPORTED is the table's. */
export const PROXY_CONFIG_ERROR_REMEDIATIONS: Readonly<Record<ProxyConfigErrorCode, string>> = Object.freeze({
  INVALID_ARGUMENT: 'Correct the named proxy or session option and try again.',
  PROXY_UNSUPPORTED: ERROR_CODES.PROXY_UNSUPPORTED.remediation,
});

export interface ProxyConfigErrorOptions {
  /** The dotted path of the bad field (`credential.password`, `bypass.2`, `accessType`). */
  field: string;
  /** Overrides the code's default next step when a more specific one is known. */
  remediation?: string;
  cause?: unknown;
  /** Structured facts about the failure (the source, the platform). Never secrets. */
  details?: Record<string, unknown>;
}

/** A proxy or session option a user can fix: the one ExoError, with the field at fault in `details.field`. */
export function proxyConfigError(
  code: ProxyConfigErrorCode,
  message: string,
  options: ProxyConfigErrorOptions,
): ExoError {
  return new ExoError(code, message, {
    remediation: options.remediation ?? PROXY_CONFIG_ERROR_REMEDIATIONS[code],
    cause: options.cause,
    details: { ...options.details, field: options.field },
  });
}

// The errors of this package are the workspace's one ExoError; the old name stays for existing callers
// (`instanceof ProxyConfigError`, `ProxyConfigError.is(error, code)`).
export { ExoError as ProxyConfigError };
