import type { ProxyCredentialValue } from './proxy-credential.js';

/** Proxy schemes .NET's HTTP stack (and so the module strategy inside pwsh) can use. */
export const PROXY_URL_SCHEMES = ['http', 'https', 'socks4', 'socks4a', 'socks5'] as const;

export type ParsedProxyUrl =
  | {
      ok: true;
      /** `scheme://host[:port]`, without user name, password, path or trailing slash. */
      url: string;
      /** The user name and password written into the URL (`http://user:pass@proxy:3128`), decoded. */
      credential?: ProxyCredentialValue;
    }
  | { ok: false; reason: string };

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A DNS name, IPv4 address or bracketed IPv6 address, as new URL() normalises them. */
const VALID_HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?)$/;

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/**
 * Checks and normalises a proxy URL. A URL without a scheme (`proxy.corp:8080`, common in HTTPS_PROXY) is read
 * as http, as curl does. Reasons never repeat the input: a proxy URL may carry a password.
 */
export function parseProxyUrl(raw: string): ParsedProxyUrl {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'is empty' };
  if (/\s/.test(text)) return { ok: false, reason: 'contains white space' };
  let url: URL;
  try {
    url = new URL(HAS_SCHEME.test(text) ? text : `http://${text}`);
  } catch {
    return { ok: false, reason: 'is not a valid URL (expected http://host:port)' };
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (!(PROXY_URL_SCHEMES as readonly string[]).includes(scheme)) {
    return {
      ok: false,
      reason: `uses the scheme "${scheme}"; a proxy URL starts with ${PROXY_URL_SCHEMES.map((s) => `${s}://`).join(', ')}`,
    };
  }
  if (url.hostname === '') return { ok: false, reason: 'has no host name' };
  // The URL standard lets characters such as ' $ ( ) * , ; = through in a host name; .NET's Uri, which pwsh
  // builds the proxy from, refuses them. After parsing, a name is lower-case ASCII (Unicode is punycoded).
  if (!VALID_HOST.test(url.hostname)) {
    return { ok: false, reason: 'has a host name with characters a host name cannot contain' };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return { ok: false, reason: 'must be only scheme://host:port, without a path, query or fragment' };
  }
  const normalized = `${scheme}://${url.host}`;
  if (url.username === '' && url.password === '') return { ok: true, url: normalized };
  const userName = decode(url.username);
  const password = decode(url.password);
  if (userName === undefined || password === undefined) {
    return { ok: false, reason: 'has a user name or password that is not correctly percent-encoded' };
  }
  if (userName === '' || password === '') {
    return { ok: false, reason: 'must carry both a user name and a password, or neither' };
  }
  return { ok: true, url: normalized, credential: { userName, password } };
}
