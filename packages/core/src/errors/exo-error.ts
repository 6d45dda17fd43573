import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export interface ExoErrorOptions {
  /** Overrides the code's default next step when a more specific one is known. */
  remediation?: string;
  retryable?: boolean;
  cause?: unknown;
  /** Structured facts about the failure (never secrets). */
  details?: Record<string, unknown>;
}

const marker = Symbol.for('exo-connect.error');

/** Every error exo-connect raises on purpose: a stable code, a message, and what to do next. */
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

  /**
   * True for exo-connect errors from any copy of this package, and from the packages below core
   * (env-endpoints, proxy-config), which mark their errors with the same registered symbol.
   */
  static is(value: unknown, code?: ErrorCode): value is ExoError {
    const ok =
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
    return ok && (code === undefined || (value as ExoError).code === code);
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
