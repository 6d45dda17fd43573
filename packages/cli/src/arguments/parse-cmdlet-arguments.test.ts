import { ExoError } from '@exo-connect/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCmdletArguments } from './format-cmdlet-arguments.js';
import type { JsonValue } from './json-value.js';
import { parseCmdletArguments } from './parse-cmdlet-arguments.js';

function invalidArgument(fn: () => unknown): ExoError {
  try {
    fn();
  } catch (error) {
    expect(ExoError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    return error as ExoError;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('parseCmdletArguments', () => {
  it('parses the documented example into data', () => {
    const argv = [
      '-Identity',
      'john doe',
      '-ResultSize',
      '10',
      '-Filter',
      "Name -like 'a*'",
      '-Force',
      '-Confirm:$false',
      '-Tags',
      'a,b,c',
      '-Count',
      '3.5',
      '-Nothing',
      '$null',
    ];
    expect(parseCmdletArguments(argv)).toEqual({
      Identity: 'john doe',
      ResultSize: 10,
      Filter: "Name -like 'a*'",
      Force: true,
      Confirm: false,
      Tags: ['a', 'b', 'c'],
      Count: 3.5,
      Nothing: null,
    });
  });

  it('reads $true, $false and $null in any case, and switches with a colon', () => {
    expect(
      parseCmdletArguments(['-A', '$TRUE', '-B', '$False', '-C', '$NULL', '-D:$true', '-E:$FALSE']),
    ).toEqual({ A: true, B: false, C: null, D: true, E: false });
  });

  it('makes a switch of a name followed by another name or by nothing', () => {
    expect(parseCmdletArguments(['-Force', '-WhatIf'])).toEqual({ Force: true, WhatIf: true });
  });

  it.each([
    ['0', 0],
    ['-5', -5],
    ['42', 42],
    ['3.25', 3.25],
    ['-0.5', -0.5],
    ['-0', 0],
    ['9007199254740991', 9007199254740991],
  ])('reads %s as a number', (text, value) => {
    expect(parseCmdletArguments(['-N', text])).toEqual({ N: value });
  });

  it.each([
    '007',
    '00.5',
    '1e5',
    '0x1F',
    '+5',
    '.5',
    '5.',
    '1_000',
    '10MB',
    'Infinity',
    'NaN',
    '9007199254740993',
    '0.1234567890123456',
    '0.0000001',
  ])('keeps %s a string', (text) => {
    expect(parseCmdletArguments(['-N', text])).toEqual({ N: text });
  });

  it('converts list items like single values and trims blanks around them', () => {
    expect(parseCmdletArguments(['-L', '1, $true ,x,007'])).toEqual({ L: [1, true, 'x', '007'] });
  });

  it('keeps a quoted list item whole, and makes a one-item list with a leading comma', () => {
    expect(parseCmdletArguments(['-L', `'a,b',"c""d",e`])).toEqual({ L: ['a,b', 'c"d', 'e'] });
    expect(parseCmdletArguments(['-L', ',only'])).toEqual({ L: ['only'] });
    expect(parseCmdletArguments(['-L', '@()'])).toEqual({ L: [] });
  });

  it('does not split at commas inside quotes, so a filter stays one string', () => {
    const filter = 'DisplayName -eq \'Doe, John\' -and Title -ne "a,b"';
    expect(parseCmdletArguments(['-Filter', filter])).toEqual({ Filter: filter });
  });

  it('takes a whole quoted element as a string, never as a number, literal or list', () => {
    expect(parseCmdletArguments(['-A', "'10'", '-B', "'$true'", '-C', "'a,b'", '-D', "'it''s'"])).toEqual({
      A: '10',
      B: '$true',
      C: 'a,b',
      D: "it's",
    });
  });

  it('keeps code-like text as data: $(), backticks, semicolons, pipes, typographic quotes', () => {
    for (const text of ['$(Remove-Item C:\\ -Recurse)', '`whoami`; Stop-Computer | x', '‘x’ “y” „z‛ ‚w']) {
      expect(parseCmdletArguments(['-Identity', text])).toEqual({ Identity: text });
    }
  });

  it('binds a single leading bare value to -Identity (position 0)', () => {
    expect(parseCmdletArguments(['john', '-ResultSize', '1'])).toEqual({ Identity: 'john', ResultSize: 1 });
    expect(parseCmdletArguments(['x'], { positional: 'Name' })).toEqual({ Name: 'x' });
  });

  it('refuses other bare values and says to name them, without echoing the value', () => {
    const error = invalidArgument(() => parseCmdletArguments(['-Identity', 'john', 'doe']));
    expect(error.message).toBe('argv[2]: a value without a parameter name after -Identity.');
    expect(error.details).toEqual({ field: 'argv[2]' });
    expect(error.remediation).toContain('-Identity "john doe"');
    expect(invalidArgument(() => parseCmdletArguments(['john'], { positional: null })).message).toContain(
      'at the start',
    );
  });

  it('refuses duplicates case-insensitively, including the positional', () => {
    expect(invalidArgument(() => parseCmdletArguments(['-Name', 'a', '-name', 'b'])).details).toEqual({
      field: 'parameters.name',
    });
    invalidArgument(() => parseCmdletArguments(['john', '-Identity', 'jane']));
  });

  it('refuses bad names and GNU-style --Name with a usage hint', () => {
    const bad = invalidArgument(() => parseCmdletArguments(['-Na-me', 'x']));
    expect(bad.message).toContain('"-Na-me" is not a parameter name');
    expect(bad.remediation).toContain('colon');
    expect(invalidArgument(() => parseCmdletArguments(['--Identity', 'x'])).remediation).toContain(
      'Write -Identity instead of --Identity',
    );
  });

  it('takes any value after -Name: and a value starting with - in the colon form', () => {
    expect(parseCmdletArguments(['-Filter:', '-not(x)', '-B:-Force'])).toEqual({
      Filter: '-not(x)',
      B: '-Force',
    });
    invalidArgument(() => parseCmdletArguments(['-Filter:']));
  });

  it('refuses empty list items', () => {
    expect(invalidArgument(() => parseCmdletArguments(['-L', 'a,,b'])).message).toBe(
      '-L: item 2 of the comma list is empty.',
    );
    invalidArgument(() => parseCmdletArguments(['-L', 'a,']));
  });
});

const special = fc.constantFrom(
  "'",
  '‘',
  '’',
  '‚',
  '‛',
  '"',
  '“',
  '”',
  '„',
  '$',
  '$(',
  ')',
  '`',
  ';',
  '|',
  '&',
  '\n',
  '\r',
  '\t',
  ' ',
  ',',
  '-',
  '@()',
  '0',
  '7',
  '.',
  '$true',
  '$null',
  '😀',
  '\u{10FFFF}',
  'a',
  'Z',
);
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: special }),
  fc.string({ unit: fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }),
);
const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,12}$/);
const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  anyText,
  fc.boolean(),
  fc.constant(null),
  fc.integer({ min: -1e12, max: 1e12 }),
  fc.integer({ min: -99_999, max: 99_999 }).map((n) => n / 100),
);
const listItem: fc.Arbitrary<JsonValue> = fc.oneof(anyText, fc.constant(null), fc.boolean(), fc.integer());
const parameters = fc
  .uniqueArray(fc.tuple(name, fc.oneof(scalar, fc.array(listItem, { maxLength: 5 }))), {
    selector: ([key]) => key.toLowerCase(),
    maxLength: 6,
  })
  .map((entries) => Object.fromEntries(entries) as Record<string, JsonValue>);

