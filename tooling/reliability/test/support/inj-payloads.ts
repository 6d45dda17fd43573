/**
 * Injection payloads for test/injection.test.ts: strings built from every quoting and command form PowerShell,
 * OPATH and POSIX shells know, each carrying a command that would create a file in a canary directory if
 * anything ever ran it. The suite asserts that the directory stays empty.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@exo-connect/test-utils';
import fc from 'fast-check';

export interface Canary {
  dir: string;
  /** Commands, in every quoting form, that would create a file under `dir` if executed. */
  commands: string[];
  /** Files that appeared under `dir` (empty while nothing executed). */
  fired(): Promise<string[]>;
  remove(): Promise<void>;
}

/** PowerShell's single quotes (ASCII and U+2018–U+201B) and double quotes (ASCII and U+201C–U+201E). */
export const SINGLE_QUOTES = ["'", '\u2018', '\u2019', '\u201A', '\u201B'] as const;
export const DOUBLE_QUOTES = ['"', '\u201C', '\u201D', '\u201E'] as const;

/** Pieces of syntax that mean something to pwsh, OPATH, cmd or sh; combined at random with plain text. */
export const SYNTAX_FRAGMENTS: readonly string[] = [
  ...SINGLE_QUOTES,
  ...DOUBLE_QUOTES,
  ...SINGLE_QUOTES.map((q) => q + q),
  ...DOUBLE_QUOTES.map((q) => q + q),
  '$(',
  ')',
  '@(',
  '${',
  '}',
  '{',
  '$env:PATH',
  '$null',
  '$true',
  '$_',
  '`',
  '`n',
  '`r',
  '`0',
  '`$',
  '``',
  ';',
  '|',
  '||',
  '&',
  '&&',
  '>',
  '>>',
  '2>&1',
  '*>',
  '<',
  '\n',
  '\r',
  '\r\n',
  '\0',
  '\t',
  '\u0001',
  '\u0007',
  '\u0008',
  '\u001b[31m',
  '\u001b]0;title\u0007',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\u200b',
  '\u202e',
  '\ufeff',
  '#',
  '<#',
  '#>',
  "@'\n",
  "\n'@",
  '@"\n',
  '\n"@',
  '--%',
  '[',
  ']',
  '*',
  '?',
  '%',
  '\\',
  '/',
  ',',
  ' -or ',
  ' -and ',
  ' -eq ',
  ' -like ',
  '-not ',
  "') -or (Name -like '*",
  '{ Alias -like "*" }',
  '%0a',
  '&#10;',
  '\u{1F600}',
  '\u{1D11E}',
  '\u{10FFFF}',
  'I\u0307',
];

