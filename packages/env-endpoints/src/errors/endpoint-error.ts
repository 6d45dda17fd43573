/** The error codes env-endpoints raises; each is one of core's stable codes (DESIGN.md §6). */
export type EndpointErrorCode = 'INVALID_ARGUMENT' | 'UNKNOWN_ENVIRONMENT' | 'ENVIRONMENT_RETIRED';

/** Default next steps, worded like core's for the same codes so a user sees one voice. */
export const ENDPOINT_ERROR_REMEDIATIONS: Readonly<Record<EndpointErrorCode, string>> = Object.freeze({
  INVALID_ARGUMENT: 'Correct the named field and try again.',
  UNKNOWN_ENVIRONMENT: 'Use one of the listed environment ids (`exo endpoints list` shows them all).',
  ENVIRONMENT_RETIRED: 'Choose an active environment; this one has been closed.',
});

export interface EndpointErrorOptions {
  /** Overrides the code's default next step when a more specific one is known. */
  remediation?: string;
  cause?: unknown;
  /** Structured facts about the failure: the file, the bad fields, the close matches. */
  details?: Record<string, unknown>;
}

// Registered symbol, not a class check: core's ExoError.is() recognises errors from this package
// without env-endpoints importing core (core depends on us, not the other way round).
const marker = Symbol.for('exo-connect.error');

/** An error a caller can fix: a bad environment definition, an unknown name, a closed cloud. */
export class EndpointError extends Error {
  readonly [marker] = true;
  readonly code: EndpointErrorCode;
  readonly remediation: string;
  /** Nothing here gets better by trying again. */
  readonly retryable = false as const;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: EndpointErrorCode, message: string, options: EndpointErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EndpointError';
    this.code = code;
    this.remediation = options.remediation ?? ENDPOINT_ERROR_REMEDIATIONS[code];
    this.details = Object.freeze({ ...options.details });
  }

  static is(value: unknown, code?: EndpointErrorCode): value is EndpointError {
    return value instanceof EndpointError && (code === undefined || value.code === code);
  }

  toJSON(): { code: EndpointErrorCode; message: string; remediation: string; retryable: false } {
    return {
      code: this.code,
      message: this.message,
      remediation: this.remediation,
      retryable: this.retryable,
    };
  }
}
