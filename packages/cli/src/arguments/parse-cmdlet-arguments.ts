import { ExoError } from '@exo-connect/core';
import { parseValue } from './argument-value.js';
import type { JsonValue } from './json-value.js';

/** The same rule core applies before a name reaches PowerShell. */
export const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;

const USAGE = 'exo run Get-Mailbox -- -Identity "john doe" -ResultSize 10 -Force -Confirm:$false';

export interface ParseCmdletArgumentsOptions {
  /**
   * The parameter a single leading bare value binds to, like an Exchange cmdlet's position 0. Default
   * 'Identity'; null makes every value need a name.
   */
  positional?: string | null;
}

interface ParameterToken {
  name: string;
  /** The text after `-Name:`; '' means the value is the next element. */
  inline?: string;
}

/** True for an element that names a parameter (or tries to: --Name is reported, not taken as a value). */
export function isParameterToken(element: string): boolean {
  return /^--?[A-Za-z]/.test(element);
}

function parameterToken(element: string, index: number): ParameterToken | undefined {
  if (element.startsWith('--') && isParameterToken(element)) {
    const name = element.slice(2).split(':')[0];
    throw new ExoError('INVALID_ARGUMENT', `argv[${index}]: PowerShell parameters take one dash.`, {
      details: { field: `argv[${index}]` },
      remediation: `Write -${name} instead of --${name}, e.g. ${USAGE}`,
    });
  }
  if (!isParameterToken(element)) return undefined;
  const colon = element.indexOf(':');
  const name = colon < 0 ? element.slice(1) : element.slice(1, colon);
  if (!PARAMETER_NAME.test(name)) {
    throw new ExoError(
      'INVALID_ARGUMENT',
      `argv[${index}]: "-${name.slice(0, 40)}" is not a parameter name (a letter, then letters, digits or _).`,
      {
        details: { field: `argv[${index}]` },
        remediation:
          "If it is a value that starts with '-', attach it to its parameter with a colon: " +
          `-Filter:'-not(Name -like "a*")'. Usage: ${USAGE}`,
      },
    );
  }
  return colon < 0 ? { name } : { name, inline: element.slice(colon + 1) };
}

function unnamedValue(index: number, previous: string | undefined): ExoError {
  const where = previous === undefined ? 'at the start' : `after -${previous}`;
  return new ExoError('INVALID_ARGUMENT', `argv[${index}]: a value without a parameter name ${where}.`, {
    details: { field: `argv[${index}]` },
    remediation:
      'Name each value (-Name value). A value with spaces must be one argument: quote it for your shell, ' +
      `e.g. ${USAGE}`,
  });
}

/**
 * Turns the arguments after `--` into parameters, as data: `-Name value`, `-Switch`, `-Name:value`,
 * `$true/$false/$null`, numbers, comma lists. The grammar is in the package README; values never become
 * script text. Throws INVALID_ARGUMENT (details.field = the argv index or parameter) for anything else.
 */
export function parseCmdletArguments(
  argv: readonly string[],
  options: ParseCmdletArgumentsOptions = {},
): Record<string, JsonValue> {
  const positional = options.positional === undefined ? 'Identity' : options.positional;
  const parameters: Record<string, JsonValue> = {};
  const seen = new Map<string, string>();
  let previous: string | undefined;

  const add = (name: string, value: JsonValue) => {
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) {
      throw new ExoError('INVALID_ARGUMENT', `-${name} is given twice (also as -${earlier}).`, {
        details: { field: `parameters.${name}` },
        remediation: `Give -${name} once; for several values use a comma list: -${name} a,b,c`,
      });
    }
    seen.set(name.toLowerCase(), name);
    parameters[name] = value;
    previous = name;
  };

  for (let i = 0; i < argv.length; i++) {
    const element = argv[i]!;
    const token = parameterToken(element, i);
    if (token === undefined) {
      if (i !== 0 || positional === null) throw unnamedValue(i, previous);
      add(positional, parseValue(element, positional));
      continue;
    }
    if (token.inline !== undefined && token.inline !== '') {
      add(token.name, parseValue(token.inline, token.name));
      continue;
    }
    const next = argv[i + 1];
    if (token.inline === '') {
      // `-Name: value` takes the next element whatever it looks like, as PowerShell does.
      if (next === undefined) {
        throw new ExoError('INVALID_ARGUMENT', `-${token.name}: has a colon but no value.`, {
          details: { field: `parameters.${token.name}` },
          remediation: `Write -${token.name}:value, -${token.name} value, or -${token.name} alone for a switch.`,
        });
      }
      add(token.name, parseValue(next, token.name));
      i++;
    } else if (next === undefined || isParameterToken(next)) {
      add(token.name, true);
    } else {
      add(token.name, parseValue(next, token.name));
      i++;
    }
  }
  return parameters;
}
