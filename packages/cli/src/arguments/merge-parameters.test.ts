import { ExoError } from '@exo-connect/core';
import { describe, expect, it } from 'vitest';
import { mergeParameters } from './merge-parameters.js';

function failure(fn: () => unknown): ExoError {
  try {
    fn();
  } catch (error) {
    expect(ExoError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    return error as ExoError;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('mergeParameters', () => {
  it('adds the JSON object to the parsed parameters', () => {
    expect(
      mergeParameters({ Identity: 'john' }, '{"EmailAddresses":{"Add":["smtp:j@contoso.com"]},"Count":2}'),
    ).toEqual({ Identity: 'john', EmailAddresses: { Add: ['smtp:j@contoso.com'] }, Count: 2 });
  });

  it('refuses invalid JSON, non-objects and bad names', () => {
    expect(failure(() => mergeParameters({}, '{Identity: 1}')).message).toMatch(
      /^--params-json: is not valid JSON/,
    );
    expect(failure(() => mergeParameters({}, '[1]')).message).toContain('not an array');
    expect(failure(() => mergeParameters({}, 'null')).message).toContain('not null');
    expect(failure(() => mergeParameters({}, '"x"')).message).toContain('not string');
    expect(failure(() => mergeParameters({}, '{"__proto__":1}')).details).toEqual({
      field: 'params-json.__proto__',
    });
  });

  it('refuses a name given on both sides, ignoring case', () => {
    const error = failure(() => mergeParameters({ Identity: 'a' }, '{"identity":"b"}'));
    expect(error.message).toBe('--params-json: -identity is also given on the command line (as -Identity).');
  });

  it('refuses numbers JSON.parse turns into Infinity', () => {
    expect(failure(() => mergeParameters({}, '{"A":{"b":[1e400]}}')).details).toEqual({
      field: 'params-json.A.b[0]',
    });
  });

  it('does not change its input', () => {
    const parsed = { A: 1 };
    mergeParameters(parsed, '{"B":2}');
    expect(parsed).toEqual({ A: 1 });
  });
});
