import { PassThrough } from 'node:stream';
import { ExoError } from '@exo-connect/core';
import { describe, expect, it } from 'vitest';
import type { OutputFormat } from './format-output.js';
import { compileQuery, formatQueried, queryRows } from './query.js';

const mailboxes = [
  { DisplayName: 'Alex', Alias: 'alex', RecipientTypeDetails: 'UserMailbox', ProhibitSendQuota: '99 GB' },
  { DisplayName: 'Sales', Alias: 'sales', RecipientTypeDetails: 'SharedMailbox', ProhibitSendQuota: '50 GB' },
  { DisplayName: 'Help', Alias: 'help', RecipientTypeDetails: 'SharedMailbox', ProhibitSendQuota: '50 GB' },
];

async function* rows() {
  yield* mailboxes;
}

async function printed(expression: string, format: OutputFormat): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  await formatQueried(rows(), compileQuery(expression), { format, out, columns: 80 });
  return text;
}

describe('compileQuery', () => {
  it('filters and projects the whole output, as az --query does', () => {
    const query = compileQuery("[?RecipientTypeDetails == 'SharedMailbox'].{Name: DisplayName, Mail: Alias}");
    expect(query.apply(mailboxes)).toEqual([
      { Name: 'Sales', Mail: 'sales' },
      { Name: 'Help', Mail: 'help' },
    ]);
    expect(compileQuery('length(@)').apply(mailboxes)).toBe(3);
    expect(compileQuery('[0].Alias').apply(mailboxes)).toBe('alex');
    expect(compileQuery("[?Alias == 'nobody'] | [0]").apply(mailboxes)).toBeNull();
  });

  it('refuses a bad expression with INVALID_ARGUMENT, pointing at where the parser stopped', () => {
    const refusal = (expression: string) => {
      try {
        compileQuery(expression);
      } catch (error) {
        return error as ExoError;
      }
      throw new Error(`${expression} compiled`);
    };
    const cut = refusal('[?Alias == ');
    expect(cut).toBeInstanceOf(ExoError);
    expect(cut).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'query', position: 10 } });
    expect(cut.message).toBe(
      '--query is not a valid JMESPath expression (at character 11: "[?Alias ==▸ "): Syntax error: invalid token (EOF): ""',
    );
    expect(cut.remediation).toContain('https://jmespath.site');
    // The pointer sits under the character that broke it.
    expect(refusal('a.b..c').message).toContain('(at character 5: "a.b.▸.c")');
    expect(refusal('a.b..c').details).toMatchObject({ position: 4 });
    expect(refusal('Name #x').details).toMatchObject({ position: 5 });
    for (const bad of ['', '   ', 'foo[', 'nosuchfunction(@)'])
      expect(() => {
        // An unknown function is known only when it runs on the output.
        compileQuery(bad).apply(mailboxes);
      }).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('formatQueried', () => {
  it('prints JSON exactly as the query gave it: a list, a number, a string, null', async () => {
    expect(JSON.parse(await printed('[].Alias', 'json'))).toEqual(['alex', 'sales', 'help']);
    expect(await printed('length(@)', 'json')).toBe('3\n');
    expect(await printed('[1].DisplayName', 'json')).toBe('"Sales"\n');
    expect(await printed("[?Alias == 'x'] | [0]", 'json')).toBe('null\n');
  });

  it('prints rows for the other formats: objects as they are, anything else as Value', async () => {
    expect(await printed('[].{Name: DisplayName}', 'ndjson')).toBe(
      '{"Name":"Alex"}\n{"Name":"Sales"}\n{"Name":"Help"}\n',
    );
    expect(await printed('[].Alias', 'csv')).toBe('Value\r\nalex\r\nsales\r\nhelp\r\n');
    expect(await printed('length(@)', 'table')).toMatch(/Value[\s\S]*3/);
  });

  it('gives no rows for null, and one row for a single object', () => {
    expect(queryRows(null)).toEqual([]);
    expect(queryRows({ a: 1 })).toEqual([{ a: 1 }]);
    expect(queryRows([1, { b: 2 }])).toEqual([{ Value: 1 }, { b: 2 }]);
  });
});
