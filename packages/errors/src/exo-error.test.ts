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

  it('lets a caller override retryability and keeps frozen details', () => {
    const error = new ExoError('TIMEOUT', 'slow', { retryable: false, details: { step: 'session' } });
    expect(error.retryable).toBe(false);
    expect(error.name).toBe('ExoError');
    expect(error.details).toEqual({ step: 'session' });
    expect(Object.isFrozen(error.details)).toBe(true);
    expect(new ExoError('TIMEOUT', 'slow').cause).toBeUndefined();
  });

  it('recognises an error from another copy of the package by its registered marker', () => {
    // What a second copy of @exo-connect/errors (another version, a bundle) would throw: not this class.
    const foreign = Object.assign(new Error('from elsewhere'), {
      [Symbol.for('exo-connect.error')]: true,
      code: 'SESSION_LIMIT',
    });
    expect(foreign).not.toBeInstanceOf(ExoError);
    expect(ExoError.is(foreign)).toBe(true);
    expect(ExoError.is(foreign, 'SESSION_LIMIT')).toBe(true);
    expect(ExoError.is(foreign, 'TIMEOUT')).toBe(false);
  });

  it('refuses values without the marker or without a code', () => {
    const error = new ExoError('ABORTED', 'stopped');
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('exo-connect.error')]).toBe(true);
    expect(ExoError.is({ [Symbol.for('exo-connect.error')]: true, name: 'ExoError' })).toBe(false);
    expect(ExoError.is({ code: 'ABORTED', message: 'stopped' })).toBe(false);
    expect(ExoError.is(null)).toBe(false);
    expect(ExoError.is('ABORTED')).toBe(false);
  });
});
