export { FAKE_SECRET_TOOL, installFakeSecretTool } from './fake-secret-tool.js';
export { type LineChild, type LineChildOptions, startLineChild } from './line-child.js';
export {
  allPids,
  descendantsOf,
  processAlive,
  processArgv,
  processEnviron,
  processesWithEnv,
  readProc,
} from './proc.js';
export {
  type CreateTestTenantOptions,
  createTestTenant,
  type SandboxApi,
  type TenantConnectOptions,
  type TenantView,
  type TestTenant,
  tenantAt,
} from './sandbox-tenant.js';
export { makeTempDir, withTempDir } from './temp-dir.js';
export { testPwsh } from './test-pwsh.js';
export { type WaitForOptions, waitFor } from './wait-for.js';
