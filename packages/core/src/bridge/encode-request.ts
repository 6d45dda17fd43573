import { ExoError } from '../errors/exo-error.js';
import { encodeFrame, type RequestFrame } from './frames.js';

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

export type BridgeRequest = Omit<RequestFrame, 't' | 'parameters'> & {
  parameters: Record<string, ParameterValue>;
};

export function assertCommandName(command: string, field = 'command'): void {
  if (!COMMAND_NAME.test(command)) {
    throw new ExoError(
      'INVALID_ARGUMENT',
      `${field}: "${command.slice(0, 80)}" is not a cmdlet name (expected Verb-Noun, letters and digits only).`,
      { details: { field } },
    );
  }
}

// A lone UTF-16 surrogate (valid in a JS string and in JSON text, not in Unicode text): pwsh's JSON reader
// replaces it with U+FFFD, so the value would arrive altered. With the u flag, pairs never match.
const LONE_SURROGATE = /\p{Cs}/u;

function checkText(text: string, path: string, what: string): void {
  if (LONE_SURROGATE.test(text)) {
    throw new ExoError(
      'INVALID_ARGUMENT',
      `${path}: ${what} is not well-formed Unicode (it holds a lone UTF-16 surrogate), so it cannot reach PowerShell unchanged.`,
      { details: { field: path } },
    );
  }
}

function checkValue(value: unknown, path: string): void {
  if (typeof value === 'string') {
    checkText(value, path, 'the text');
    return;
  }
  if (value === null || typeof value === 'boolean') return;
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
    for (const [key, inner] of Object.entries(value)) {
      checkText(key, path, 'a key');
      checkValue(inner, `${path}.${key}`);
    }
    return;
  }
  throw new ExoError('INVALID_ARGUMENT', `${path}: ${typeof value} values cannot be sent to PowerShell.`, {
    details: { field: path },
  });
}

/** The strings of a secret as the bridge hands them over (see SecretValue in frames.ts). */
export type SecretText = { userName?: string; password: string } | { value: string };

/** SecureString's capacity: pwsh cannot hold a longer secret. */
export const MAX_SECRET_LENGTH = 65_536;

/**
 * Checks that a secret can reach pwsh intact: pwsh builds it into a SecureString, whose conversions back to
 * text (NetworkCredential, Basic authentication) end at the first NUL, and which holds at most 65,536
 * characters. Silently cutting a password would sign in with another one. Messages never include the value.
 */
export function checkSecret(name: string, secret: SecretText): void {
  const text = 'password' in secret ? secret.password : secret.value;
  const field = `secrets.${name}`;
  const refuse = (problem: string) =>
    new ExoError(
      'INVALID_ARGUMENT',
      `${field}: the secret ${problem}, so it cannot reach PowerShell unchanged.`,
      {
        details: { field },
      },
    );
  if (text.includes('\0')) throw refuse('contains a NUL character');
  if (text.length > MAX_SECRET_LENGTH) throw refuse(`is longer than ${MAX_SECRET_LENGTH} characters`);
  if (LONE_SURROGATE.test(text)) throw refuse('is not well-formed Unicode (a lone UTF-16 surrogate)');
  if ('userName' in secret && secret.userName !== undefined)
    checkText(secret.userName, field, 'the user name');
}

/**
 * Validates names and values, and returns the request as one line of JSON for the side channel. The
 * host runs a fixed script that decodes it and splats the values: nothing here is ever parsed as code.
 */
export function encodeRequest(request: BridgeRequest): string {
  checkRequest(request.command, request.parameters);
  return encodeFrame({ t: 'req', ...request });
}

/** Checks a command name and its parameters' names and values; INVALID_ARGUMENT names the bad one. */
export function checkRequest(command: string, parameters: Record<string, ParameterValue>): void {
  assertCommandName(command);
  for (const [name, value] of Object.entries(parameters)) {
    if (!PARAMETER_NAME.test(name)) {
      throw new ExoError('INVALID_ARGUMENT', `parameters: "${name.slice(0, 80)}" is not a parameter name.`, {
        details: { field: `parameters.${name.slice(0, 80)}` },
      });
    }
    checkValue(value, `parameters.${name}`);
  }
}
