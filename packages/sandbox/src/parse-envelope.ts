import { SandboxError, type SandboxErrorReason } from './errors/sandbox-error.js';

/** The error half of invoke-sandbox.ps1's envelope. */
export interface PowerShellErrorInfo {
  message: string;
  errorId: string;
  category: string;
  exceptionType: string;
}

type Envelope = { ok: true; result: unknown } | { ok: false; error: PowerShellErrorInfo };

const REASONS: Readonly<Record<string, SandboxErrorReason>> = {
  'ExoConnect.Sandbox.TenantExistsException': 'TENANT_EXISTS',
  'ExoConnect.Sandbox.TenantNotFoundException': 'TENANT_NOT_FOUND',
  'System.ArgumentOutOfRangeException': 'INVALID_OPTION',
  'System.ArgumentException': 'INVALID_OPTION',
  'System.Management.Automation.ParameterBindingException': 'INVALID_OPTION',
  'System.Management.Automation.ValidationMetadataException': 'INVALID_OPTION',
};

function lastJsonLine(stdout: string): Envelope | undefined {
  const lines = stdout.split(/\r?\n/).filter((line) => line.trim().startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const value = JSON.parse(lines[i] as string) as Envelope;
      if (typeof value === 'object' && value !== null && typeof value.ok === 'boolean') return value;
    } catch {
      // Not our envelope: keep looking.
    }
  }
  return undefined;
}

/**
 * Reads invoke-sandbox.ps1's output: the last JSON line on stdout is the envelope. Returns its result, or
 * throws a SandboxError named after the PowerShell exception.
 */
export function parseEnvelope(stdout: string, stderr: string, exitCode: number | null): unknown {
  const envelope = lastJsonLine(stdout);
  if (!envelope) {
    throw new SandboxError(
      'POWERSHELL_FAILED',
      `pwsh exited with code ${exitCode ?? 'unknown'} without a result.${stderr.trim() ? ` ${stderr.trim()}` : ''}`,
      { details: { exitCode, stderr: stderr.slice(0, 4000) } },
    );
  }
  if (envelope.ok) return envelope.result;
  const reason = REASONS[envelope.error.exceptionType] ?? 'POWERSHELL_FAILED';
  throw new SandboxError(reason, envelope.error.message, { details: { ...envelope.error, exitCode } });
}
