import { proxyConfigError } from './errors/proxy-config-error.js';

/**
 * NO_PROXY-style bypass entries, checked and normalised here, and turned into the regular expressions
 * System.Net.WebProxy matches. WebProxy tests each expression, case-insensitively and unanchored, against
 * `scheme://host` (default port) or `scheme://host:port` (any other port); every expression below is therefore
 * anchored at both ends and built only from escaped input, so an entry can never match more than it says.
 *
 * | entry                 | bypasses                                                           |
 * |-----------------------|--------------------------------------------------------------------|
 * | `corp.example`        | corp.example and every subdomain (a.corp.example), any port        |
 * | `.corp.example`       | subdomains only (a.corp.example), any port; `*.corp.example` alike |
 * | `web*.corp.example`   | a `*` elsewhere is a wildcard over the whole host name             |
 * | `host:8443`           | that host (and subdomains) on port 8443 only                       |
 * | `10.1.2.3`, `[::1]`   | that IP address, any port; `10.1.2.3:8080`, `[::1]:8080` one port   |
 * | `10.0.0.0/8`          | an IPv4 range (CIDR); IPv6 ranges are refused                      |
 * | `*`                   | everything (no proxy at all)                                       |
 * | `<local>`             | host names without a dot and local addresses (WebProxy's BypassProxyOnLocal) |
 */

export const BYPASS_ALL = '*';
export const BYPASS_LOCAL = '<local>';

export type ParsedBypassEntry = { ok: true; entry: string } | { ok: false; reason: string };

const SCHEME = '[a-z][a-z0-9+.-]*';
// Inside `scheme://host[:port]` a host name never contains ':' or '/'.
const HOST_CHAR = '[^/:]';
const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const HOST_PATTERN = /^(?:\*\.|\.)?[a-z0-9_*-]+(?:\.[a-z0-9_*-]+)*$/;

/** Splits a NO_PROXY value (commas and/or white space) into entries. */
export function splitBypassList(value: string): string[] {
  return value.split(/[\s,]+/).filter((entry) => entry !== '');
}

function isIpv4(text: string): boolean {
  return (
    IPV4.exec(text)
      ?.slice(1)
      .every((octet) => Number(octet) <= 255) ?? false
  );
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : undefined;
}

function canonicalIpv6(address: string): string | undefined {
  if (address.includes('%')) return undefined;
  try {
    const host = new URL(`http://[${address}]/`).host;
    return host.startsWith('[') ? host : undefined;
  } catch {
    return undefined;
  }
}

function parseIpv6(text: string): ParsedBypassEntry {
  if (text.includes('/')) {
    return {
      ok: false,
      reason: 'is an IPv6 range; only IPv4 ranges (CIDR) are supported, list IPv6 addresses one by one',
    };
  }
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  const address = bracketed ? bracketed[1]! : text;
  const host = canonicalIpv6(address);
  if (host === undefined) return { ok: false, reason: 'is not a valid IPv6 address' };
  const portText = bracketed?.[2];
  if (portText === undefined) return { ok: true, entry: host };
  const port = parsePort(portText);
  return port === undefined
    ? { ok: false, reason: 'has an invalid port' }
    : { ok: true, entry: `${host}:${port}` };
}

