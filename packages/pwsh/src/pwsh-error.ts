/** The error codes this package raises; each is one of core's stable codes (DESIGN.md §6). */
export type PwshErrorCode = 'PWSH_NOT_FOUND';

/** Default next steps, word for word core's for the same codes. */
const REMEDIATIONS: Readonly<Record<PwshErrorCode, string>> = Object.freeze({
  PWSH_NOT_FOUND:
    'Install PowerShell 7.6.5 or later (Linux: `dotnet tool install --global PowerShell --version 7.6.9` or ' +
    "Microsoft's package repository; macOS: `brew install --cask powershell`; Windows: " +
    '`winget install Microsoft.PowerShell`), or set EXO_PWSH to the pwsh executable.',
});

export interface PwshErrorOptions {
  /** Overrides the code's default next step when a more specific one is known. */
  remediation?: string;
  cause?: unknown;
  /** Structured facts about the failure (never secrets). */
  details?: Record<string, unknown>;
}

// Registered symbol, not a class check: core's ExoError.is() recognises these errors without this package
// importing core (core depends on it, not the other way round).
const marker = Symbol.for('exo-connect.error');

/** An error this package raises on purpose: a stable code, a message, and what to do next. */
export class PwshError extends Error {
  readonly [marker] = true;
  readonly code: PwshErrorCode;
  readonly remediation: string;
  readonly retryable = false;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: PwshErrorCode, message: string, options: PwshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PwshError';
    this.code = code;
    this.remediation = options.remediation ?? REMEDIATIONS[code];
    this.details = Object.freeze({ ...options.details });
  }

  toJSON(): { code: PwshErrorCode; message: string; remediation: string; retryable: boolean } {
    return {
      code: this.code,
      message: this.message,
      remediation: this.remediation,
      retryable: this.retryable,
    };
  }
}
