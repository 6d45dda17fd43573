export { BUILTIN_ENVIRONMENTS } from './builtin-environments.js';
export {
  defaultRegistry,
  defineEnvironment,
  getEnvironment,
  listEnvironments,
  loadEnvironments,
} from './default-registry.js';
export {
  ENDPOINT_ERROR_REMEDIATIONS,
  EndpointError,
  type EndpointErrorCode,
  type EndpointErrorOptions,
} from './errors/endpoint-error.js';
export { type FieldIssue, type FieldIssuesOptions, fieldIssues, formatPath } from './field-issues.js';
export { type EnvironmentsFile, readEnvironmentsFile } from './load-environments.js';
export {
  type CreateRegistryOptions,
  createRegistry,
  type DefineEnvironmentOptions,
  type EnvironmentRegistry,
  type GetEnvironmentOptions,
} from './registry.js';
export {
  type EnvironmentDefinition,
  type EnvironmentSpec,
  type EnvironmentStatus,
  EXCHANGE_ENVIRONMENT_NAMES,
  type ExchangeEnvironmentName,
  environmentSchema,
  environmentsFileSchema,
  type ModuleEndpoint,
  moduleEndpointSchema,
  NAME_PATTERN,
  type RestEndpoint,
  RPS_AUTHENTICATION_MECHANISMS,
  type RpsAuthentication,
  type RpsEndpoint,
  restEndpointSchema,
  rpsEndpointSchema,
  STRATEGIES,
  type Strategy,
  statusSchema,
} from './schema/environment-schema.js';
export { EXCHANGE_ONLINE_DOMAINS, isExchangeOnlineUri } from './schema/uri.js';
export { validateEnvironment } from './validate-environment.js';
export { type WithConnectionUriOptions, withConnectionUri } from './with-connection-uri.js';
