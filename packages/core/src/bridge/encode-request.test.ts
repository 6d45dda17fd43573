import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertCommandName, encodeRequest } from './encode-request.js';

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
