import { describe, expect, it } from 'vitest';
import { ENDPOINT_ERROR_REMEDIATIONS, EndpointError } from './endpoint-error.js';

// The test ExoError.is() applies, written out: the marker any copy of @exo-connect/errors recognises.
function looksLikeExoError(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for('exo-connect.error')] === true
  );
}

describe('EndpointError', () => {
  it('carries the code, the default remediation and is never retryable', () => {
    const error = new EndpointError('UNKNOWN_ENVIRONMENT', 'no such cloud');
    expect(error).toBeInstanceOf(Error);
    // EndpointError is the workspace's one ExoError, under the name callers already import.
    expect(error.name).toBe('ExoError');
    expect(error.code).toBe('UNKNOWN_ENVIRONMENT');
    expect(error.message).toBe('no such cloud');
    expect(error.remediation).toBe(ENDPOINT_ERROR_REMEDIATIONS.UNKNOWN_ENVIRONMENT);
    expect(error.retryable).toBe(false);
  });

  it('keeps a cause, a specific remediation and frozen details', () => {
    const cause = new Error('inner');
    const error = new EndpointError('INVALID_ARGUMENT', 'bad', {
      cause,
      remediation: 'fix rps.connectionUri',
      details: { path: 'rps.connectionUri' },
    });
    expect(error.cause).toBe(cause);
    expect(error.remediation).toBe('fix rps.connectionUri');
    expect(error.details).toEqual({ path: 'rps.connectionUri' });
    expect(Object.isFrozen(error.details)).toBe(true);
  });

  it("carries the registered marker core's ExoError.is() looks for", () => {
    expect(looksLikeExoError(new EndpointError('ENVIRONMENT_RETIRED', 'closed'))).toBe(true);
    expect(looksLikeExoError(new Error('plain'))).toBe(false);
  });

  it('is recognised by code through EndpointError.is', () => {
    const error = new EndpointError('ENVIRONMENT_RETIRED', 'closed');
    expect(EndpointError.is(error)).toBe(true);
    expect(EndpointError.is(error, 'ENVIRONMENT_RETIRED')).toBe(true);
    expect(EndpointError.is(error, 'INVALID_ARGUMENT')).toBe(false);
    expect(EndpointError.is(new Error('plain'))).toBe(false);
  });

  it('serialises to the shape core and the CLI print', () => {
    const json = JSON.parse(JSON.stringify(new EndpointError('INVALID_ARGUMENT', 'bad field')));
    expect(json).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'bad field',
      remediation: ENDPOINT_ERROR_REMEDIATIONS.INVALID_ARGUMENT,
      retryable: false,
    });
  });
});
