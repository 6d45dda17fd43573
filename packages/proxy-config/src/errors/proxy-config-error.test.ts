import { describe, expect, it } from 'vitest';
import { PROXY_CONFIG_ERROR_REMEDIATIONS, ProxyConfigError, proxyConfigError } from './proxy-config-error.js';

// The test ExoError.is() applies, written out: the marker any copy of @exo-connect/errors recognises.
function looksLikeExoError(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for('exo-connect.error')] === true
  );
}

describe('proxyConfigError', () => {
  it('carries the code, the field, the default remediation and is never retryable', () => {
    const error = proxyConfigError('PROXY_UNSUPPORTED', 'no IEConfig here', { field: 'accessType' });
    expect(error).toBeInstanceOf(Error);
    // ProxyConfigError is the workspace's one ExoError, under the name callers already import.
    expect(error).toBeInstanceOf(ProxyConfigError);
    expect(error.name).toBe('ExoError');
    expect(error.code).toBe('PROXY_UNSUPPORTED');
    expect(error.message).toBe('no IEConfig here');
    expect(error.remediation).toBe(PROXY_CONFIG_ERROR_REMEDIATIONS.PROXY_UNSUPPORTED);
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ field: 'accessType' });
  });

  it('keeps a cause, a specific remediation and frozen details; the field wins over details.field', () => {
    const cause = new Error('inner');
    const error = proxyConfigError('INVALID_ARGUMENT', 'bad', {
      field: 'proxyUrl',
      cause,
      remediation: 'fix proxyUrl',
      details: { source: 'config', field: 'ignored' },
    });
    expect(error.cause).toBe(cause);
    expect(error.remediation).toBe('fix proxyUrl');
    expect(error.details).toEqual({ source: 'config', field: 'proxyUrl' });
    expect(Object.isFrozen(error.details)).toBe(true);
  });

  it("carries the registered marker core's ExoError.is() looks for", () => {
    expect(looksLikeExoError(proxyConfigError('INVALID_ARGUMENT', 'x', { field: 'f' }))).toBe(true);
    expect(looksLikeExoError(new Error('plain'))).toBe(false);
  });

  it('is recognised by code through ProxyConfigError.is', () => {
    const error = proxyConfigError('INVALID_ARGUMENT', 'x', { field: 'f' });
    expect(ProxyConfigError.is(error)).toBe(true);
    expect(ProxyConfigError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(ProxyConfigError.is(error, 'PROXY_UNSUPPORTED')).toBe(false);
    expect(ProxyConfigError.is(new Error('plain'))).toBe(false);
    expect(ProxyConfigError.is({ [Symbol.for('exo-connect.error')]: true, name: 'ProxyConfigError' })).toBe(
      false,
    );
  });

  it('serialises to the shape core and the CLI print, without details', () => {
    const error = proxyConfigError('INVALID_ARGUMENT', 'bad field', { field: 'culture' });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'bad field',
      remediation: PROXY_CONFIG_ERROR_REMEDIATIONS.INVALID_ARGUMENT,
      retryable: false,
    });
  });
});
