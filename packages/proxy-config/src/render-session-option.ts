import { proxyConfigError } from './errors/proxy-config-error.js';
import { assertAccessTypeSupported, type ProxyPlatform } from './platform-rules.js';
import type { ProxyAccessType, ProxyAuthentication } from './proxy-options-schema.js';
import { type ResolvedProxy, SOURCE_LABELS } from './resolve-proxy-options.js';
import { type ProxySecret, withSecret } from './secret.js';

/** A value that survives JSON.stringify unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The New-PSSessionOption parameters renderSessionOption may emit (NEW_SESSION_OPTION_SCRIPT accepts these). */
export const SESSION_OPTION_PARAMETERS = [
  'ProxyAccessType',
  'ProxyAuthentication',
  'OpenTimeout',
  'OperationTimeout',
  'IdleTimeout',
  'SkipCACheck',
  'SkipCNCheck',
  'SkipRevocationCheck',
  'Culture',
  'UICulture',
] as const;
export type SessionOptionParameter = (typeof SESSION_OPTION_PARAMETERS)[number];

export interface RenderedSessionOption {
  /** New-PSSessionOption parameters by name, as plain JSON data (timeouts in whole milliseconds). */
  readonly parameters: Readonly<Partial<Record<SessionOptionParameter, JsonValue>>>;
  /** Settings this strategy cannot use, said out loud. */
  readonly warnings: readonly string[];
  /** The proxy credential, for core's secret channel (-ProxyCredential). Non-enumerable: never logged. */
  readonly secret: ProxySecret;
}

export interface RenderSessionOptionOptions {
  /** Where pwsh runs; defaults to the platform the options were resolved for. */
  platform?: ProxyPlatform;
}

// WSMan accepts only these as proxy authentication (PSSessionOption refuses the rest). Negotiate without a
// credential is WSMan's way of signing in to the proxy as the current user.
const WSMAN_PROXY_AUTHENTICATION: Readonly<Partial<Record<ProxyAuthentication, string>>> = Object.freeze({
  Basic: 'Basic',
  Digest: 'Digest',
  Negotiate: 'Negotiate',
  NegotiateWithImplicitCredential: 'Negotiate',
});
const WSMAN_PROXIED: readonly (ProxyAccessType | undefined)[] = ['IEConfig', 'WinHttpConfig', 'AutoDetect'];

function renderWsmanProxy(
  resolved: ResolvedProxy,
  parameters: Partial<Record<SessionOptionParameter, JsonValue>>,
  warnings: string[],
): ProxySecret {
  const { options, sources, variables } = resolved;
  const viaEnvironment = sources.proxyUrl === 'env';
  if (options.proxyUrl !== undefined) {
    const names = [variables.proxyUrl, variables.bypass].filter((v) => v !== undefined).join(' and ');
    const netsh =
      'set it as the WinHTTP proxy (`netsh winhttp set proxy proxy-server="proxy.corp:8080"`, as administrator) ' +
      'and use accessType WinHttpConfig';
    if (!viaEnvironment) {
      throw proxyConfigError(
        'PROXY_UNSUPPORTED',
        `The rps strategy connects through WSMan, which cannot be given a proxy URL (proxyUrl from ` +
          `${SOURCE_LABELS[sources.proxyUrl ?? 'flags']}).`,
        {
          field: 'proxyUrl',
          remediation: `To use that proxy with the rps strategy, ${netsh}; or use the module strategy, which takes the proxy URL directly.`,
          details: { source: sources.proxyUrl, strategy: 'rps', platform: 'win32' },
        },
      );
    }
    warnings.push(
      `${names} ${names.includes(' and ') ? 'are' : 'is'} not used by the rps strategy: WSMan cannot be given a ` +
        `proxy URL. To reach Exchange through that proxy, ${netsh}.`,
    );
  }
  if (options.accessType !== undefined) parameters.ProxyAccessType = options.accessType;
  // Authentication and a credential meant for an environment proxy go unused along with it (warned above).
  const authentication = viaEnvironment ? undefined : options.authentication;
  const credential = viaEnvironment ? undefined : options.credential;
  if (authentication === undefined && credential === undefined) return {};
  if (!WSMAN_PROXIED.includes(options.accessType)) {
    const field = credential ? 'credential' : 'authentication';
    throw proxyConfigError(
      'INVALID_ARGUMENT',
      `A proxy ${field} is used by WSMan only with accessType IEConfig, WinHttpConfig or AutoDetect` +
        `${options.accessType === undefined ? ', and none is given' : `, not ${options.accessType}`}.`,
      {
        field,
        remediation:
          'Add accessType IEConfig, WinHttpConfig or AutoDetect, or remove the proxy credential and authentication.',
        details: { source: sources[field], strategy: 'rps' },
      },
    );
  }
  if (authentication !== undefined) {
    const mechanism = WSMAN_PROXY_AUTHENTICATION[authentication];
    if (mechanism === undefined) {
      throw proxyConfigError(
        'PROXY_UNSUPPORTED',
        `WSMan (the rps strategy) cannot authenticate to a proxy with ${authentication}; it offers Basic, Digest ` +
          'and Negotiate.',
        {
          field: 'authentication',
          remediation:
            'Use Negotiate (it signs in with Kerberos or NTLM, whichever the proxy offers), or the module strategy, ' +
            `which can insist on ${authentication}.`,
          details: { value: authentication, source: sources.authentication, strategy: 'rps' },
        },
      );
    }
    parameters.ProxyAuthentication = mechanism;
  }
  return credential ? { proxyCredential: credential.reveal() } : {};
}

/**
 * The New-PSSessionOption parameters for the rps strategy, as data for NEW_SESSION_OPTION_SCRIPT. On Windows
 * this includes the WSMan proxy settings; on Linux and macOS, where WSMan has no proxy settings, the proxy is
 * applied to .NET HTTP instead (renderHttpProxy) and only the session settings are rendered here.
 *
 * Throws PROXY_UNSUPPORTED for what WSMan cannot do (a proxy URL given explicitly, Kerberos or Ntlm proxy
 * authentication) and INVALID_ARGUMENT for a proxy credential WSMan would silently ignore.
 */
export function renderSessionOption(
  resolved: ResolvedProxy,
  { platform = resolved.platform }: RenderSessionOptionOptions = {},
): RenderedSessionOption {
  const { options } = resolved;
  assertAccessTypeSupported(options.accessType, platform);
  const parameters: Partial<Record<SessionOptionParameter, JsonValue>> = {};
  const warnings: string[] = [];
  const secret = platform === 'win32' ? renderWsmanProxy(resolved, parameters, warnings) : {};
  if (options.openTimeoutMs !== undefined) parameters.OpenTimeout = options.openTimeoutMs;
  if (options.operationTimeoutMs !== undefined) parameters.OperationTimeout = options.operationTimeoutMs;
  if (options.idleTimeoutMs !== undefined) parameters.IdleTimeout = options.idleTimeoutMs;
  if (options.skipCACheck) parameters.SkipCACheck = true;
  if (options.skipCNCheck) parameters.SkipCNCheck = true;
  if (options.skipRevocationCheck) parameters.SkipRevocationCheck = true;
  if (options.culture !== undefined) parameters.Culture = options.culture;
  if (options.uiCulture !== undefined) parameters.UICulture = options.uiCulture;
  return withSecret({ parameters: Object.freeze(parameters), warnings: Object.freeze(warnings) }, secret);
}
