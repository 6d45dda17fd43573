import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT_CODE_CLASSES, errorCodes } from './error-codes.js';

/** DESIGN.md §6, in its order. */
const DESIGN_CODES = [
  'PWSH_NOT_FOUND',
  'EXECUTION_POLICY',
  'CREDENTIAL_MISSING',
  'AUTH_FAILED',
  'MFA_REQUIRED',
  'FEDERATED_AUTH_UNAVAILABLE',
  'RPS_ACCESS_DISABLED',
  'RPS_RETIRED',
  'SESSION_LIMIT',
  'THROTTLED',
  'NETWORK_UNREACHABLE',
  'PROXY_UNSUPPORTED',
  'WSMAN_UNAVAILABLE',
  'MODULE_NOT_INSTALLED',
  'SESSION_BROKEN',
  'TIMEOUT',
  'ABORTED',
  'CMDLET_ERROR',
  'INVALID_ARGUMENT',
  'UNKNOWN_ENVIRONMENT',
  'ENVIRONMENT_RETIRED',
  'COMMAND_NOT_ALLOWED',
];

describe('ERROR_CODES', () => {
  it('holds exactly the codes of the design, in its order', () => {
    expect(errorCodes).toEqual(DESIGN_CODES);
  });

  it('gives every code an exit code of its class, none of them 0 or 1', () => {
    const classes = new Set<number>(Object.values(EXIT_CODE_CLASSES));
    for (const code of errorCodes) {
      expect(classes.has(ERROR_CODES[code].exitCode)).toBe(true);
      expect(ERROR_CODES[code].exitCode).toBeGreaterThan(1);
    }
  });

  it('keeps the exit codes the CLI has always used', () => {
    const byExitCode = (exitCode: number) => errorCodes.filter((c) => ERROR_CODES[c].exitCode === exitCode);
    expect(byExitCode(2)).toEqual([
      'PROXY_UNSUPPORTED',
      'INVALID_ARGUMENT',
      'UNKNOWN_ENVIRONMENT',
      'ENVIRONMENT_RETIRED',
      'COMMAND_NOT_ALLOWED',
    ]);
    expect(byExitCode(3)).toEqual([
      'CREDENTIAL_MISSING',
      'AUTH_FAILED',
      'MFA_REQUIRED',
      'FEDERATED_AUTH_UNAVAILABLE',
      'RPS_ACCESS_DISABLED',
    ]);
    expect(byExitCode(4)).toEqual(['SESSION_LIMIT', 'THROTTLED']);
    expect(byExitCode(5)).toEqual(['NETWORK_UNREACHABLE', 'SESSION_BROKEN', 'TIMEOUT']);
    expect(byExitCode(6)).toEqual([
      'PWSH_NOT_FOUND',
      'EXECUTION_POLICY',
      'RPS_RETIRED',
      'WSMAN_UNAVAILABLE',
      'MODULE_NOT_INSTALLED',
    ]);
    expect(byExitCode(7)).toEqual(['CMDLET_ERROR']);
    expect(byExitCode(130)).toEqual(['ABORTED']);
  });

  it('marks as retryable only what can succeed later unchanged', () => {
    expect(errorCodes.filter((c) => ERROR_CODES[c].retryable)).toEqual([
      'SESSION_LIMIT',
      'THROTTLED',
      'NETWORK_UNREACHABLE',
      'SESSION_BROKEN',
      'TIMEOUT',
    ]);
  });

  it('tells how to opt in to a command the session did not export', () => {
    expect(ERROR_CODES.COMMAND_NOT_ALLOWED).toEqual({
      remediation:
        'Run only the commands the session exported, or opt in with allowCommands / allowLocalCommands.',
      retryable: false,
      exitCode: ERROR_CODES.INVALID_ARGUMENT.exitCode,
    });
  });
});
