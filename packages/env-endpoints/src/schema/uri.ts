/**
 * DNS suffixes of the Exchange Online services and their sign-in authorities in every cloud
 * (REFERENCE.md §2). A URI on one of these hosts, or a subdomain of one, is an Exchange Online URI.
 * Hosts that are not listed (an on-premises server, the sandbox's `.localhost`) are not.
 */
export const EXCHANGE_ONLINE_DOMAINS: readonly string[] = Object.freeze([
  'office365.com',
  'office365.us',
  'outlook.com',
  'office.com',
  'webmail.apps.mil',
  'outlook.cn',
  'outlook.de',
  'office.de',
  'microsoftonline.com',
  'microsoftonline.us',
  'microsoftonline.de',
  'chinacloudapi.cn',
]);

function parse(value: string | URL): URL | undefined {
  if (value instanceof URL) return value;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** True when the URI's host belongs to Exchange Online (any cloud); false for anything else, even malformed input. */
export function isExchangeOnlineUri(uri: string | URL): boolean {
  const host = parse(uri)?.hostname.replace(/\.$/, '');
  return host !== undefined && EXCHANGE_ONLINE_DOMAINS.some((d) => host === d || host.endsWith(`.${d}`));
}

export type UriProtocols = 'https' | 'http-or-https';

/**
 * Why `value` is not an acceptable endpoint URI, or undefined when it is. Plain http is refused for
 * Exchange Online hosts whatever `protocols` allows: the service only answers https.
 */
export function uriProblem(value: string, protocols: UriProtocols): string | undefined {
  const url = parse(value);
  if (!url?.hostname) return `is not a valid absolute URI: "${value}"`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `must be ${protocols === 'https' ? 'an https' : 'an http or https'} URI, not "${url.protocol}": "${value}"`;
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.protocol === 'http:') {
    if (isExchangeOnlineUri(url)) {
      return `uses plain http to the Exchange Online host ${url.hostname}; Exchange Online accepts only https`;
    }
    if (protocols === 'https') return `must use https, not http: "${value}"`;
  }
  return undefined;
}
