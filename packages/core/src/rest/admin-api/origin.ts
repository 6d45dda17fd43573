import { isIP } from 'node:net';
import { ExoError } from '../../errors/exo-error.js';

/**
 * Where a token may be sent. The service names a regional host in a 302 (EXOModuleFile) and absolute URLs in
 * nextLinks; a token goes only to https hosts under the API host's registrable domain (office365.com for
 * outlook.office365.com), or to a loopback host when the API itself is on loopback (the sandbox).
 */

/** `https://<api host>` as given, normalised to its origin; INVALID_ARGUMENT when it is no https URL. */
export function apiOrigin(apiUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw invalidApiUrl(apiUrl);
  }
  if (url.protocol !== 'https:') throw invalidApiUrl(apiUrl);
  return new URL(url.origin);
}

function invalidApiUrl(apiUrl: string): ExoError {
  return new ExoError('INVALID_ARGUMENT', `apiUrl must be an https URL, not '${apiUrl.slice(0, 200)}'.`, {
    details: { field: 'apiUrl' },
    remediation: "Give the environment's rest.apiUrl, e.g. https://outlook.office365.com.",
  });
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_NAMES.has(host) || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The last two labels of a host name. The clouds' API hosts all sit under two-label domains (office365.com,
 * office365.us, outlook.cn, office365.cn); a host that is an IP address is its own domain.
 */
export function registrableDomain(hostname: string): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) return host;
  return host.split('.').slice(-2).join('.');
}

/** Whether a token for `api` may go to `target`. */
export function mayReceiveToken(api: URL, target: URL): boolean {
  if (target.protocol !== 'https:' || target.username !== '' || target.password !== '') return false;
  if (target.host === api.host) return true;
  if (isLoopback(api.hostname)) return isLoopback(target.hostname);
  if (isIP(target.hostname.replace(/^\[|\]$/g, '')) !== 0) return false;
  const domain = registrableDomain(api.hostname);
  const host = target.hostname.toLowerCase();
  return host === domain || host.endsWith(`.${domain}`);
}

/** Parses a Location or a nextLink against `base` and checks it may receive the token. */
export function checkedTarget(api: URL, base: string, link: string, what: string): URL {
  let target: URL;
  try {
    target = new URL(link, base);
  } catch {
    throw new ExoError('SESSION_BROKEN', `${what}: the service sent a link that is not a URL.`, {
      details: { link: link.slice(0, 200) },
      retryable: false,
    });
  }
  if (!mayReceiveToken(api, target)) {
    throw new ExoError(
      'SESSION_BROKEN',
      `${what}: the service pointed to ${target.protocol}//${target.host}, which is not under ${registrableDomain(api.hostname)}; the token is not sent there.`,
      {
        details: { host: target.host, apiHost: api.host },
        retryable: false,
        remediation:
          "Check the environment's rest.apiUrl and any proxy between you and the service: the reply did not come from the service's own hosts.",
      },
    );
  }
  return target;
}
