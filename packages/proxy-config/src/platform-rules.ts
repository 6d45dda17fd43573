import { proxyConfigError } from './errors/proxy-config-error.js';
import type { ProxyAccessType } from './proxy-options-schema.js';

/** process.platform values; 'win32' is Windows, everything else has no WSMan proxy settings. */
export type ProxyPlatform = NodeJS.Platform;

/**
 * Access types that read a Windows-only store. PowerShell on Linux and macOS compiles -ProxyAccessType out of
 * New-PSSessionOption, and .NET there has no Internet Options, no WinHTTP configuration and no WPAD discovery:
 * choosing one of these would do nothing at all, so it is refused instead.
 */
export const WINDOWS_ONLY_ACCESS_TYPES: Readonly<Partial<Record<ProxyAccessType, string>>> = Object.freeze({
  IEConfig: 'the Internet Options proxy settings',
  WinHttpConfig: 'the WinHTTP proxy set with `netsh winhttp set proxy`',
  AutoDetect: 'WinHTTP proxy auto-discovery (WPAD)',
});

export function platformName(platform: ProxyPlatform): string {
  if (platform === 'win32') return 'Windows';
  if (platform === 'darwin') return 'macOS';
  if (platform === 'linux') return 'Linux';
  return platform;
}

/** Throws PROXY_UNSUPPORTED when `accessType` does not exist on `platform`. */
export function assertAccessTypeSupported(
  accessType: ProxyAccessType | undefined,
  platform: ProxyPlatform,
  source?: string,
): void {
  if (accessType === undefined || platform === 'win32') return;
  const store = WINDOWS_ONLY_ACCESS_TYPES[accessType];
  if (store === undefined) return;
  const from = source === undefined ? '' : ` (from ${source})`;
  throw proxyConfigError(
    'PROXY_UNSUPPORTED',
    `Proxy access type ${accessType}${from} uses ${store}, which exists only on Windows; ` +
      `PowerShell on ${platformName(platform)} has no -ProxyAccessType.`,
    {
      field: 'accessType',
      remediation:
        'Give the proxy explicitly: a proxy URL (proxyUrl, e.g. http://proxy.corp:8080) or the HTTPS_PROXY ' +
        'environment variable, with NO_PROXY for the hosts that must not use it. Use NoProxyServer for none.',
      details: { value: accessType, platform, ...(source === undefined ? {} : { source }) },
    },
  );
}
