import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SandboxError } from './errors/sandbox-error.js';
import { parseEnvelope } from './parse-envelope.js';

const error = (exceptionType: string, message = 'boom') =>
  JSON.stringify({
    ok: false,
    error: { message, errorId: 'X', category: 'InvalidOperation', exceptionType },
  });

describe('parseEnvelope', () => {
  it('returns the result of the last envelope line, ignoring other output', () => {
    const stdout = `WARNING: noise\n{"not":"an envelope"}\n${JSON.stringify({ ok: true, result: { a: 1 } })}\n`;
    expect(parseEnvelope(stdout, '', 0)).toEqual({ a: 1 });
  });

  it('round-trips any JSON result', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const line = JSON.stringify({ ok: true, result: value });
        expect(parseEnvelope(`banner\r\n${line}\r\n`, '', 0)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('names PowerShell failures after their exception type', () => {
    const cases: [string, string, string][] = [
      ['ExoConnect.Sandbox.TenantExistsException', 'TENANT_EXISTS', 'INVALID_ARGUMENT'],
      ['ExoConnect.Sandbox.TenantNotFoundException', 'TENANT_NOT_FOUND', 'INVALID_ARGUMENT'],
      ['System.ArgumentOutOfRangeException', 'INVALID_OPTION', 'INVALID_ARGUMENT'],
      ['System.IO.IOException', 'POWERSHELL_FAILED', 'CMDLET_ERROR'],
    ];
    for (const [type, reason, code] of cases) {
      try {
        parseEnvelope(error(type, `failed: ${type}`), '', 1);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(SandboxError);
        expect(e).toMatchObject({ reason, code, message: `failed: ${type}` });
      }
    }
  });

  it('reports pwsh output without an envelope, with its exit code and stderr', () => {
    expect(() => parseEnvelope('', 'Cannot find file', 64)).toThrow(
      'pwsh exited with code 64 without a result. Cannot find file',
    );
  });
});
