import { ExoError } from '../errors/exo-error.js';

/** Verb-Noun, optionally with a module prefix on the noun (Get-EXOMailbox, Get-ContosoMailbox). */
const COMMAND_NAME = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z][A-Za-z0-9_]*$/;
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A value taken from the secret channel at run time instead of from the request line. */
export interface SecretReference {
  $exoSecret: string;
}

/** A value the host keeps between requests (the PSSession object, for example). */
export interface HostReference {
  $exoRef: string;
}

export type ParameterValue = JsonValue | SecretReference | HostReference;

export interface BridgeRequest {
  id: string;
  command: string;
  parameters: Record<string, ParameterValue>;
  /** ConvertTo-Json depth for output objects. */
  depth: number;
  /** Frames buffered in pwsh before the producer waits for Node (backpressure). */
  queue: number;
}

export function assertCommandName(command: string, field = 'command'): void {
  if (!COMMAND_NAME.test(command)) {
    throw new ExoError(
      'INVALID_ARGUMENT',
      `${field}: "${command.slice(0, 80)}" is not a cmdlet name (expected Verb-Noun, letters and digits only).`,
      { details: { field } },
    );
  }
}

function checkValue(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new ExoError('INVALID_ARGUMENT', `${path}: numbers must be finite.`, {
        details: { field: path },
      });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkValue(item, `${path}[${i}]`);
    });
    return;
  }
  if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) checkValue(inner, `${path}.${key}`);
    return;
  }
  throw new ExoError('INVALID_ARGUMENT', `${path}: ${typeof value} values cannot be sent to PowerShell.`, {
    details: { field: path },
  });
}

/**
 * Validates names and values, and returns the request as one line of JSON for the side channel. The
 * host runs a fixed script that decodes it and splats the values: nothing here is ever parsed as code.
 */
export function encodeRequest(request: BridgeRequest): string {
  assertCommandName(request.command);
  for (const [name, value] of Object.entries(request.parameters)) {
    if (!PARAMETER_NAME.test(name)) {
      throw new ExoError('INVALID_ARGUMENT', `parameters: "${name.slice(0, 80)}" is not a parameter name.`, {
        details: { field: `parameters.${name.slice(0, 80)}` },
      });
    }
    checkValue(value, `parameters.${name}`);
  }
  // JSON.stringify escapes every control character, so the request is always exactly one line.
  return JSON.stringify({ t: 'req', ...request });
}
