export { BATCH_SIZE } from './batch.js';
export { createAdminApiClient } from './create-admin-api-client.js';
export {
  type CmdletDetail,
  parseDetailMessage,
  parseErrorBody,
  type ServiceErrorBody,
} from './error-body.js';
export { MODULE_VERSION } from './module-file.js';
export { mayReceiveToken } from './origin.js';
export { missingRoleRemedy } from './service-error.js';
