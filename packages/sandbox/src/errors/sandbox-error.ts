/** Core's stable codes (DESIGN.md §6) that the sandbox raises. */
export type SandboxErrorCode = 'PWSH_NOT_FOUND' | 'INVALID_ARGUMENT' | 'CMDLET_ERROR' | 'ABORTED';

/** What went wrong in the sandbox's own terms, for callers that branch on it. */
export type SandboxErrorReason =
  | 'PWSH_NOT_FOUND'
  | 'INVALID_OPTION'
  | 'TENANT_EXISTS'
  | 'TENANT_NOT_FOUND'
  | 'POWERSHELL_FAILED'
  | 'ABORTED';

const REMEDIATIONS: Readonly<Record<SandboxErrorReason, string>> = Object.freeze({
  PWSH_NOT_FOUND:
    'Install PowerShell 7 (https://aka.ms/powershell), put pwsh on PATH, or set EXO_PWSH to the pwsh executable.',
  INVALID_OPTION: 'Correct the named option and try again.',
  TENANT_EXISTS: 'Use resetTenant() to restore the tenant, or createTenant({ force: true }) to replace it.',
  TENANT_NOT_FOUND: 'Create the tenant first with createTenant() (or `exo sandbox init`).',
  POWERSHELL_FAILED:
    'Read the PowerShell error above; run the same command with the ExoSandbox module to see more.',
  ABORTED: 'The operation was cancelled by its AbortSignal.',
});

const CODES: Readonly<Record<SandboxErrorReason, SandboxErrorCode>> = Object.freeze({
  PWSH_NOT_FOUND: 'PWSH_NOT_FOUND',
  INVALID_OPTION: 'INVALID_ARGUMENT',
  TENANT_EXISTS: 'INVALID_ARGUMENT',
  TENANT_NOT_FOUND: 'INVALID_ARGUMENT',
  POWERSHELL_FAILED: 'CMDLET_ERROR',
  ABORTED: 'ABORTED',
});

export interface SandboxErrorOptions {
  cause?: unknown;
  /** Structured facts about the failure (never a password). */
  details?: Record<string, unknown>;
}

// The registered symbol core's ExoError.is() recognises, so these errors need no import of core.
const marker = Symbol.for('exo-connect.error');

/** An error from the sandbox's TypeScript API: a stable code, the sandbox's reason, and a next step. */
export class SandboxError extends Error {
  readonly [marker] = true;
  readonly code: SandboxErrorCode;
  readonly reason: SandboxErrorReason;
  readonly remediation: string;
  readonly retryable = false as const;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(reason: SandboxErrorReason, message: string, options: SandboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SandboxError';
    this.reason = reason;
    this.code = CODES[reason];
    this.remediation = REMEDIATIONS[reason];
    this.details = Object.freeze({ ...options.details });
  }

  static is(value: unknown, reason?: SandboxErrorReason): value is SandboxError {
    return value instanceof SandboxError && (reason === undefined || value.reason === reason);
  }

  toJSON(): { code: SandboxErrorCode; reason: SandboxErrorReason; message: string; remediation: string } {
    return { code: this.code, reason: this.reason, message: this.message, remediation: this.remediation };
  }
}
