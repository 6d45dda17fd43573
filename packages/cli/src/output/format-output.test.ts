import { PassThrough, Writable } from 'node:stream';
import { ExoError } from '@exo-connect/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultFormat, type FormatOutputOptions, formatOutput, parseOutputFormat } from './format-output.js';

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return Object.assign(out, { text: () => chunks.join('') });
}

async function render(rows: unknown[], options: Omit<FormatOutputOptions, 'out'>): Promise<string> {
  const out = sink();
  await formatOutput(rows, { ...options, out });
  return out.text();
}

async function* slowly<T>(rows: T[]): AsyncIterable<T> {
  for (const row of rows) {
    await new Promise((resolve) => setImmediate(resolve));
    yield row;
  }
}

describe('defaultFormat and parseOutputFormat', () => {
  it('chooses a table for a terminal and JSON for a pipe', () => {
    expect(defaultFormat(true)).toBe('table');
    expect(defaultFormat(false)).toBe('json');
    expect(defaultFormat(undefined)).toBe('json');
  });

  it('accepts any case and refuses unknown formats', () => {
    expect(parseOutputFormat('CSV')).toBe('csv');
    expect(() => parseOutputFormat('xml')).toThrow(ExoError);
  });
});

describe('json', () => {
  it('is a valid array for 0, 1 and many rows', async () => {
    expect(await render([], { format: 'json' })).toBe('[]\n');
    expect(await render([{ a: 1 }], { format: 'json' })).toBe('[\n  {\n    "a": 1\n  }\n]\n');
    const many = Array.from({ length: 50 }, (_, i) => ({ i, tags: ['x', { y: i }] }));
    expect(JSON.parse(await render(many, { format: 'json' }))).toEqual(many);
  });

  it('is exactly JSON.stringify(rows, null, 2) for any rows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }), async (rows) => {
        expect(await render(rows, { format: 'json' })).toBe(`${JSON.stringify(rows, null, 2)}\n`);
      }),
    );
  });

  it('writes each element as it arrives, before the source ends', async () => {
    const out = sink();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* rows() {
      yield { a: 1 };
      await gate;
      yield { a: 2 };
    }
    const done = formatOutput(rows(), { format: 'json', out });
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toBe('[\n  {\n    "a": 1\n  }');
    release();
    await done;
    expect(JSON.parse(out.text())).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

describe('ndjson', () => {
  it('writes one compact value per line, dates as ISO', async () => {
    const text = await render([{ a: 1, d: new Date(Date.UTC(2024, 0, 2)) }, 'x', null], { format: 'ndjson' });
    expect(text).toBe('{"a":1,"d":"2024-01-02T00:00:00.000Z"}\n"x"\nnull\n');
  });

  it('writes nothing for no rows and keeps line breaks inside values escaped', async () => {
    expect(await render([], { format: 'ndjson' })).toBe('');
    expect((await render([{ s: 'a\nb\u2028' }], { format: 'ndjson' })).split('\n')).toHaveLength(2);
  });
});

describe('csv', () => {
  it('writes RFC 4180: CRLF, quotes only where needed, inner quotes doubled', async () => {
    const text = await render(
      [
        { Name: 'plain', Note: 'a,b', Quote: 'say "hi"', Lines: 'l1\nl2', Cr: 'x\ry', Empty: '', Null: null },
        { Name: 'second', Note: 7, Quote: true },
      ],
      { format: 'csv' },
    );
    expect(text).toBe(
      'Name,Note,Quote,Lines,Cr,Empty,Null\r\n' +
        'plain,"a,b","say ""hi""","l1\nl2","x\ry",,\r\n' +
        'second,7,true,,,,\r\n',
    );
  });

  it('writes nested values as compact JSON and dates as ISO', async () => {
    const text = await render([{ A: ['x', 'y'], O: { k: 1 }, D: new Date(0) }], { format: 'csv' });
    expect(text).toBe('A,O,D\r\n"[""x"",""y""]","{""k"":1}",1970-01-01T00:00:00.000Z\r\n');
  });

  it('takes the header from properties, leaving out other fields', async () => {
    const text = await render([{ a: 1, b: 2, c: 3 }], {
      format: 'csv',
      properties: ['c', 'a', 'constructor'],
    });
    expect(text).toBe('c,a,constructor\r\n3,1,\r\n');
    expect(await render([], { format: 'csv', properties: ['x,y'] })).toBe('"x,y"\r\n');
    expect(await render([], { format: 'csv' })).toBe('');
  });

  it('writes scalar rows in a Value column', async () => {
    expect(await render(['a', 'b'], { format: 'csv' })).toBe('Value\r\na\r\nb\r\n');
  });

  it('parses back to the same fields with a strict RFC 4180 reader', async () => {
    const field = fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', 'é', '😀') });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 5 }), async (pairs) => {
        const rows = pairs.map(([x, y]) => ({ x, y }));
        expect(readCsv(await render(rows, { format: 'csv' }))).toEqual([
          ['x', 'y'],
          ...pairs.map(([x, y]) => [x, y]),
        ]);
      }),
    );
  });
});

