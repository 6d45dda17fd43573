import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { environmentSchema } from '@exo-connect/env-endpoints';
import { describe, expect, it } from 'vitest';
import { SANDBOX_CONNECTION_URI } from './constants.js';
import { SANDBOX_MODULE_PATH } from './paths.js';
import { SANDBOX_DOCUMENTATION_URL, sandboxEnvironment } from './sandbox-environment.js';

describe('sandboxEnvironment', () => {
  it('is a valid env-endpoints environment definition', () => {
    const result = environmentSchema.safeParse(sandboxEnvironment());
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it('routes both strategies to the sandbox URI and loads the two sandbox modules first', () => {
    expect(sandboxEnvironment()).toEqual({
      id: 'sandbox',
      aliases: ['local'],
      displayName: 'exo-connect sandbox tenant (local)',
      status: { state: 'active' },
      defaultStrategy: 'rps',
      rps: {
        connectionUri: SANDBOX_CONNECTION_URI,
        authentication: 'Basic',
        allowRedirection: true,
        status: { state: 'active' },
      },
      module: { exchangeEnvironmentName: 'O365Default', connectionUri: SANDBOX_CONNECTION_URI },
      documentation: SANDBOX_DOCUMENTATION_URL,
      prelude: { modules: [SANDBOX_MODULE_PATH] },
    });
  });

  it('names module manifests that exist, by absolute path', () => {
    for (const path of sandboxEnvironment().prelude?.modules ?? []) {
      expect(isAbsolute(path)).toBe(true);
      expect(path.endsWith('.psd1')).toBe(true);
      expect(existsSync(path)).toBe(true);
    }
  });

  it('returns a frozen definition', () => {
    const definition = sandboxEnvironment();
    expect(Object.isFrozen(definition)).toBe(true);
    expect(Object.isFrozen(definition.prelude?.modules)).toBe(true);
  });
});
