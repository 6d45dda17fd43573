import type { EngineError } from '../contracts.js';
import { parameterAlreadyBound, parameterAmbiguous, parameterNotFound } from './odata-error.js';

/**
 * PowerShell's common parameters, which every cmdlet accepts whether or not the engine lists them, plus
 * -WhatIf and -Confirm (the module sends -Confirm:$false for Remove-*); the engine decides what they do.
 */
const COMMON_PARAMETERS = [
  'Verbose',
  'Debug',
  'ErrorAction',
  'WarningAction',
  'InformationAction',
  'ProgressAction',
  'ErrorVariable',
  'WarningVariable',
  'InformationVariable',
  'OutVariable',
  'OutBuffer',
  'PipelineVariable',
  'WhatIf',
  'Confirm',
];

/** `<parameter>@odata.<term>`, e.g. `EmailAddresses@odata.type`. */
const ODATA_ANNOTATION = /^[A-Za-z][A-Za-z0-9_]*@odata\.[A-Za-z][A-Za-z0-9.]*$/;

export type BindResult =
  | { ok: true; parameters: Record<string, unknown> }
  | { ok: false; error: EngineError };

/**
 * Binds CmdletInput.Parameters to the cmdlet's parameter names the way PowerShell binds a splatted hashtable:
 * names in any case, or an unambiguous prefix, each at most once; the engine gets the canonical names.
 * `Name@odata.type` keys are OData annotations, not parameters, and are dropped; a hashtable value loses its
 * `"@odata.type":"#Exchange.GenericHashTable"` marker.
 */
export function bindParameters(input: Record<string, unknown>, known: readonly string[]): BindResult {
  const names = uniqueIgnoringCase([...known, ...COMMON_PARAMETERS]);
  const bound: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    // Only an annotation of a parameter (`Name@odata.type`) is skipped; any other name with an @ in it is a
    // name PowerShell does not know, and is refused as one, never ignored.
    if (ODATA_ANNOTATION.test(key)) continue;
    const resolved = resolveName(key, names);
    if (!resolved.ok) return resolved;
    if (Object.hasOwn(bound, resolved.name))
      return { ok: false, error: parameterAlreadyBound(resolved.name) };
    bound[resolved.name] = stripTypeMarkers(value);
  }
  return { ok: true, parameters: bound };
}

function resolveName(
  key: string,
  names: readonly string[],
): { ok: true; name: string } | { ok: false; error: EngineError } {
  const wanted = key.toLowerCase();
  const exact = names.find((name) => name.toLowerCase() === wanted);
  if (exact) return { ok: true, name: exact };
  const matches = wanted === '' ? [] : names.filter((name) => name.toLowerCase().startsWith(wanted));
  if (matches.length === 1) return { ok: true, name: matches[0]! };
  if (matches.length > 1) return { ok: false, error: parameterAmbiguous(key, matches) };
  return { ok: false, error: parameterNotFound(key) };
}

function uniqueIgnoringCase(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const lower = name.toLowerCase();
    if (seen.has(lower)) return false;
    seen.add(lower);
    return true;
  });
}

/** Drops every `@odata.type` key below the top level: the engine sees plain hashtables and lists. */
export function stripTypeMarkers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTypeMarkers);
  if (value === null || typeof value !== 'object') return value;
  const plain: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '@odata.type') continue;
    plain[key] = stripTypeMarkers(inner);
  }
  return plain;
}
