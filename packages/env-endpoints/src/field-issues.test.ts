import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldIssues, formatPath, invalidArgument } from './field-issues.js';

describe('formatPath', () => {
  it.each([
    [[], '(root)'],
    [['id'], 'id'],
    [['environments', 0, 'rps', 'connectionUri'], 'environments[0].rps.connectionUri'],
    [['aliases', 2], 'aliases[2]'],
    [['$schema'], '$schema'],
    [['odd key'], '["odd key"]'],
  ] as [PropertyKey[], string][])('%j → %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe('invalidArgument', () => {
  it('lists each issue under the headline, prefixed with the file when there is one', () => {
    const error = invalidArgument(
      'Cannot load environments from a.json:',
      [
        { path: 'environments[0].id', message: 'bad' },
        { path: 'environments[1].documentation', message: 'worse' },
      ],
      'a.json',
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      'Cannot load environments from a.json:\n  a.json: environments[0].id: bad\n  a.json: environments[1].documentation: worse',
    );
    expect(error.remediation).toBe('Correct a.json: environments[0].id and try again.');
    expect(error.details).toEqual({
      file: 'a.json',
      issues: [
        { path: 'environments[0].id', message: 'bad' },
        { path: 'environments[1].documentation', message: 'worse' },
      ],
    });
  });
});

describe('fieldIssues', () => {
  const schema = z.strictObject({
    name: z.string({ error: 'must be a string' }),
    byName: z.record(z.string().regex(/^[a-z]+$/, { error: 'names are lower-case letters' }), z.number()),
  });
  const issues = (value: unknown, options?: Parameters<typeof fieldIssues>[1]) => {
    const result = schema.safeParse(value);
    if (result.success) throw new Error('expected a failure');
    return fieldIssues(result.error, options);
  };

  it('reports each field once: unknown keys on the key, a bad record key with its own message', () => {
    expect(issues({ name: 1, byName: { Bad: 1 }, typo: true })).toEqual([
      { path: 'name', message: 'must be a string' },
      { path: 'byName.Bad', message: 'names are lower-case letters' },
      { path: 'typo', message: 'is not a known field (check its spelling)' },
    ]);
  });

  it('prefixes the paths and lets the caller word an unknown key', () => {
    const found = issues(
      { name: 'x', byName: {}, password: 'p', other: 1 },
      {
        prefix: ['profiles', 'work'],
        unknownKey: (key) => (key === 'password' ? 'never stored' : undefined),
      },
    );
    expect(found).toEqual([
      { path: 'profiles.work.password', message: 'never stored' },
      { path: 'profiles.work.other', message: 'is not a known field (check its spelling)' },
    ]);
  });
});
