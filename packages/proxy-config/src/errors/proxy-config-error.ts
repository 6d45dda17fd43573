/** The error codes proxy-config raises; each is one of core's stable codes (DESIGN.md §6). */
export type ProxyConfigErrorCode = 'INVALID_ARGUMENT' | 'PROXY_UNSUPPORTED';

/** Default next steps, worded like core's for the same codes so a user hears one voice. */
export const PROXY_CONFIG_ERROR_REMEDIATIONS: Readonly<Record<ProxyConfigErrorCode, string>> = Object.freeze({
  INVALID_ARGUMENT: 'Correct the named proxy or session option and try again.',
  PROXY_UNSUPPORTED:
    'This proxy setting does not exist on this platform. Give an explicit proxy URL, or set HTTPS_PROXY.',
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

// Registered symbol, not a class check: core's ExoError.is() recognises errors from this package
// without proxy-config importing core (core depends on us, not the other way round).
const marker = Symbol.for('exo-connect.error');

/** A proxy or session option a user can fix: a stable code, the field at fault and what to do next. */
export class ProxyConfigError extends Error {
  readonly [marker] = true;
  readonly code: ProxyConfigErrorCode;
  readonly remediation: string;
  readonly retryable = false;
  readonly details: Readonly<Record<string, unknown>> & { readonly field: string };

  constructor(code: ProxyConfigErrorCode, message: string, options: ProxyConfigErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProxyConfigError';
    this.code = code;
    this.remediation = options.remediation ?? PROXY_CONFIG_ERROR_REMEDIATIONS[code];
    this.details = Object.freeze({ ...options.details, field: options.field });
  }

  /** True for a ProxyConfigError from any copy of this package, optionally with the given code. */
  static is(value: unknown, code?: ProxyConfigErrorCode): value is ProxyConfigError {
    const ok =
      value instanceof Error &&
      (value as unknown as Record<symbol, unknown>)[marker] === true &&
      value.name === 'ProxyConfigError';
    return ok && (code === undefined || (value as ProxyConfigError).code === code);
  }

  toJSON(): { code: ProxyConfigErrorCode; message: string; remediation: string; retryable: boolean } {
    return {
      code: this.code,
      message: this.message,
      remediation: this.remediation,
      retryable: this.retryable,
    };
  }
}
