import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bypassEntryToRegex, parseBypassEntry, splitBypassList } from './bypass-list.js';
import { ProxyConfigError } from './errors/proxy-config-error.js';

// What System.Net.WebProxy matches its bypass expressions against: scheme://host, plus :port unless it is the
// scheme's default. WHATWG URL drops the same default ports (http/ws 80, https/wss 443).
function webProxyTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

// WebProxy: RegexOptions.IgnoreCase | CultureInvariant, unanchored IsMatch.
function bypassed(entries: readonly string[], url: string): boolean {
  const target = webProxyTarget(url);
  return entries
    .flatMap((entry) => bypassEntryToRegex(entry) ?? [])
    .some((r) => new RegExp(r, 'i').test(target));
}

describe('splitBypassList', () => {
  it('splits on commas and white space and drops empty entries', () => {
    expect(splitBypassList(' a.example, .b.example ,,\tc:80 \n')).toEqual([
      'a.example',
      '.b.example',
      'c:80',
    ]);
  });
});

describe('parseBypassEntry', () => {
  it.each([
    ['Corp.Example.', 'corp.example'],
    ['.corp.example', '.corp.example'],
    ['*.corp.example', '*.corp.example'],
    ['web*.corp.example', 'web*.corp.example'],
    ['host.example:8443', 'host.example:8443'],
    ['10.1.2.3', '10.1.2.3'],
    ['10.1.2.3:8080', '10.1.2.3:8080'],
    ['10.0.0.0/08', '10.0.0.0/8'],
    ['::1', '[::1]'],
    ['[0:0:0:0:0:0:0:1]:8080', '[::1]:8080'],
    ['[FE80::A]', '[fe80::a]'],
    ['*', '*'],
    ['<LOCAL>', '<local>'],
    ['localhost', 'localhost'],
  ])('reads %j as %j', (raw, entry) => {
    expect(parseBypassEntry(raw)).toEqual({ ok: true, entry });
  });

  it.each([
    ['', 'is empty'],
    ['http://corp.example', 'not a URL'],
    ['corp.example/path', 'IPv4 range'],
    ['10.0.0.0/33', 'IPv4 range'],
    ['fe80::/10', 'IPv6 range'],
    ['[::1', 'IPv6 address'],
    ['fe80::1%eth0', 'IPv6 address'],
    ['host:0', 'invalid port'],
    ['host:65536', 'invalid port'],
    ['[::1]:x', 'invalid port'],
    ['300.1.1.1', 'IPv4 address'],
    ['010.1.1.1', 'IPv4 address'],
    ['corp..example', 'not a host name'],
    ['bücher.example', 'not a host name'],
    ['a$(b).example', 'not a host name'],
  ])('refuses %j (%s)', (raw, reason) => {
    const parsed = parseBypassEntry(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it('is idempotent and never throws, and every accepted entry compiles to an anchored expression', () => {
    const piece = fc.constantFrom(
      'a',
      'corp',
      '.',
      '*',
      ':',
      '8080',
      '10',
      '/',
      '[',
      ']',
      '::',
      '-',
      '_',
      'X',
      '%',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }).map((parts) => parts.join('')),
        (raw) => {
          const parsed = parseBypassEntry(raw);
          if (!parsed.ok) return;
          expect(parseBypassEntry(parsed.entry)).toEqual(parsed);
          const regex = bypassEntryToRegex(parsed.entry);
          if (regex !== undefined) {
            expect(regex.startsWith('^') && regex.endsWith('$')).toBe(true);
            expect(() => new RegExp(regex)).not.toThrow();
          }
        },
      ),
    );
  });
});

