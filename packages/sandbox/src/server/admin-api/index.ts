/** The sandbox's REST admin API face (issue #15), for startSandboxServer() to compose; not yet in src/index.ts. */
export type { AdminApiTenant, TenantResolver, TokenFailure, TokenVerification, VerifyToken } from './auth.js';
export { MAX_BATCH_REQUESTS } from './batch.js';
export {
  type AdminApi,
  type AdminApiOptions,
  createAdminApi,
  DEFAULT_MAX_BODY_BYTES,
} from './create-admin-api.js';
export {
  type AdmitDecision,
  createFaultPolicy,
  type FaultPolicy,
  type FaultSettings,
  type PageFault,
} from './faults.js';
export {
  APP_ROLE,
  allowedCmdlets,
  callerRole,
  DELEGATED_SCOPE,
  mayInvoke,
  type SandboxRole,
  VIEW_ONLY_PERSONA,
} from './roles.js';
