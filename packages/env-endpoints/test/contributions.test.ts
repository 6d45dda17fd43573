import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_ENVIRONMENTS,
  createRegistry,
  environmentSchema,
  isExchangeOnlineUri,
  readEnvironmentsFile,
} from '../src/index.js';

/**
 * The test every contribution must pass: each built-in and each JSON file in contributions/ goes through the
 * schema, and all of them load together into one registry without a clash.
 */
const contributionsDir = new URL('../contributions/', import.meta.url);
const files = (await readdir(contributionsDir)).filter((f) => f.endsWith('.json')).sort();
const fileUrl = (name: string) => new URL(name, contributionsDir);

describe('contributions', () => {
  it('the folder holds at least the worked example from the guide', () => {
    expect(files).toContain('contoso-lab.json');
  });

  it.each(BUILTIN_ENVIRONMENTS.map((env) => [env.id, env] as const))(
    'built-in %s passes the schema',
    (_id, env) => {
      const result = environmentSchema.safeParse(env);
      expect(result.error?.issues ?? []).toEqual([]);
    },
  );

  describe.each(files)('contributions/%s', (name) => {
    it('passes the schema', async () => {
      const { environments } = await readEnvironmentsFile(fileUrl(name));
      expect(environments.length).toBeGreaterThan(0);
    });

    it('clashes with no built-in id or alias', async () => {
      await expect(createRegistry().load(fileUrl(name))).resolves.not.toHaveLength(0);
    });

    it('documents itself over https and only adds http endpoints outside Exchange Online', async () => {
      const { environments } = await readEnvironmentsFile(fileUrl(name));
      for (const env of environments) {
        expect(env.documentation.startsWith('https://')).toBe(true);
        if (env.rps?.connectionUri.startsWith('http:'))
          expect(isExchangeOnlineUri(env.rps.connectionUri)).toBe(false);
      }
    });
  });

  it('all contributions load together into one registry', async () => {
    const registry = createRegistry();
    for (const name of files) await registry.load(fileUrl(name));
    expect(registry.list().length).toBeGreaterThan(BUILTIN_ENVIRONMENTS.length);
  });

  it('the README shows the worked example exactly as it is in contributions/', async () => {
    const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const example = await readFile(fileUrl('contoso-lab.json'), 'utf8');
    expect(readme).toContain(example.trim());
  });
});