/** Creates a canary directory and the commands that would write into it. */
export async function createCanary(): Promise<Canary> {
  const dir = await makeTempDir('exo-canary-');
  await mkdir(dir, { recursive: true });
  let n = 0;
  const file = () => join(dir, `fired-${++n}`);
  const commands: string[] = [];
  // PowerShell subexpressions and statements, in every quote form.
  commands.push(`$(New-Item -ItemType File -Path '${file()}')`);
  commands.push(`@(New-Item -ItemType File -Path '${file()}')`);
  commands.push(`\`$(New-Item -ItemType File -Path ${file()})`);
  commands.push(`$([IO.File]::WriteAllText('${file()}', 'x'))`);
  commands.push(`\${function:New-Item}; New-Item -ItemType File -Path '${file()}'`);
  for (const q of SINGLE_QUOTES) commands.push(`${q}; New-Item -ItemType File -Path ${q}${file()}${q}; ${q}`);
  for (const q of DOUBLE_QUOTES) commands.push(`${q}$(New-Item -ItemType File -Path ${q}${file()}${q})${q}`);
  for (const q of DOUBLE_QUOTES) commands.push(`${q}; New-Item -ItemType File -Path ${q}${file()}${q}; ${q}`);
  commands.push(`'); New-Item -ItemType File -Path '${file()}'; ('`);
  commands.push(`x\nNew-Item -ItemType File -Path '${file()}'\n`);
  commands.push(`x\rNew-Item -ItemType File -Path '${file()}'\r`);
  commands.push(`x\r\nNew-Item -ItemType File -Path '${file()}'\r\n`);
  commands.push(`x\`nNew-Item -ItemType File -Path '${file()}'`);
  commands.push(`x\0; New-Item -ItemType File -Path '${file()}'`);
  commands.push(`| New-Item -ItemType File -Path '${file()}'`);
  commands.push(`& New-Item -ItemType File -Path '${file()}'`);
  commands.push(`Invoke-Expression 'New-Item -ItemType File -Path ${file()}'`);
  commands.push(`iex "ni '${file()}'"`);
  commands.push(`--% ; New-Item -ItemType File -Path ${file()}`);
  commands.push(`@'\n'@; New-Item -ItemType File -Path '${file()}'; @'\n'@`);
  commands.push(`<#\n#> New-Item -ItemType File -Path '${file()}' <#`);
  // OPATH: a filter value that closes its string and adds a clause, or a script block.
  commands.push(`') -or (Name -like '*') ; New-Item -ItemType File -Path '${file()}' ; ('`);
  commands.push(`{ $(New-Item -ItemType File -Path '${file()}') }`);
  // POSIX shells and cmd.exe, should a value ever reach one.
  commands.push(`; touch '${file()}'`);
  commands.push(`$(touch ${file()})`);
  commands.push(`\`touch ${file()}\``);
  commands.push(`&& touch ${file()}`);
  commands.push(`|| touch ${file()}`);
  commands.push(`| touch ${file()}`);
  commands.push(`\ntouch ${file()}\n`);
  commands.push(`> ${file()}`);
  commands.push(`& type nul > "${file()}"`);
  return {
    dir,
    commands,
    fired: async () => readdir(dir).catch(() => []),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** True when `value` is well-formed UTF-16 (no lone surrogate), i.e. representable in UTF-8. */
export function isWellFormed(value: string): boolean {
  return !/\p{Cs}/u.test(value);
}

export interface PayloadOptions {
  /** Longest generated string apart from the fixed long ones. Default 80. */
  maxLength?: number;
  /** Include the 64 KiB strings. Default true. */
  long?: boolean;
  /** Allow NUL characters (argv cannot carry them). Default true. */
  nul?: boolean;
}

/** Strings 64 KiB long: ASCII with commands, and non-BMP (each character a surrogate pair). */
export function longStrings(canary: Canary): string[] {
  const unit = `${canary.commands[0]} ${canary.commands[1]} `;
  const ascii = unit.repeat(Math.ceil(65_536 / unit.length)).slice(0, 65_536);
  const astral = '\u{1F600}\u{1D11E}'.repeat(16_384);
  return [ascii, astral];
}

/** Text that PowerShell's ConvertFrom-Json would read as a date unless told not to. */
export const dateLikeString: fc.Arbitrary<string> = fc
  .tuple(
    fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2200-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom('Z', '+05:00', '-03:30', '', '.1234567Z', '.123+01:00'),
  )
  .map(([date, suffix]) => date.toISOString().slice(0, 19) + suffix);

/**
 * Well-formed strings full of injection syntax: random Unicode (including non-BMP), syntax fragments mixed
 * with text, canary commands, date-like text and, rarely, the 64 KiB strings.
 */
export function injectionString(canary: Canary, options: PayloadOptions = {}): fc.Arbitrary<string> {
  const maxLength = options.maxLength ?? 80;
  const nul = options.nul ?? true;
  const strip = (s: string) => (nul ? s : s.replace(/\0/g, ''));
  const fragments = SYNTAX_FRAGMENTS.map(strip).filter(Boolean);
  const commands = canary.commands.map(strip);
  const text = fc.string({ unit: 'binary', maxLength: 12 }).map(strip);
  const mixed = fc
    .array(fc.oneof(fc.constantFrom(...fragments), fc.constantFrom(...commands), text), {
      minLength: 1,
      maxLength: 8,
    })
    .map((parts) => parts.join('').slice(0, Math.max(maxLength, 1)));
  const arbitraries: Array<fc.WeightedArbitrary<string>> = [
    { arbitrary: fc.string({ unit: 'binary', maxLength }).map(strip), weight: 60 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength }), weight: 20 },
    { arbitrary: mixed, weight: 120 },
    { arbitrary: fc.constantFrom(...commands), weight: 40 },
    { arbitrary: dateLikeString, weight: 20 },
  ];
  // About one value in 260 is 64 KiB long.
  if (options.long ?? true)
    arbitraries.push({ arbitrary: fc.constantFrom(...longStrings(canary)), weight: 1 });
  return fc.oneof(...arbitraries).filter(isWellFormed);
}

/** Strings with at least one lone surrogate: valid in JSON text and in JavaScript, not in UTF-8. */
export const illFormedString: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 10 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 10 }))
  .map(([a, unit, b]) => a + String.fromCharCode(unit) + b)
  .filter((s) => !isWellFormed(s));

/** Doubles every PowerShell single quote, for a value inside an OPATH '…' string. */
export function opathQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/** A short printable description of a value for failure messages (never the whole 64 KiB). */
export function describeValue(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 160 ? `${json.slice(0, 150)}… (${json.length} chars)` : json;
}
