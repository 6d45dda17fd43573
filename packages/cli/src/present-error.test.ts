import { ERROR_CODES, ExoError, errorCodes } from '@exo-connect/core';
import { describe, expect, it } from 'vitest';
import { errorCodeTable, exitCodeFor, INTERNAL_ERROR_EXIT_CODE, presentError } from './present-error.js';

describe('presentError', () => {
  it('maps an ExoError to its message, remedy and exit code', () => {
    const presented = presentError(new ExoError('AUTH_FAILED', 'Access is denied.'));
    expect(presented).toEqual({
      exitCode: 3,
      code: 'AUTH_FAILED',
      message: 'Access is denied.',
      remediation: ERROR_CODES.AUTH_FAILED.remediation,
    });
  });

  it('exits 130 when aborted, like a shell after Ctrl+C', () => {
    expect(presentError(new ExoError('ABORTED', 'cancelled')).exitCode).toBe(130);
  });

  it('reports anything else as an internal error', () => {
    expect(presentError(new TypeError('x is undefined'))).toMatchObject({
      exitCode: INTERNAL_ERROR_EXIT_CODE,
      code: 'INTERNAL',
      message: 'x is undefined',
    });
  });

  it('takes the exit code from the one table of @exo-connect/errors', () => {
    expect(presentError(new ExoError('COMMAND_NOT_ALLOWED', 'Get-Content is not exported')).exitCode).toBe(
      ERROR_CODES.COMMAND_NOT_ALLOWED.exitCode,
    );
    expect(exitCodeFor('COMMAND_NOT_ALLOWED')).toBe(exitCodeFor('INVALID_ARGUMENT'));
    // From a newer copy of the package: a code this table does not know is reported, not a crash.
    const newer = Object.assign(new Error('new'), {
      [Symbol.for('exo-connect.error')]: true,
      code: 'NEW_CODE',
    });
    expect(presentError(newer)).toMatchObject({ exitCode: INTERNAL_ERROR_EXIT_CODE, code: 'NEW_CODE' });
  });

  it('has an exit code for every error code, none of them 0 or 1', () => {
    const table = errorCodeTable();
    expect(table.map((row) => row.code).sort()).toEqual([...errorCodes].sort());
    for (const row of table) expect(row.exitCode).toBeGreaterThan(1);
  });
});
