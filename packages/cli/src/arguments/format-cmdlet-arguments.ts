import { ExoError } from '@exo-connect/core';
import { formatValue } from './argument-value.js';
import type { JsonValue } from './json-value.js';
import { PARAMETER_NAME } from './parse-cmdlet-arguments.js';

/**
 * The inverse of parseCmdletArguments: parameters as argv elements that parse back to the same data
 * (`true` as a bare switch, `false` as -Name:$false). Used to echo a command line back to the user and to
 * test the grammar. Objects and nested lists have no argv form: INVALID_ARGUMENT points to --params-json.
 */
export function formatCmdletArguments(parameters: Readonly<Record<string, JsonValue>>): string[] {
  const argv: string[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    if (!PARAMETER_NAME.test(name)) {
      throw new ExoError('INVALID_ARGUMENT', `"${name.slice(0, 40)}" is not a parameter name.`, {
        details: { field: `parameters.${name.slice(0, 40)}` },
      });
    }
    if (value === true) {
      argv.push(`-${name}`);
      continue;
    }
    const text = value === false ? '$false' : formatValue(value, name);
    // A separate element starting with '-' would read as a parameter name; the colon form cannot.
    if (value === false || text.startsWith('-')) argv.push(`-${name}:${text}`);
    else argv.push(`-${name}`, text);
  }
  return argv;
}
