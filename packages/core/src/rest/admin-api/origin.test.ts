import { describe, expect, it } from 'vitest';
import { apiOrigin, mayReceiveToken, registrableDomain } from './origin.js';

describe('mayReceiveToken', () => {
  const worldwide = new URL('https://outlook.office365.com');
  const sandbox = new URL('https://127.0.0.1:8443');

  it('allows https hosts under the API host’s registrable domain', () => {
    expect(mayReceiveToken(worldwide, new URL('https://nam13b.outlook.office365.com/x'))).toBe(true);
    expect(mayReceiveToken(worldwide, new URL('https://outlook.office365.com:443/x'))).toBe(true);
    expect(
      mayReceiveToken(new URL('https://partner.outlook.cn'), new URL('https://cn01.partner.outlook.cn')),
    ).toBe(true);
  });

  it('refuses other hosts, plain http, user info and IP addresses', () => {
    expect(mayReceiveToken(worldwide, new URL('https://office365.com.evil.example'))).toBe(false);
    expect(mayReceiveToken(worldwide, new URL('https://evilooffice365.com'))).toBe(false);
    expect(mayReceiveToken(worldwide, new URL('http://nam13b.outlook.office365.com'))).toBe(false);
    expect(mayReceiveToken(worldwide, new URL('https://u:p@nam13b.outlook.office365.com'))).toBe(false);
    expect(mayReceiveToken(worldwide, new URL('https://40.97.1.2'))).toBe(false);
  });

  it('allows loopback targets only when the API itself is on loopback', () => {
    expect(mayReceiveToken(sandbox, new URL('https://localhost:9443'))).toBe(true);
    expect(mayReceiveToken(sandbox, new URL('https://example.com'))).toBe(false);
    expect(mayReceiveToken(worldwide, new URL('https://127.0.0.1:8443'))).toBe(false);
  });

  it('takes the last two labels as the registrable domain; an IP address is its own', () => {
    expect(registrableDomain('outlook-dod.office365.us')).toBe('office365.us');
    expect(registrableDomain('127.0.0.1')).toBe('127.0.0.1');
  });

  it('requires an https apiUrl', () => {
    expect(apiOrigin('https://outlook.office365.com/').href).toBe('https://outlook.office365.com/');
    expect(() => apiOrigin('http://outlook.office365.com')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => apiOrigin('not a url')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
