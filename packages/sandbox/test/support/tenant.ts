import { rm } from 'node:fs/promises';
import { makeTempDir } from '@exo-connect/test-utils';
import {
  type CreateTenantOptions,
  createTenant,
  SANDBOX_CONNECTION_URI,
  SANDBOX_DEMO_CREDENTIAL,
  SANDBOX_EXO_MODULE_PATH,
  SANDBOX_MODULE_PATH,
  tenantStatus,
} from '../../src/index.js';

export interface TestTenant {
  directory: string;
  /** What every test script gets as $In, plus its own values. */
  input: (extra?: Record<string, unknown>) => Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  dispose: () => Promise<void>;
}

/** A fresh tenant in a temporary directory; dispose() checks that no session's server process outlived the test. */
export async function createTestTenant(
  options: Omit<CreateTenantOptions, 'directory'> = {},
): Promise<TestTenant> {
  const directory = await makeTempDir('exo-sandbox-tenant-');
  await createTenant({ directory, mailboxCount: 20, ...options });
  const env = { ...process.env, EXO_SANDBOX_DIR: directory };
  return {
    directory,
    env,
    input: (extra = {}) => ({
      module: SANDBOX_MODULE_PATH,
      exoModule: SANDBOX_EXO_MODULE_PATH,
      uri: SANDBOX_CONNECTION_URI,
      user: SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
      password: SANDBOX_DEMO_CREDENTIAL.password,
      directory,
      ...extra,
    }),
    dispose: async () => {
      const status = await tenantStatus({ directory });
      await rm(directory, { recursive: true, force: true });
      if (status.sessions.length > 0) {
        throw new Error(`Sessions outlived the test: ${JSON.stringify(status.sessions)}`);
      }
    },
  };
}