/** A minimal RFC 4180 reader: records end in CRLF; quoted fields may hold anything. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          field += text[i++];
        }
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '\n' || text[i] === '"') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        field += text[i++];
      }
    }
    fields.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      records.push(fields);
      fields = [];
      i += 2;
    } else throw new Error(`expected , or CRLF at ${i}`);
  }
  return records;
}

describe('table', () => {
  const mailboxes = [
    { Name: 'john', DisplayName: 'John Doe', PrimarySmtpAddress: 'john@contoso.com', Guid: 'g1', Size: 12 },
    { Name: 'jane', DisplayName: 'Jane Roe', PrimarySmtpAddress: 'jane@contoso.com', Guid: 'g2', Size: 3 },
  ];

  it("prefers Exchange's usual columns and aligns them", async () => {
    expect(await render(mailboxes, { format: 'table', columns: 80 })).toBe(
      'Name  DisplayName  PrimarySmtpAddress\n' +
        '----  -----------  ------------------\n' +
        'john  John Doe     john@contoso.com\n' +
        'jane  Jane Roe     jane@contoso.com\n',
    );
  });

  it('falls back to the first scalar keys, and right-aligns numbers', async () => {
    const rows = [
      { Id: 1, Tags: { a: 1 }, Label: 'x' },
      { Id: 100, Tags: {}, Label: 'y' },
    ];
    expect(await render(rows, { format: 'table', columns: 80 })).toBe(
      'Id   Label\n--   -----\n  1  x\n100  y\n',
    );
  });

  it('shows the chosen properties, lists as "a, b", and nothing for no rows', async () => {
    const rows = [{ Name: 'x', Emails: ['a@c.com', 'b@c.com'] }];
    expect(await render(rows, { format: 'table', columns: 80, properties: ['Emails', 'Missing'] })).toBe(
      'Emails            Missing\n------            -------\na@c.com, b@c.com\n',
    );
    expect(await render([], { format: 'table', columns: 80 })).toBe('');
  });

  it('truncates with … to fit the width, counting wide characters as two cells', async () => {
    const rows = [{ Name: 'a'.repeat(30), DisplayName: '漢字漢字漢字漢字漢字', PrimarySmtpAddress: 'x@y.z' }];
    const text = await render(rows, { format: 'table', columns: 24 });
    // 24 cells, less two gaps of 2: widths 7, 7 and 6; 漢字漢 is 6 cells.
    expect(text).toBe('Name     Displa…  Prima…\n----     -------  ------\naaaaaa…  漢字漢…  x@y.z\n');
  });

  it('neutralises control characters and escape sequences in values', async () => {
    const text = await render([{ Name: 'evil\u001b]0;title\u0007\nname' }], { format: 'table', columns: 80 });
    expect(text).toBe('Name\n----\nevil\uFFFD]0;title\uFFFD name\n');
  });

  it('sizes columns from the buffered rows, then streams later rows at the same widths', async () => {
    const rows = [{ Name: 'ab' }, { Name: 'cd' }, { Name: 'a much longer name' }];
    const out = sink();
    await formatOutput(slowly(rows), { format: 'table', out, columns: 80, tableBufferRows: 2 });
    expect(out.text()).toBe('Name\n----\nab\ncd\na m…\n');
  });
});

describe('backpressure and failures', () => {
  it('waits for drain instead of letting the stream buffer grow', async () => {
    let most = 0;
    let waits = 0;
    const out = new Writable({
      highWaterMark: 1024,
      write(_chunk, _encoding, callback) {
        most = Math.max(most, this.writableLength);
        setImmediate(callback);
      },
    });
    out.on('drain', () => waits++);
    const rows = Array.from({ length: 2000 }, (_, i) => ({ i, pad: 'x'.repeat(100) }));
    expect(await formatOutput(rows, { format: 'ndjson', out })).toBe(2000);
    expect(waits).toBeGreaterThan(10);
    expect(most).toBeLessThan(1024 + 200);
  });

  it('rejects when the output fails, and stops the row source', async () => {
    const out = new PassThrough({ highWaterMark: 16 });
    let returned = false;
    async function* rows() {
      try {
        for (let i = 0; ; i++) yield { i, pad: 'x'.repeat(64) };
      } finally {
        returned = true;
      }
    }
    const done = formatOutput(rows(), { format: 'ndjson', out });
    setImmediate(() => out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
    await expect(done).rejects.toThrow('EPIPE');
    expect(returned).toBe(true);
  });

  it('rejects at once on a stream that is already closed', async () => {
    const out = sink();
    out.destroy();
    await expect(formatOutput([{ a: 1 }], { format: 'json', out })).rejects.toThrow('closed');
  });
});
