import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExoError } from '@exo-connect/core';
import { withTempDir } from '@exo-connect/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyConfig, loadConfig, parseConfig, saveConfig } from './config-file.js';
import type { ExoConfig } from './config-schema.js';

async function failure(promise: Promise<unknown>): Promise<ExoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ExoError.is(error, 'INVALID_ARGUMENT')).toBe(true);
  return error as ExoError;
}

const sample: ExoConfig = {
  version: 1,
  currentProfile: 'work',
  profiles: {
    work: {
      environment: 'worldwide',
      strategy: 'module',
      userPrincipalName: 'admin@contoso.com',
      credentialStore: 'keychain',
      proxy: { proxyUrl: 'http://proxy.contoso.com:8080', bypass: ['*.contoso.com'] },
    },
    lab: { environment: 'sandbox' },
  },
};

describe('loadConfig', () => {
  it('returns the empty config when the file does not exist', async () => {
    await withTempDir(async (dir) => {
      expect(await loadConfig(join(dir, 'nope', 'config.json'))).toEqual(emptyConfig());
    });
  });

  it('reads a valid file, with or without a BOM', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'config.json');
      await writeFile(file, `\uFEFF${JSON.stringify(sample)}`);
      expect(await loadConfig(file)).toEqual(sample);
    });
  });

  it('names the file and the line of bad JSON', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'config.json');
      await writeFile(file, '{ "version": 1, }');
      const error = await failure(loadConfig(file));
      expect(error.message).toContain(`${file}: (root): is not valid JSON`);
      expect(error.details).toMatchObject({ file, field: '(root)' });
    });
  });

  it('names the path of each bad field', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'config.json');
      const bad = {
        version: 1,
        profiles: {
          work: { environment: 'worldwide', strategy: 'wsman', connectionUri: 'ftp://x' },
          'bad name': {},
        },
      };
      await writeFile(file, JSON.stringify(bad));
      const error = await failure(loadConfig(file));
      expect(error.message).toContain(`${file}: profiles.work.strategy:`);
      expect(error.message).toContain(`${file}: profiles.work.connectionUri: must be an http(s) URL`);
      expect(error.message).toContain(`${file}: profiles["bad name"]: must be 1 to 64 letters`);
      expect(error.remediation).toBe(`Correct ${file}: profiles.work.strategy and try again.`);
      expect(error.details).toMatchObject({ file, field: 'profiles.work.strategy' });
    });
  });

  it('takes an app-only profile, and names a relative certificate path or a bad thumbprint', () => {
    const app = {
      environment: 'worldwide',
      strategy: 'rest',
      appId: '00000000-0000-0000-0000-000000000001',
      organization: 'contoso.onmicrosoft.com',
      certificateFilePath: '/etc/exo/app.pfx',
    };
    expect(parseConfig({ version: 1, profiles: { app } }).profiles.app).toEqual(app);
    expect(() =>
      parseConfig({ version: 1, profiles: { app: { ...app, certificateFilePath: 'app.pfx' } } }),
    ).toThrow(/profiles\.app\.certificateFilePath: must be an absolute path/);
    expect(() =>
      parseConfig({ version: 1, profiles: { app: { ...app, certificateThumbprint: 'ABC' } } }),
    ).toThrow(/profiles\.app\.certificateThumbprint: must be 40 hex digits/);
  });

  it('refuses a current profile that does not exist', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'config.json');
      await writeFile(file, JSON.stringify({ version: 1, currentProfile: 'gone', profiles: {} }));
      expect((await failure(loadConfig(file))).message).toContain(
        `${file}: currentProfile: names a profile that does not exist`,
      );
    });
  });

  it('refuses a newer version and unknown fields', async () => {
    expect(() => parseConfig({ version: 2, profiles: {} })).toThrow(/version: must be 1/);
    expect(() => parseConfig({ version: 1, profiles: {}, colour: 'red' })).toThrow(
      /colour: is not a known field/,
    );
  });
});

describe('no secrets in the config', () => {
  it.each([
    [{ environment: 'worldwide', password: 'hunter2' }, 'profiles.work.password'],
    [
      { environment: 'worldwide', proxy: { credential: { userName: 'u', password: 'p' } } },
      'proxy.credential.password',
    ],
    [
      { environment: 'worldwide', proxy: { proxyUrl: 'http://u:p@proxy:8080' } },
      'proxy.proxyUrl: must not contain',
    ],
    [{ environment: 'worldwide', proxy: { nested: [{ apiToken: 'x' }] } }, 'proxy.nested[0].apiToken'],
  ])('refuses %j', (profile, where) => {
    const error = (() => {
      try {
        parseConfig({ version: 1, profiles: { work: profile } });
      } catch (e) {
        return e as ExoError;
      }
      throw new Error('accepted a secret');
    })();
    expect(error.message).toContain(where);
    expect(error.message).not.toContain('hunter2');
  });

  it('still allows a proxy bypass list', () => {
    expect(() =>
      parseConfig({ version: 1, profiles: { w: { environment: 'x', proxy: { bypass: 'a,b' } } } }),
    ).not.toThrow();
  });
});

describe('saveConfig', () => {
  it('writes atomically with mode 0600 and reads back the same', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'sub', 'config.json');
      await saveConfig(file, sample);
      expect(await loadConfig(file)).toEqual(sample);
      if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
      await saveConfig(file, { ...sample, currentProfile: 'lab' });
      expect((await loadConfig(file)).currentProfile).toBe('lab');
      expect(await readdir(join(dir, 'sub'))).toEqual(['config.json']);
      expect(await readFile(file, 'utf8')).toMatch(/^\{\n {2}"version": 1,/);
    });
  });

  it('replaces a world-readable file with a private one', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'config.json');
      await writeFile(file, '{}', { mode: 0o644 });
      await saveConfig(file, sample);
      if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    });
  });

  it('writes nothing when the config is invalid, and leaves no temporary file when it cannot write', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'config.json');
      const withSecret = {
        version: 1,
        profiles: { w: { environment: 'x', password: 'p' } },
      } as unknown as ExoConfig;
      await failure(saveConfig(file, withSecret));
      expect(await readdir(dir)).toEqual([]);
      await writeFile(join(dir, 'file'), '');
      const error = await failure(saveConfig(join(dir, 'file', 'config.json'), sample));
      expect(error.message).toContain('Cannot write');
      expect((await readdir(dir)).sort()).toEqual(['file']);
    });
  });

  it('round-trips any valid config', async () => {
    const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/);
    const profile = fc.record(
      {
        environment: fc.stringMatching(/^[a-z][a-z-]{0,10}$/),
        strategy: fc.constantFrom('rps' as const, 'module' as const),
        userPrincipalName: fc.emailAddress(),
        credentialStore: fc.constantFrom('prompt' as const, 'keychain' as const),
      },
      { requiredKeys: ['environment'] },
    );
    await withTempDir(async (dir) => {
      const file = join(dir, 'config.json');
      await fc.assert(
        fc.asyncProperty(fc.dictionary(name, profile, { maxKeys: 4 }), async (profiles) => {
          const config: ExoConfig = { version: 1, profiles };
          await saveConfig(file, config);
          expect(await loadConfig(file)).toEqual(config);
        }),
        { numRuns: 50 },
      );
    });
  });
});
