import { describe, expect, it } from 'vitest';
import { readPage } from './page.js';

describe('readPage', () => {
  it('reads value, warnings and nextLink, from text or an already parsed $batch body', () => {
    const body = {
      '@odata.context': 'x',
      'adminapi.warnings@odata.type': '#Collection(String)',
      '@adminapi.warnings': ['By default, only the first 1000 items are returned.'],
      value: [{ Name: 'a' }, 'plain'],
      '@odata.nextLink': 'https://outlook.office365.com/adminapi/beta/t/InvokeCommand?$skiptoken=abc',
    };
    for (const input of [body, JSON.stringify(body)]) {
      expect(readPage(input, 'Get-Mailbox', 'h')).toEqual({
        value: [{ Name: 'a' }, { Value: 'plain' }],
        warnings: ['By default, only the first 1000 items are returned.'],
        nextLink: body['@odata.nextLink'],
      });
    }
  });

  it('has no nextLink on the last page, and no value list is an empty page', () => {
    expect(readPage('{"value":[]}', 'Get-Mailbox', 'h')).toEqual({ value: [], warnings: [] });
    expect(readPage('{"@odata.context":"x"}', 'Set-Mailbox', 'h')).toEqual({ value: [], warnings: [] });
  });

  it('refuses what is not an admin API page', () => {
    for (const text of ['<html>proxy login</html>', '[1,2]', '{"value":{}}']) {
      expect(() => readPage(text, 'Get-Mailbox', 'h')).toThrow(
        expect.objectContaining({ code: 'SESSION_BROKEN' }),
      );
    }
  });
});