describe('parameter grammar properties', () => {
  it('passes any string through as exactly the same data', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(parseCmdletArguments(formatCmdletArguments({ Value: text }))).toEqual({ Value: text });
      }),
      { numRuns: 2000 },
    );
  });

  it('passes text with no ASCII quote or comma through verbatim when it is not a number or literal', () => {
    const verbatim = anyText.filter(
      (t) =>
        !/[,'"]/.test(t) && !/^-?[A-Za-z-]/.test(t) && !/^(-?[0-9.]+|\$true|\$false|\$null|@\(\))$/i.test(t),
    );
    fc.assert(
      fc.property(verbatim, (text) => {
        expect(parseCmdletArguments(['-Value', text])).toEqual({ Value: text });
      }),
    );
  });

  it('round-trips generated parameters through argv', () => {
    fc.assert(
      fc.property(parameters, (params) => {
        expect(parseCmdletArguments(formatCmdletArguments(params))).toEqual(params);
      }),
      { numRuns: 1000 },
    );
  });

  const valueElement = fc.oneof(
    anyText.filter((t) => !/^--?[A-Za-z]/.test(t) && !t.includes(',')),
    fc.constantFrom('$true', '$FALSE', '$Null', '@()', '007', '1e5'),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc
      .array(fc.stringMatching(/^[A-Za-z0-9 '".$]{1,6}$/), { minLength: 1, maxLength: 4 })
      .map((a) => a.join(',')),
  );
  const argv = fc
    .uniqueArray(fc.tuple(name, fc.option(valueElement), fc.boolean()), {
      selector: ([key]) => key.toLowerCase(),
      maxLength: 6,
    })
    .map((entries) =>
      entries.flatMap(([key, value, colon]) =>
        value === null ? [`-${key}`] : colon ? [`-${key}:${value}`] : [`-${key}`, value],
      ),
    );

  it('parses valid argv, formats and parses it again to the same data', () => {
    fc.assert(
      fc.property(argv, (elements) => {
        let first: Record<string, JsonValue>;
        try {
          first = parseCmdletArguments(elements);
        } catch (error) {
          // Generated quotes can make an item list with an empty item; that argv is not valid.
          expect(ExoError.is(error, 'INVALID_ARGUMENT')).toBe(true);
          fc.pre(false);
          return;
        }
        expect(parseCmdletArguments(formatCmdletArguments(first))).toEqual(first);
      }),
      { numRuns: 1000 },
    );
  });

  it('never fails with anything but INVALID_ARGUMENT, and only ever returns JSON data', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            anyText,
            name.map((n) => `-${n}`),
          ),
          { maxLength: 8 },
        ),
        (elements) => {
          try {
            const result = parseCmdletArguments(elements);
            expect(JSON.parse(JSON.stringify(result))).toEqual(result);
          } catch (error) {
            expect(ExoError.is(error, 'INVALID_ARGUMENT')).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('formatCmdletArguments', () => {
  it('writes switches bare, false with a colon, and quotes what would be misread', () => {
    expect(
      formatCmdletArguments({
        Force: true,
        Confirm: false,
        Identity: 'john doe',
        N: '10',
        Tags: ['a,b', 'c'],
        One: ['x'],
        None: [],
        Dash: '-x',
        Null: null,
      }),
    ).toEqual([
      '-Force',
      '-Confirm:$false',
      '-Identity',
      'john doe',
      '-N',
      "'10'",
      '-Tags',
      "'a,b',c",
      '-One',
      ',x',
      '-None',
      '@()',
      '-Dash:-x',
      '-Null',
      '$null',
    ]);
  });

  it('refuses what argv cannot express', () => {
    invalidArgument(() => formatCmdletArguments({ O: { a: 1 } }));
    invalidArgument(() => formatCmdletArguments({ L: [[1]] }));
    invalidArgument(() => formatCmdletArguments({ N: 1e21 }));
    invalidArgument(() => formatCmdletArguments({ 'bad-name': 1 }));
  });
});
