import {
  createTestTenant as createSandboxTenant,
  type TestTenant as SandboxTenant,
} from '@exo-connect/test-utils';
import * as sandbox from '../../src/index.js';

export interface TestTenant extends SandboxTenant<typeof sandbox, object> {
  /** What every test script gets as $In, plus its own values. */
  input: (extra?: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * A fresh tenant in a temporary directory, made with this package's source (the harness lives in
 * @exo-connect/test-utils); dispose() checks that no session's server process outlived the test.
 */
export async function createTestTenant(
  options: Omit<sandbox.CreateTenantOptions, 'directory'> = {},
): Promise<TestTenant> {
  const { mailboxCount = 20, ...rest } = options;
  const tenant = await createSandboxTenant(sandbox, {
    mailboxCount,
    prefix: 'exo-sandbox-tenant-',
    tenant: { ...rest },
  });
  return {
    ...tenant,
    input: (extra = {}) => ({
      module: sandbox.SANDBOX_MODULE_PATH,
      exoModule: sandbox.SANDBOX_EXO_MODULE_PATH,
      uri: sandbox.SANDBOX_CONNECTION_URI,
      user: sandbox.SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
      password: sandbox.SANDBOX_DEMO_CREDENTIAL.password,
      directory: tenant.directory,
      ...extra,
    }),
  };
}
