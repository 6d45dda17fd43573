export {
  SANDBOX_CONNECTION_URI,
  SANDBOX_DEMO_CREDENTIAL,
  SANDBOX_PERSONAS,
  type SandboxPersona,
  type SandboxPersonaId,
} from './constants.js';
export {
  SandboxError,
  type SandboxErrorCode,
  type SandboxErrorOptions,
  type SandboxErrorReason,
} from './errors/sandbox-error.js';
export {
  SANDBOX_EXO_MODULE_PATH,
  SANDBOX_INVOKE_SCRIPT_PATH,
  SANDBOX_MODULE_PATH,
  SANDBOX_POWERSHELL_DIR,
} from './paths.js';
export { type ResolvePwshOptions, resolvePwsh } from './resolve-pwsh.js';
export type { RunSandboxCommandOptions, SandboxCommand } from './run-sandbox-command.js';
export type { SandboxEnvironmentOptions } from './sandbox-environment.js';
export { SANDBOX_DOCUMENTATION_URL, sandboxEnvironment } from './sandbox-environment.js';
export type { FaultSettings } from './server/admin-api/index.js';
export {
  type ApproveDeviceCodeOptions,
  approveDeviceCode,
  findSandboxServer,
  type RunningSandboxServer,
} from './server/control.js';
export type { SandboxAppCredentials } from './server/identity/index.js';
export type { RestSettings } from './server/rest-settings.js';
export { type CreateSandboxAppOptions, createSandboxApp } from './server/sandbox-apps.js';
export {
  type SandboxServer,
  type StartSandboxServerOptions,
  startSandboxServer,
} from './server/start-sandbox-server.js';
export {
  type ConfigureTenantOptions,
  type CreateTenantOptions,
  configureTenant,
  createTenant,
  dropSessions,
  resetTenant,
  type SandboxSession,
  type TenantIntegrity,
  type TenantOptions,
  type TenantStatus,
  tenantStatus,
  verifyTenant,
} from './tenant.js';
export { defaultTenantDir, type TenantDirOptions } from './tenant-dir.js';
