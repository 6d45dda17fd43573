import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodes } from './error-codes.js';
import { ExoError } from './exo-error.js';

describe('ExoError', () => {
  it('carries the code, its default remediation and retryability', () => {
    const error = new ExoError('SESSION_LIMIT', 'too many sessions');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('SESSION_LIMIT');
    expect(error.remediation).toBe(ERROR_CODES.SESSION_LIMIT.remediation);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('too many sessions');
  });

  it('keeps the cause and lets a caller override the remediation', () => {
    const cause = new Error('inner');
    const error = new ExoError('AUTH_FAILED', 'denied', { cause, remediation: 'try again' });
    expect(error.cause).toBe(cause);
    expect(error.remediation).toBe('try again');
  });

  it('is recognised by code through ExoError.is', () => {
    const error = new ExoError('TIMEOUT', 'slow');
    expect(ExoError.is(error)).toBe(true);
    expect(ExoError.is(error, 'TIMEOUT')).toBe(true);
    expect(ExoError.is(error, 'ABORTED')).toBe(false);
    expect(ExoError.is(new Error('plain'))).toBe(false);
  });

  it('serialises to the shape the CLI prints', () => {
    const json = JSON.parse(JSON.stringify(new ExoError('INVALID_ARGUMENT', 'bad field')));
    expect(json).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'bad field',
      remediation: ERROR_CODES.INVALID_ARGUMENT.remediation,
      retryable: false,
    });
  });

  it('has the 22 codes fixed by the design, each with a remediation', () => {
    expect(errorCodes).toHaveLength(22);
    for (const code of errorCodes) expect(ERROR_CODES[code].remediation.length).toBeGreaterThan(20);
  });
});
