import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withTempDir } from '@exo-connect/test-utils';
import { describe, expect, it } from 'vitest';
import { EndpointError } from './errors/endpoint-error.js';
import { readEnvironmentsFile } from './load-environments.js';
import { createRegistry } from './registry.js';

const lab = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  displayName: `Lab ${id}`,
  defaultStrategy: 'rps',
  rps: {
    connectionUri: `http://${id}.contoso.local/PowerShell/`,
    authentication: 'Kerberos',
    allowRedirection: false,
  },
  documentation:
    'https://learn.microsoft.com/powershell/exchange/connect-to-exchange-servers-using-remote-powershell',
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<EndpointError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EndpointError) return error;
    throw error;
  }
  throw new Error('expected an EndpointError');
}

/** Writes `content` (JSON unless a string) to a file in a temp dir and runs `fn` with its path. */
function withFile<T>(content: unknown, fn: (file: string) => Promise<T>): Promise<T> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'environments.json');
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return fn(file);
  });
}

describe('loadEnvironments', () => {
  it('registers every environment in the file and returns them', () =>
    withFile(
      { $schema: './schema.json', environments: [lab('lab-one'), lab('lab-two', { aliases: ['two'] })] },
      async (file) => {
        const registry = createRegistry();
        const loaded = await registry.load(file);
        expect(loaded.map((e) => e.id)).toEqual(['lab-one', 'lab-two']);
        expect(registry.get('TWO').id).toBe('lab-two');
        expect(registry.get('lab-one').rps?.status).toEqual({ state: 'active' });
      },
    ));

  it('accepts a file URL and a byte-order mark', () =>
    withFile(`\uFEFF${JSON.stringify({ environments: [lab('lab-url')] })}`, async (file) => {
      const loaded = await createRegistry().load(pathToFileURL(file));
      expect(loaded[0]?.id).toBe('lab-url');
    }));

  it('names the file when it cannot be read', async () => {
    const error = await rejection(createRegistry().load('/nonexistent/exo/environments.json'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('/nonexistent/exo/environments.json');
    expect(error.details.file).toBe('/nonexistent/exo/environments.json');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('names the file for malformed JSON', () =>
    withFile('{ "environments": [ ', async (file) => {
      const error = await rejection(createRegistry().load(file));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain(`${file}: (root): is not valid JSON`);
    }));

  it.each([
    [[lab('lab-one')], '(root)', 'expected object'],
    [{ environments: [] }, 'environments', 'at least one'],
    [{ environment: [lab('lab-one')] }, 'environment', 'not a known field'],
  ])('refuses a file shaped %j, naming the file and %s', (content, path, message) =>
    withFile(content, async (file) => {
      const error = await rejection(createRegistry().load(file));
      expect(error.message).toContain(`${file}: ${path}: `);
      expect(error.message).toContain(message);
    }),
  );

  it('puts the file name and the field path on every line, and registers nothing', () =>
    withFile(
      {
        environments: [
          lab('lab-ok'),
          lab('lab-bad', {
            module: { exchangeEnvironmentName: 'O365Mars' },
            rps: {
              connectionUri: 'http://outlook.office365.com/powershell-liveid/',
              authentication: 'Basic',
              allowRedirection: true,
            },
          }),
        ],
      },
      async (file) => {
        const registry = createRegistry();
        const error = await rejection(registry.load(file));
        const lines = error.message.split('\n');
        expect(lines[0]).toBe(`Cannot load environments from ${file}:`);
        expect(lines.slice(1).length).toBeGreaterThanOrEqual(2);
        for (const line of lines.slice(1))
          expect(line).toMatch(new RegExp(`^  ${file}: environments\\[1\\]\\.`));
        expect(error.message).toContain(
          `${file}: environments[1].module.exchangeEnvironmentName: must be one of`,
        );
        expect(error.message).toContain(`${file}: environments[1].rps.connectionUri: uses plain http`);
        expect(error.details.file).toBe(file);
        expect(error.remediation).toContain(file);
        expect(() => registry.get('lab-ok')).toThrow(/Unknown environment/);
      },
    ));

  it('refuses a file that repeats a name, pointing at both places', () =>
    withFile(
      { environments: [lab('lab-one', { aliases: ['lab'] }), lab('lab-two', { aliases: ['lab'] })] },
      async (file) => {
        const error = await rejection(createRegistry().load(file, { override: true }));
        expect(error.message).toContain(
          `${file}: environments[1].aliases[0]: "lab" is also defined at environments[0].aliases[0]`,
        );
      },
    ));

  it('refuses a clash with a built-in unless override is set', () =>
    withFile({ environments: [lab('lab-one'), lab('exchange-server')] }, async (file) => {
      const registry = createRegistry();
      const error = await rejection(registry.load(file));
      expect(error.message).toContain(`${file}: environments[1].id: "exchange-server" is already defined`);
      expect(() => registry.get('lab-one')).toThrow(EndpointError);

      await registry.load(file, { override: true });
      expect(registry.get('exchange-server').rps?.connectionUri).toBe(
        'http://exchange-server.contoso.local/PowerShell/',
      );
    }));
});

describe('readEnvironmentsFile', () => {
  it('validates without registering anything', () =>
    withFile({ environments: [lab('worldwide')] }, async (file) => {
      const { file: name, environments } = await readEnvironmentsFile(file);
      expect(name).toBe(file);
      expect(environments[0]?.id).toBe('worldwide');
      expect(Object.isFrozen(environments[0])).toBe(true);
    }));
});
