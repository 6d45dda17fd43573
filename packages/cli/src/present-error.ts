import { ERROR_CODES, type ErrorCode, ExoError, errorCodes } from '@exo-connect/errors';

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
      exitCode: exitCodeFor(error.code),
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
  // An error from a newer copy of @exo-connect/errors can carry a code this copy's table does not have yet.
  return (
    (ERROR_CODES[code] as (typeof ERROR_CODES)[ErrorCode] | undefined)?.exitCode ?? INTERNAL_ERROR_EXIT_CODE
  );
}

/** Every code with its exit code and default remedy, by exit code (the table in the app README). */
export function errorCodeTable(): Array<{ code: ErrorCode; exitCode: number; remediation: string }> {
  return errorCodes
    .map((code) => ({
      code,
      exitCode: ERROR_CODES[code].exitCode,
      remediation: ERROR_CODES[code].remediation,
    }))
    .sort((a, b) => a.exitCode - b.exitCode);
}
