import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProxyUrl } from './proxy-url.js';

describe('parseProxyUrl', () => {
  it.each([
    ['http://proxy.corp:8080', 'http://proxy.corp:8080'],
    ['HTTP://Proxy.Corp:8080/', 'http://proxy.corp:8080'],
    ['proxy.corp:3128', 'http://proxy.corp:3128'],
    ['http://proxy.corp:80', 'http://proxy.corp'],
    ['https://proxy.corp', 'https://proxy.corp'],
    ['socks5://127.0.0.1:1080', 'socks5://127.0.0.1:1080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['  http://p:1  ', 'http://p:1'],
  ])('normalises %s to %s', (raw, url) => {
    expect(parseProxyUrl(raw)).toEqual({ ok: true, url });
  });

  it('splits a percent-encoded user name and password off the URL', () => {
    expect(parseProxyUrl('http://CORP%5Calice:p%40ss%3Aword@proxy.corp:8080')).toEqual({
      ok: true,
      url: 'http://proxy.corp:8080',
      credential: { userName: 'CORP\\alice', password: 'p@ss:word' },
    });
  });

  it.each([
    ['', 'is empty'],
    ['http://proxy corp:8080', 'contains white space'],
    ['ftp://proxy.corp:21', 'uses the scheme "ftp"'],
    ['http://proxy.corp:8080/path', 'without a path'],
    ['http://proxy.corp:8080/?q=1', 'without a path'],
    ['http://proxy.corp:99999', 'is not a valid URL'],
    ['http://alice@proxy.corp:8080', 'both a user name and a password'],
    ['http://:secret@proxy.corp:8080', 'both a user name and a password'],
    ['http://alice:%E0%A4%A@proxy.corp', 'not correctly percent-encoded'],
    ["http://prox'y.corp:8080", 'host name'],
    ['http://$(x).corp:8080', 'host name'],
    ['http://\u{1F11F}.corp:8080', 'host name'],
  ])('refuses %j (%s)', (raw, reason) => {
    const parsed = parseProxyUrl(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it('never repeats a password in its reason, whatever else is wrong with the URL', () => {
    // Eight digits mark the password (no reason contains digits); the rest stresses the parser.
    const password = fc
      .tuple(fc.stringMatching(/^[0-9]{8}$/), fc.string())
      .map(([mark, rest]) => ({ mark, rest }));
    const scheme = fc.constantFrom('ftp://', 'http://', '', 'socks://');
    const tail = fc.constantFrom('@proxy:8080/path', '@proxy:99999', '', '@', '@proxy/ x', ':1@h?x');
    fc.assert(
      fc.property(scheme, password, tail, (prefix, { mark, rest }, suffix) => {
        const parsed = parseProxyUrl(`${prefix}user:${mark}${rest}${suffix}`);
        if (!parsed.ok) expect(parsed.reason).not.toContain(mark);
      }),
    );
  });
});
