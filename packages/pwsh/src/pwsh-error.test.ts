import { describe, expect, it } from 'vitest';
import { PwshError } from './pwsh-error.js';

describe('PwshError', () => {
  it("carries the exo-connect marker, core's remedy and the details, and serialises without them", () => {
    const error = new PwshError('PWSH_NOT_FOUND', 'No pwsh.', { details: { rejected: ['a'] } });
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('exo-connect.error')]).toBe(true);
    expect(error).toMatchObject({ code: 'PWSH_NOT_FOUND', retryable: false, details: { rejected: ['a'] } });
    expect(error.remediation).toContain('or set EXO_PWSH to the pwsh executable.');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'PWSH_NOT_FOUND',
      message: 'No pwsh.',
      remediation: error.remediation,
      retryable: false,
    });
  });
});
