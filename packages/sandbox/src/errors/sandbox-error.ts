import { type ErrorCode, ExoError } from '@exo-connect/errors';

/** The codes of @exo-connect/errors (DESIGN.md §6) that the sandbox raises. */
export type SandboxErrorCode = Extract<
  ErrorCode,
  'PWSH_NOT_FOUND' | 'INVALID_ARGUMENT' | 'CMDLET_ERROR' | 'ABORTED' | 'SESSION_BROKEN' | 'TIMEOUT'
>;

/** What went wrong in the sandbox's own terms, for callers that branch on it. */
export type SandboxErrorReason =
  | 'PWSH_NOT_FOUND'
  | 'INVALID_OPTION'
  | 'TENANT_EXISTS'
  | 'TENANT_NOT_FOUND'
  | 'TENANT_CORRUPT'
  | 'SERVER_NOT_RUNNING'
  | 'POWERSHELL_FAILED'
  | 'ABORTED'
  | 'ENGINE_CLOSED'
  | 'ENGINE_WORKER_FAILED'
  | 'ENGINE_TIMEOUT';

const REMEDIATIONS: Readonly<Record<SandboxErrorReason, string>> = Object.freeze({
  PWSH_NOT_FOUND:
    'Install PowerShell 7 (https://aka.ms/powershell), put pwsh on PATH, or set EXO_PWSH to the pwsh executable.',
  INVALID_OPTION: 'Correct the named option and try again.',
  TENANT_EXISTS: 'Use resetTenant() to restore the tenant, or createTenant({ force: true }) to replace it.',
  TENANT_NOT_FOUND: 'Create the tenant first with createTenant() (or `exo sandbox init`).',
  TENANT_CORRUPT:
    'Check it with verifyTenant() (Test-ExoSandboxTenant), or recreate it with createTenant({ force: true }).',
  SERVER_NOT_RUNNING: 'Start the REST face first: `exo sandbox serve`, or startSandboxServer() in your code.',
  POWERSHELL_FAILED:
    'Read the PowerShell error above; run the same command with the ExoSandbox module to see more.',
  ABORTED: 'The operation was cancelled by its AbortSignal.',
  ENGINE_CLOSED: 'The engine pool was closed: start a new one with startEnginePool().',
  ENGINE_WORKER_FAILED:
    "The request's engine worker (pwsh) ended; the pool starts another. Send the request again, and read the worker's last output in the message if it keeps failing.",
  ENGINE_TIMEOUT:
    'The cmdlet ran too long; its worker was ended and is replaced. Narrow the request (a -Filter, a smaller -ResultSize) or raise requestTimeoutMs.',
});

const CODES: Readonly<Record<SandboxErrorReason, SandboxErrorCode>> = Object.freeze({
  PWSH_NOT_FOUND: 'PWSH_NOT_FOUND',
  INVALID_OPTION: 'INVALID_ARGUMENT',
  TENANT_EXISTS: 'INVALID_ARGUMENT',
  TENANT_NOT_FOUND: 'INVALID_ARGUMENT',
  TENANT_CORRUPT: 'CMDLET_ERROR',
  SERVER_NOT_RUNNING: 'INVALID_ARGUMENT',
  POWERSHELL_FAILED: 'CMDLET_ERROR',
  ABORTED: 'ABORTED',
  ENGINE_CLOSED: 'ABORTED',
  ENGINE_WORKER_FAILED: 'SESSION_BROKEN',
  ENGINE_TIMEOUT: 'TIMEOUT',
});

export interface SandboxErrorOptions {
  cause?: unknown;
  /** Structured facts about the failure (never a password). */
  details?: Record<string, unknown>;
}

/**
 * The one ExoError, plus the sandbox's finer `reason` (a tenant that exists, one that does not), from which
 * the code and the remedy follow. A subclass only because callers construct and test it by reason.
 */
export class SandboxError extends ExoError {
  declare readonly code: SandboxErrorCode;
  readonly reason: SandboxErrorReason;

  constructor(reason: SandboxErrorReason, message: string, options: SandboxErrorOptions = {}) {
    super(CODES[reason], message, { remediation: REMEDIATIONS[reason], ...options });
    this.name = 'SandboxError';
    this.reason = reason;
  }

  /**
   * ExoError.is(), narrowed to the sandbox's errors (from any copy of it). It takes a code or a reason:
   * `SandboxError.is(error, 'TENANT_NOT_FOUND')`, `SandboxError.is(error, 'INVALID_ARGUMENT')`.
   */
  static override is(value: unknown, codeOrReason?: ErrorCode | SandboxErrorReason): value is SandboxError {
    if (!ExoError.is(value)) return false;
    const reason = (value as { reason?: unknown }).reason;
    if (typeof reason !== 'string') return false;
    return codeOrReason === undefined || reason === codeOrReason || value.code === codeOrReason;
  }

  override toJSON(): ReturnType<ExoError['toJSON']> & { reason: SandboxErrorReason } {
    return { ...super.toJSON(), reason: this.reason };
  }
}
