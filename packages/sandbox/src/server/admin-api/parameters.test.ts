import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exceptionCode } from './odata-error.js';
import { bindParameters, stripTypeMarkers } from './parameters.js';
import { parsePrefer, parseSelect, projector, queryOption } from './request-options.js';

const known = ['Identity', 'DisplayName', 'EmailAddresses', 'CustomAttribute1', 'CustomAttribute2'];

describe('bindParameters', () => {
  it('binds exact names in any case, unique prefixes and common parameters to canonical names', () => {
    expect(
      bindParameters(
        { identity: 'a', Disp: 'b', EMAILADDRESSES: [], erroraction: 'Stop', WhatIf: true },
        known,
      ),
    ).toEqual({
      ok: true,
      parameters: { Identity: 'a', DisplayName: 'b', EmailAddresses: [], ErrorAction: 'Stop', WhatIf: true },
    });
  });

  it('prefers an exact name over longer ones it prefixes', () => {
    expect(bindParameters({ customattribute1: 'x' }, [...known, 'CustomAttribute10'])).toEqual({
      ok: true,
      parameters: { CustomAttribute1: 'x' },
    });
  });

  it('drops annotations and hashtable markers at every depth', () => {
    const hashtable = { '@odata.type': '#Exchange.GenericHashTable', Add: [{ '@odata.type': '#x', v: 1 }] };
    expect(
      bindParameters(
        { 'EmailAddresses@odata.type': '#Exchange.GenericHashTable', EmailAddresses: hashtable },
        known,
      ),
    ).toEqual({
      ok: true,
      parameters: { EmailAddresses: { Add: [{ v: 1 }] } },
    });
  });

  it('refuses a name with an @ that is not an annotation, instead of ignoring it', () => {
    for (const key of ["@'\n'@", 'Identity@', 'a@b', ' -eq x@odata.type', '@odata.type']) {
      expect(bindParameters({ [key]: 1 }, known), key).toMatchObject({
        ok: false,
        error: { httpStatus: 400 },
      });
    }
  });

  it('refuses an empty name as not found', () => {
    expect(bindParameters({ '': 1 }, known)).toMatchObject({ ok: false, error: { httpStatus: 400 } });
  });

  it('never lets an @odata.type key through, whatever the value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const marked = {
          '@odata.type': '#Exchange.GenericHashTable',
          inner: value,
          list: [value, { '@odata.type': 1 }],
        };
        expect(JSON.stringify(stripTypeMarkers(marked))).not.toContain('"@odata.type"');
      }),
    );
  });
});

describe('request options', () => {
  it('reads Prefer in the forms clients send', () => {
    expect(parsePrefer('odata.maxpagesize=250')).toEqual({
      pageSize: 250,
      maxPageSizeApplied: true,
      continueOnError: false,
    });
    expect(parsePrefer(['odata.maxpagesize = 1000;odata.continue-on-error'])).toMatchObject({
      pageSize: 1000,
      continueOnError: true,
    });
    expect(parsePrefer('odata.continue-on-error=false, odata.maxpagesize=-3')).toEqual({
      pageSize: 1000,
      maxPageSizeApplied: false,
      continueOnError: false,
    });
    expect(parsePrefer(undefined).pageSize).toBe(1000);
  });

  it('reads $select and projects case-insensitively, keeping the object names', () => {
    expect(parseSelect(' Name, ,alias ')).toEqual(['Name', 'alias']);
    expect(parseSelect('*')).toBeUndefined();
    expect(parseSelect('')).toBeUndefined();
    const project = projector(['alias', 'guid']);
    expect(
      project({ '@odata.type': '#x', Name: 'n', Alias: 'a', 'Guid@odata.type': '#Guid', Guid: 'g' }),
    ).toEqual({
      '@odata.type': '#x',
      Alias: 'a',
      'Guid@odata.type': '#Guid',
      Guid: 'g',
    });
    expect(queryOption(new URLSearchParams('%24Select=A'), '$select')).toBe('A');
  });
});

describe('exception codes', () => {
  it("uses the service's code where it is known and a stable one of the same form otherwise", () => {
    expect(exceptionCode('Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException')).toBe(
      'Ex6F9304',
    );
    const code = exceptionCode('System.Management.Automation.CommandNotFoundException');
    expect(code).toMatch(/^Ex[0-9A-F]{6}$/);
    expect(exceptionCode('System.Management.Automation.CommandNotFoundException')).toBe(code);
  });
});
