import { describe, expect, it } from 'vitest';
import { formatPath, invalidArgument } from './field-issues.js';

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
