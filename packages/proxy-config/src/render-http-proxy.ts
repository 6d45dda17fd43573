import { BYPASS_LOCAL, bypassEntryToRegex } from './bypass-list.js';
import { proxyConfigError } from './errors/proxy-config-error.js';
import { assertAccessTypeSupported } from './platform-rules.js';
import type { ProxyAuthentication } from './proxy-options-schema.js';
import type { ResolvedProxy } from './resolve-proxy-options.js';
import { type ProxySecret, withSecret } from './secret.js';

/**
 * - `proxy`: every request goes through `proxyUrl`, except hosts matching `bypass`.
 * - `direct`: no proxy at all (accessType NoProxyServer), whatever the process environment says.
 * - `system`: .NET's own default is kept (accessType None or IEConfig, or nothing said): on Windows the
 *   Internet Options settings, on Linux and macOS the pwsh process's own HTTP(S)_PROXY and NO_PROXY.
 */
export type HttpProxyMode = 'proxy' | 'direct' | 'system';

/** Authentication schemes as .NET's HTTP stack names them in a CredentialCache. */
export type HttpAuthenticationScheme = 'Basic' | 'Digest' | 'Negotiate' | 'NTLM';

/** The JSON APPLY_HTTP_PROXY_SCRIPT takes (JSON.stringify of a rendered result is exactly that). */
export interface HttpProxySettings {
  readonly mode: HttpProxyMode;
  readonly proxyUrl?: string;
  /** WebProxy bypass regular expressions, converted from the NO_PROXY-style entries. */
  readonly bypass: readonly string[];
  /** WebProxy's BypassProxyOnLocal, set by the `<local>` entry. */
  readonly bypassOnLocal: boolean;
  /** Sign in to the proxy as the current user (authentication NegotiateWithImplicitCredential). */
  readonly useDefaultCredentials?: boolean;
  /** Answer only this proxy challenge with the credential (from `authentication`). */
  readonly authenticationScheme?: HttpAuthenticationScheme;
}

export interface RenderedHttpProxy extends HttpProxySettings {
  /** The proxy credential, for core's secret channel (-ProxyCredential). Non-enumerable: never logged. */
  readonly secret: ProxySecret;
}

// Kerberos reaches an HTTP proxy through the Negotiate (SPNEGO) challenge; .NET has no separate scheme.
const SCHEMES: Readonly<
  Record<Exclude<ProxyAuthentication, 'NegotiateWithImplicitCredential'>, HttpAuthenticationScheme>
> = Object.freeze({
  Basic: 'Basic',
  Digest: 'Digest',
  Negotiate: 'Negotiate',
  Kerberos: 'Negotiate',
  Ntlm: 'NTLM',
});

/**
 * The default proxy for .NET HTTP inside the pwsh process, as data for APPLY_HTTP_PROXY_SCRIPT: what the module
 * strategy (ExchangeOnlineManagement signs in and talks over .NET HTTP) and Linux/macOS use.
 *
 * Throws PROXY_UNSUPPORTED for WinHttpConfig and AutoDetect (.NET HTTP reads neither) and for an
 * authentication scheme without a proxy URL to bind it to; INVALID_ARGUMENT for an authentication that
 * needs a credential and has none.
 */
export function renderHttpProxy(resolved: ResolvedProxy): RenderedHttpProxy {
  const { options, platform, sources } = resolved;
  assertAccessTypeSupported(options.accessType, platform);
  if (options.accessType === 'WinHttpConfig' || options.accessType === 'AutoDetect') {
    const winHttp = options.accessType === 'WinHttpConfig';
    throw proxyConfigError(
      'PROXY_UNSUPPORTED',
      winHttp
        ? ".NET's HTTP stack, which the module strategy uses, does not read the WinHTTP proxy (accessType WinHttpConfig)."
        : ".NET's HTTP stack, which the module strategy uses, cannot be told to discover a proxy (accessType AutoDetect).",
      {
        field: 'accessType',
        remediation: winHttp
          ? 'Give the proxy URL (proxyUrl or HTTPS_PROXY; `netsh winhttp show proxy` shows it), or use IEConfig.'
          : 'Use IEConfig (it follows "Automatically detect settings" in Internet Options), or give the proxy URL.',
        details: { value: options.accessType, source: sources.accessType, platform },
      },
    );
  }
  const mode: HttpProxyMode =
    options.proxyUrl !== undefined ? 'proxy' : options.accessType === 'NoProxyServer' ? 'direct' : 'system';
  const bypass = options.bypass.flatMap((entry) => bypassEntryToRegex(entry) ?? []);
  const settings: {
    -readonly [K in keyof HttpProxySettings]: HttpProxySettings[K];
  } = {
    mode,
    ...(options.proxyUrl !== undefined && { proxyUrl: options.proxyUrl }),
    bypass: Object.freeze(bypass),
    bypassOnLocal: options.bypass.includes(BYPASS_LOCAL),
  };
  let secret: ProxySecret = {};
  const { authentication, credential } = options;
  if (authentication === 'NegotiateWithImplicitCredential') {
    settings.useDefaultCredentials = true;
  } else if (credential !== undefined) {
    secret = { proxyCredential: credential.reveal() };
    if (authentication !== undefined) {
      if (mode !== 'proxy') {
        throw proxyConfigError(
          'PROXY_UNSUPPORTED',
          `Proxy authentication ${authentication} can only be enforced for an explicit proxy URL; the system proxy ` +
            'answers whichever scheme the proxy asks for.',
          {
            field: 'authentication',
            remediation: 'Give the proxy URL (proxyUrl or HTTPS_PROXY), or leave authentication unset.',
            details: { value: authentication, source: sources.authentication },
          },
        );
      }
      settings.authenticationScheme = SCHEMES[authentication];
    }
  } else if (authentication !== undefined && mode !== 'direct') {
    throw proxyConfigError(
      'INVALID_ARGUMENT',
      `Proxy authentication ${authentication} needs a proxy credential.`,
      {
        field: 'credential',
        remediation:
          'Give the proxy credential (user name and password), or use NegotiateWithImplicitCredential to sign in ' +
          'to the proxy as the current user.',
        details: { authentication, source: sources.authentication },
      },
    );
  }
  return withSecret(settings, secret);
}
