import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export interface ExoErrorOptions {
  /** Overrides the code's default next step when a more specific one is known. */
  remediation?: string;
  /** Overrides the code's default when the raiser knows better. */
  retryable?: boolean;
  cause?: unknown;
  /** Structured facts about the failure (never secrets). */
  details?: Record<string, unknown>;
}

// A registered symbol, not a class check, so errors from another copy of this package (two versions in one
// node_modules tree, a bundled copy) are recognised too.
const marker = Symbol.for('exo-connect.error');

/** Every error exo-connect raises on purpose, from any of its packages: a stable code, a message, what to do next. */
export class ExoError extends Error {
  readonly [marker] = true;
  readonly code: ErrorCode;
  readonly remediation: string;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: ExoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExoError';
    this.code = code;
    this.remediation = options.remediation ?? ERROR_CODES[code].remediation;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.details = Object.freeze({ ...options.details });
  }

  /** True for an exo-connect error from any copy of this package, optionally with the given code. */
  static is(value: unknown, code?: ErrorCode): value is ExoError {
    if (typeof value !== 'object' || value === null) return false;
    const candidate = value as { [marker]?: unknown; code?: unknown };
    return (
      candidate[marker] === true &&
      typeof candidate.code === 'string' &&
      (code === undefined || candidate.code === code)
    );
  }

  toJSON(): { code: ErrorCode; message: string; remediation: string; retryable: boolean } {
    return {
      code: this.code,
      message: this.message,
      remediation: this.remediation,
      retryable: this.retryable,
    };
  }
}
