export {
  BYPASS_ALL,
  BYPASS_LOCAL,
  bypassEntryToRegex,
  type ParsedBypassEntry,
  parseBypassEntry,
  splitBypassList,
} from './bypass-list.js';
export {
  type EnvironmentProxy,
  type EnvironmentValue,
  PROXY_ENVIRONMENT_VARIABLES,
  readEnvironmentProxy,
} from './env-proxy.js';
export {
  PROXY_CONFIG_ERROR_REMEDIATIONS,
  ProxyConfigError,
  type ProxyConfigErrorCode,
  type ProxyConfigErrorOptions,
} from './errors/proxy-config-error.js';
export { type ProxyPlatform, WINDOWS_ONLY_ACCESS_TYPES } from './platform-rules.js';
export { APPLY_HTTP_PROXY_SCRIPT, NEW_SESSION_OPTION_SCRIPT } from './powershell-scripts.js';
export { ProxyCredential, type ProxyCredentialValue } from './proxy-credential.js';
export {
  PROXY_ACCESS_TYPES,
  PROXY_AUTHENTICATIONS,
  type ProxyAccessType,
  type ProxyAuthentication,
  type ProxyField,
  type ProxyOptions,
  type ProxyOptionsInput,
  proxyOptionsSchema,
} from './proxy-options-schema.js';
export { type ParsedProxyUrl, PROXY_URL_SCHEMES, parseProxyUrl } from './proxy-url.js';
export {
  type HttpAuthenticationScheme,
  type HttpProxyMode,
  type HttpProxySettings,
  type RenderedHttpProxy,
  renderHttpProxy,
} from './render-http-proxy.js';
export {
  type JsonValue,
  type RenderedSessionOption,
  type RenderSessionOptionOptions,
  renderSessionOption,
  SESSION_OPTION_PARAMETERS,
  type SessionOptionParameter,
} from './render-session-option.js';
export {
  type ProxySource,
  type ResolvedProxy,
  type ResolvedProxyOptions,
  type ResolveProxyOptionsInput,
  resolveProxyOptions,
  SOURCE_LABELS,
} from './resolve-proxy-options.js';
export type { ProxySecret } from './secret.js';
