import { ERROR_CODES, type ErrorCode, ExoError } from '@exo-connect/core';

/** Exit codes by error class; the table is documented in the app README. */
const EXIT_CODES: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 2,
  UNKNOWN_ENVIRONMENT: 2,
  ENVIRONMENT_RETIRED: 2,
  PROXY_UNSUPPORTED: 2,
  COMMAND_NOT_ALLOWED: 2,
  CREDENTIAL_MISSING: 3,
  AUTH_FAILED: 3,
  MFA_REQUIRED: 3,
  FEDERATED_AUTH_UNAVAILABLE: 3,
  RPS_ACCESS_DISABLED: 3,
  SESSION_LIMIT: 4,
  THROTTLED: 4,
  NETWORK_UNREACHABLE: 5,
  TIMEOUT: 5,
  SESSION_BROKEN: 5,
  PWSH_NOT_FOUND: 6,
  EXECUTION_POLICY: 6,
  WSMAN_UNAVAILABLE: 6,
  MODULE_NOT_INSTALLED: 6,
  RPS_RETIRED: 6,
  CMDLET_ERROR: 7,
  ABORTED: 130,
};

/** Exit code for a failure that is not an ExoError: a bug, reported as such. */
export const INTERNAL_ERROR_EXIT_CODE = 70;

export interface PresentedError {
  exitCode: number;
  code: ErrorCode | 'INTERNAL';
  message: string;
  remediation: string;
}

/** The one place that turns any thrown value into what the user sees and the exit code. */
export function presentError(error: unknown): PresentedError {
  if (ExoError.is(error)) {
    return {
      exitCode: EXIT_CODES[error.code],
      code: error.code,
      message: error.message,
      remediation: error.remediation,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: INTERNAL_ERROR_EXIT_CODE,
    code: 'INTERNAL',
    message,
    remediation: 'This is a bug in exo-connect. Please report it with the command you ran.',
  };
}

export function exitCodeFor(code: ErrorCode): number {
  return EXIT_CODES[code];
}

export function errorCodeTable(): Array<{ code: ErrorCode; exitCode: number; remediation: string }> {
  return (Object.keys(EXIT_CODES) as ErrorCode[]).map((code) => ({
    code,
    exitCode: EXIT_CODES[code],
    remediation: ERROR_CODES[code].remediation,
  }));
}
