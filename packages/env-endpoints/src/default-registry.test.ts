import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withTempDir } from '@exo-connect/test-utils';
import { describe, expect, it } from 'vitest';
import { defineEnvironment, getEnvironment, listEnvironments, loadEnvironments } from './default-registry.js';
import { EndpointError } from './errors/endpoint-error.js';

// The module-level functions share one process-wide registry, so these tests use names no other test uses.
describe('module-level functions', () => {
  it('read the built-ins', () => {
    expect(getEnvironment('Commercial').id).toBe('worldwide');
    expect(listEnvironments().map((e) => e.id)).toContain('exchange-server');
    expect(() => getEnvironment('germany')).toThrow(EndpointError);
  });

  it('define into the default registry', () => {
    const env = defineEnvironment({
      id: 'default-registry-test',
      aliases: ['drt'],
      displayName: 'Default registry test',
      defaultStrategy: 'module',
      module: { exchangeEnvironmentName: 'O365USGovDoD' },
      documentation: 'https://example.com/',
    });
    expect(getEnvironment('DRT')).toBe(env);
    expect(listEnvironments()).toContain(env);
  });

  it('load into the default registry', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'env.json');
      await writeFile(
        file,
        JSON.stringify({
          environments: [
            {
              id: 'default-registry-file',
              displayName: 'From a file',
              defaultStrategy: 'module',
              module: { exchangeEnvironmentName: 'O365China' },
              documentation: 'https://example.com/',
            },
          ],
        }),
      );
      await loadEnvironments(file);
      expect(getEnvironment('default-registry-file').module?.exchangeEnvironmentName).toBe('O365China');
    }));
});