/** Checks one bypass entry and returns its normal form (lower case, no trailing dot). Reasons never echo it. */
export function parseBypassEntry(raw: string): ParsedBypassEntry {
  const text = raw.trim().toLowerCase();
  if (text === '') return { ok: false, reason: 'is empty' };
  if (text === BYPASS_ALL || text === BYPASS_LOCAL) return { ok: true, entry: text };
  if (text.includes('://')) return { ok: false, reason: 'must be a host name or address, not a URL' };
  if (text.startsWith('[') || (text.match(/:/g)?.length ?? 0) >= 2) return parseIpv6(text);

  const slash = text.indexOf('/');
  if (slash >= 0) {
    const ip = text.slice(0, slash);
    const prefix = text.slice(slash + 1);
    if (!isIpv4(ip) || !/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) {
      return { ok: false, reason: 'is not a valid IPv4 range (expected a.b.c.d/0-32)' };
    }
    return { ok: true, entry: `${ip}/${Number(prefix)}` };
  }

  const colon = text.indexOf(':');
  let host = colon >= 0 ? text.slice(0, colon) : text;
  let port: number | undefined;
  if (colon >= 0) {
    port = parsePort(text.slice(colon + 1));
    if (port === undefined) return { ok: false, reason: 'has an invalid port' };
  }
  if (host.endsWith('.') && host.length > 1) host = host.slice(0, -1);
  if (/^[\d.]+$/.test(host) && !isIpv4(host)) return { ok: false, reason: 'is not a valid IPv4 address' };
  if (!isIpv4(host) && !HOST_PATTERN.test(host)) {
    return {
      ok: false,
      reason:
        'is not a host name (letters, digits, "-", "_" and "." only, with an optional leading "." or "*.")',
    };
  }
  return { ok: true, entry: port === undefined ? host : `${host}:${port}` };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function octetRange(low: number, high: number): string {
  const values: string[] = [];
  for (let value = low; value <= high; value++) values.push(String(value));
  return values.length === 1 ? values[0]! : `(?:${values.join('|')})`;
}

function ipv4RangeRegex(ip: string, prefix: number): string {
  return ip
    .split('.')
    .map((octetText, index) => {
      const bits = Math.min(8, Math.max(0, prefix - 8 * index));
      const octet = Number(octetText);
      if (bits === 8) return octetText;
      if (bits === 0) return '\\d{1,3}';
      const mask = (0xff << (8 - bits)) & 0xff;
      return octetRange(octet & mask, (octet & mask) | (~mask & 0xff));
    })
    .join('\\.');
}

function hostRegex(host: string): string {
  if (host.includes('/')) {
    const [ip, prefix] = host.split('/') as [string, string];
    return ipv4RangeRegex(ip, Number(prefix));
  }
  if (host.startsWith('[') || isIpv4(host)) return escapeRegex(host);
  if (host.startsWith('*.')) return `${HOST_CHAR}+${escapeRegex(host.slice(1))}`;
  if (host.startsWith('.')) return `${HOST_CHAR}+${escapeRegex(host)}`;
  if (host.includes('*')) return host.split('*').map(escapeRegex).join(`${HOST_CHAR}*`);
  return `(?:${HOST_CHAR}+\\.)?${escapeRegex(host)}`;
}

function splitHostPort(entry: string): { host: string; port?: number } {
  const match = (entry.startsWith('[') ? /^(\[[^\]]+\])(?::(\d+))?$/ : /^([^:]+)(?::(\d+))?$/).exec(entry);
  const portText = match?.[2];
  return { host: match?.[1] ?? entry, port: portText === undefined ? undefined : Number(portText) };
}

/**
 * The WebProxy bypass expression for one entry, checked with parseBypassEntry first (a bad entry throws
 * INVALID_ARGUMENT for `bypass`). `<local>` has none: it becomes WebProxy's bypassOnLocal flag instead.
 */
export function bypassEntryToRegex(raw: string): string | undefined {
  const parsed = parseBypassEntry(raw);
  if (!parsed.ok) {
    throw proxyConfigError('INVALID_ARGUMENT', `A proxy bypass entry ${parsed.reason}.`, {
      field: 'bypass',
    });
  }
  const entry = parsed.entry;
  if (entry === BYPASS_LOCAL) return undefined;
  if (entry === BYPASS_ALL) return `^${SCHEME}://.*$`;
  const { host, port } = splitHostPort(entry);
  const h = hostRegex(host);
  if (port === undefined) return `^${SCHEME}://${h}(?::\\d+)?$`;
  const alternatives = [`${SCHEME}://${h}:${port}`];
  // WebProxy leaves a scheme's default port out of the string it matches.
  if (port === 80) alternatives.push(`(?:http|ws)://${h}`);
  if (port === 443) alternatives.push(`(?:https|wss)://${h}`);
  return `^(?:${alternatives.join('|')})$`;
}
