import { ExoError } from '@exo-connect/errors';
import { describe, expect, it } from 'vitest';
import { SandboxError } from './sandbox-error.js';

describe('SandboxError', () => {
  it('carries a stable code, the sandbox reason, a next step and its cause', () => {
    const cause = new Error('inner');
    const error = new SandboxError('TENANT_NOT_FOUND', 'No tenant.', { cause, details: { directory: '/t' } });
    expect(error).toMatchObject({
      name: 'SandboxError',
      code: 'INVALID_ARGUMENT',
      reason: 'TENANT_NOT_FOUND',
      retryable: false,
    });
    expect(error.remediation).toContain('createTenant()');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ directory: '/t' });
    expect(Object.isFrozen(error.details)).toBe(true);
    // The one ExoError's shape (retryable included), plus the reason.
    expect(error.toJSON()).toEqual({
      code: 'INVALID_ARGUMENT',
      reason: 'TENANT_NOT_FOUND',
      message: 'No tenant.',
      remediation: error.remediation,
      retryable: false,
    });
  });

  it('is marked with the symbol core recognises exo-connect errors by', () => {
    const error = new SandboxError('ABORTED', 'stopped');
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('exo-connect.error')]).toBe(true);
    expect(SandboxError.is(error)).toBe(true);
    expect(SandboxError.is(error, 'ABORTED')).toBe(true);
    expect(SandboxError.is(error, 'PWSH_NOT_FOUND')).toBe(false);
    expect(SandboxError.is(new Error('x'))).toBe(false);
  });

  it('is the one ExoError, recognised by code as well as by reason', () => {
    const error = new SandboxError('TENANT_EXISTS', 'There is one.');
    expect(error).toBeInstanceOf(ExoError);
    expect(ExoError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(SandboxError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(SandboxError.is(error, 'TENANT_EXISTS')).toBe(true);
    expect(SandboxError.is(error, 'TENANT_NOT_FOUND')).toBe(false);
    // Another package's ExoError has no sandbox reason.
    expect(SandboxError.is(new ExoError('INVALID_ARGUMENT', 'bad'))).toBe(false);
  });
});
