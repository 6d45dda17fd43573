import { ExoError } from '@exo-connect/core';
import type { JsonValue } from './json-value.js';
import { PARAMETER_NAME } from './parse-cmdlet-arguments.js';

const REMEDY =
  'Give --params-json one JSON object of parameter names and values, e.g. ' +
  `--params-json '{"Identity":"john doe","EmailAddresses":["smtp:a@contoso.com"]}'.`;

function invalid(message: string, field: string, remediation = REMEDY): ExoError {
  return new ExoError('INVALID_ARGUMENT', `--params-json: ${message}`, {
    details: { field },
    remediation,
  });
}

// JSON.parse turns 1e400 into Infinity, which has no JSON (or PowerShell) form.
function assertFinite(value: JsonValue, path: string): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw invalid(`${path} is a number out of range.`, path);
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      assertFinite(item, `${path}[${i}]`);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) assertFinite(inner, `${path}.${key}`);
  }
}

/**
 * Adds the parameters of `--params-json` (for values argv cannot express: objects, nested lists) to those
 * parsed from argv. A name given both ways (names compare case-insensitively, as in PowerShell) is refused
 * rather than silently overridden.
 */
export function mergeParameters(
  parsed: Readonly<Record<string, JsonValue>>,
  json: string,
): Record<string, JsonValue> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw Object.assign(invalid(`is not valid JSON (${(cause as Error).message}).`, 'params-json'), {
      cause,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw invalid(`must be a JSON object of parameters, not ${kind}.`, 'params-json');
  }
  const merged: Record<string, JsonValue> = { ...parsed };
  const taken = new Map(Object.keys(parsed).map((name) => [name.toLowerCase(), name]));
  for (const [name, inner] of Object.entries(value as Record<string, JsonValue>)) {
    const field = `params-json.${name.slice(0, 40)}`;
    if (!PARAMETER_NAME.test(name)) {
      throw invalid(
        `"${name.slice(0, 40)}" is not a parameter name (a letter, then letters, digits or _).`,
        field,
      );
    }
    const clash = taken.get(name.toLowerCase());
    if (clash !== undefined) {
      throw invalid(
        `-${name} is also given on the command line (as -${clash}).`,
        field,
        `Give -${name} once: either after -- or in --params-json.`,
      );
    }
    assertFinite(inner, field);
    taken.set(name.toLowerCase(), name);
    merged[name] = inner;
  }
  return merged;
}
