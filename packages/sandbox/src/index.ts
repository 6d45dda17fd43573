export { SANDBOX_CONNECTION_URI, SANDBOX_DEMO_CREDENTIAL } from './constants.js';
export { defaultTenantDir, type TenantDirOptions } from './tenant-dir.js';