describe('bypassEntryToRegex', () => {
  it.each([
    ['corp.example', 'http://corp.example', true],
    ['corp.example', 'https://a.b.corp.example:8443', true],
    ['corp.example', 'http://notcorp.example', false],
    ['corp.example', 'http://corp.example.evil', false],
    ['.corp.example', 'http://corp.example', false],
    ['.corp.example', 'https://a.corp.example', true],
    ['*.corp.example', 'http://corp.example', false],
    ['*.corp.example', 'http://a.corp.example:81', true],
    ['web*.corp.example', 'http://web01.corp.example', true],
    ['web*.corp.example', 'http://mail.corp.example', false],
    ['host.example:8443', 'https://host.example:8443', true],
    ['host.example:8443', 'https://host.example', false],
    ['secure.example:443', 'https://secure.example', true],
    ['secure.example:443', 'http://secure.example:443', true],
    ['secure.example:443', 'http://secure.example', false],
    ['plain.example:80', 'http://plain.example', true],
    ['plain.example:80', 'https://plain.example', false],
    ['10.0.0.0/8', 'http://10.200.3.4:8080', true],
    ['10.0.0.0/8', 'http://110.0.0.1', false],
    ['172.16.0.0/12', 'http://172.31.255.255', true],
    ['172.16.0.0/12', 'http://172.32.0.1', false],
    ['172.16.0.0/12', 'http://172.15.0.1', false],
    ['192.168.1.7', 'http://192.168.1.7:8080', true],
    ['192.168.1.7', 'http://192.168.1.70', false],
    ['192.168.1.7', 'http://192.168.1.7.nip.example', false],
    ['[::1]:8080', 'http://[::1]:8080', true],
    ['[::1]:8080', 'http://[::1]:8081', false],
    ['::1', 'https://[::1]', true],
    ['*', 'https://anything.example:9', true],
  ])('%s → %s bypassed: %s', (entry, url, expected) => {
    expect(bypassed([entry], url)).toBe(expected);
  });

  it('has no expression for <local>, which is WebProxy bypassOnLocal instead', () => {
    expect(bypassEntryToRegex('<local>')).toBeUndefined();
  });

  it('refuses an invalid entry with INVALID_ARGUMENT for bypass', () => {
    expect(() => bypassEntryToRegex('http://x')).toThrow(ProxyConfigError);
    expect(() => bypassEntryToRegex('http://x')).toThrow(
      expect.objectContaining({ details: { field: 'bypass' } }),
    );
  });

  const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
  const domain = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.'));

  it('matches a domain and its subdomains, never a look-alike', () => {
    fc.assert(
      fc.property(domain, fc.array(label, { maxLength: 3 }), label, (name, sub, extra) => {
        const host = [...sub, name].join('.');
        expect(bypassed([name], `http://${host}`)).toBe(true);
        expect(bypassed([name], `https://${host}:8443`)).toBe(true);
        expect(bypassed([name], `http://${extra}${name}`)).toBe(false);
        // "_" never occurs in a generated label, so this host is never the domain or one of its subdomains.
        expect(bypassed([name], `http://${name}.x_${extra}`)).toBe(false);
      }),
    );
  });

  it('matches exactly the IPv4 addresses inside a CIDR range', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const ip = fc.tuple(octet, octet, octet, octet);
    const toInt = (o: number[]) => o.reduce((n, x) => n * 256 + x, 0);
    fc.assert(
      fc.property(ip, fc.integer({ min: 0, max: 32 }), ip, fc.nat(), (base, prefix, other, flip) => {
        const size = 2 ** (32 - prefix);
        // Half the candidates are the base with some host bits changed, so both outcomes are common.
        const inside = (Math.floor(toInt(base) / size) * size + (flip % size)) >>> 0;
        const near = [inside >>> 24, (inside >>> 16) & 255, (inside >>> 8) & 255, inside & 255];
        for (const candidate of [near, other]) {
          const expected = Math.floor(toInt(candidate) / size) === Math.floor(toInt(base) / size);
          expect(bypassed([`${base.join('.')}/${prefix}`], `http://${candidate.join('.')}/`)).toBe(expected);
        }
      }),
    );
  });
});
