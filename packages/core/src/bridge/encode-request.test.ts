import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertCommandName, checkSecret, encodeRequest } from './encode-request.js';

const base = { id: '1', depth: 4, queue: 16 };

describe('encodeRequest', () => {
  it('encodes the request as one line of JSON', () => {
    const line = encodeRequest({ ...base, command: 'Get-Mailbox', parameters: { ResultSize: 10 } });
    expect(JSON.parse(line)).toEqual({
      t: 'req',
      ...base,
      command: 'Get-Mailbox',
      parameters: { ResultSize: 10 },
    });
  });

  it('keeps any string value on one line and recoverable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (value) => {
        const line = encodeRequest({ ...base, command: 'Set-Thing', parameters: { Value: value } });
        expect(line).not.toMatch(/[\n\r]/);
        expect(JSON.parse(line).parameters.Value).toBe(value);
      }),
    );
  });

  it.each([
    'Get-Mailbox; rm -rf /',
    'Get-Mailbox | Remove-Mailbox',
    '$(Get-Mailbox)',
    'Get-Mailbox`n',
    'GetMailbox',
    '-Get',
    'Get-',
    "Get-Mailbox'",
  ])('refuses the command name %j with INVALID_ARGUMENT', (name) => {
    expect(() => encodeRequest({ ...base, command: name, parameters: {} })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('accepts prefixed and module-style names', () => {
    expect(() => assertCommandName('Get-EXOMailbox')).not.toThrow();
    expect(() => assertCommandName('Get-ContosoMailbox2')).not.toThrow();
  });

  it.each(['Bad Name', '1st', 'a-b', 'x;y', ''])('refuses the parameter name %j', (name) => {
    expect(() => encodeRequest({ ...base, command: 'Get-Mailbox', parameters: { [name]: 1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('refuses values JSON cannot carry, naming the field', () => {
    expect(() =>
      encodeRequest({ ...base, command: 'Get-Mailbox', parameters: { ResultSize: Number.NaN } }),
    ).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { field: 'parameters.ResultSize' } }),
    );
    expect(() =>
      encodeRequest({
        ...base,
        command: 'Get-Mailbox',
        parameters: { Filter: { nested: [1, () => 0] } } as never,
      }),
    ).toThrow(expect.objectContaining({ details: { field: 'parameters.Filter.nested[1]' } }));
  });
});

describe('values and secrets that could not arrive unchanged', () => {
  it('refuses a string or key holding a lone surrogate, naming the field', () => {
    for (const parameters of [
      { Name: 'a\ud800b' },
      { Name: ['ok', '\udc00'] },
      { Name: { ['k\ud83d']: 1 } },
    ]) {
      expect(() => encodeRequest({ ...base, command: 'Set-Thing', parameters })).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          details: { field: expect.stringMatching(/^parameters\.Name/) },
        }),
      );
    }
    // A surrogate pair is one well-formed character.
    expect(() => encodeRequest({ ...base, command: 'Set-Thing', parameters: { Name: '😀' } })).not.toThrow();
  });

  it('refuses a secret with NUL, a lone surrogate or more than 65,536 characters, without echoing it', () => {
    const bad = ['pa\0ss', 'pa\ud800ss', 'x'.repeat(65_537)];
    for (const password of bad) {
      let caught: unknown;
      try {
        checkSecret('credential', { userName: 'a@b.example', password });
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'secrets.credential' } });
      expect((caught as Error).message).not.toContain(password.slice(0, 5));
    }
    expect(() => checkSecret('token', { value: 'x'.repeat(65_536) })).not.toThrow();
  });
});
