import { describe, expect, it } from 'vitest';
import { isExchangeOnlineUri, uriProblem } from './uri.js';

describe('isExchangeOnlineUri', () => {
  it.each([
    'https://outlook.office365.com/powershell-liveid/',
    'http://outlook.office365.com/powershell-liveid/',
    'https://OUTLOOK.OFFICE365.US/powershell-liveid',
    'https://webmail.apps.mil/powershell-liveid',
    'https://partner.outlook.cn/PowerShell',
    'https://outlook.office.de/PowerShell-LiveID',
    'https://ps.protection.outlook.com/powershell-liveid/',
    'https://l5.ps.compliance.protection.office365.us/powershell-liveid/',
    'https://login.microsoftonline.com/organizations',
    'https://login.chinacloudapi.cn/organizations',
    'https://outlook.office365.com./powershell-liveid/',
  ])('%s is Exchange Online', (uri) => {
    expect(isExchangeOnlineUri(uri)).toBe(true);
  });

  it.each([
    'https://sandbox.exo.localhost/powershell-liveid/',
    'http://exchange01.contoso.local/PowerShell/',
    'https://mail.contoso.com/PowerShell/',
    'https://notoffice365.com/powershell-liveid/',
    'https://office365.com.evil.example/powershell-liveid/',
    'https://apps.mil/powershell-liveid',
    'not a uri',
  ])('%s is not Exchange Online', (uri) => {
    expect(isExchangeOnlineUri(uri)).toBe(false);
  });
});

describe('uriProblem', () => {
  it('accepts https everywhere and http for hosts outside Exchange Online when allowed', () => {
    expect(uriProblem('https://outlook.office365.com/powershell-liveid/', 'https')).toBeUndefined();
    expect(uriProblem('http://exchange01.contoso.local/PowerShell/', 'http-or-https')).toBeUndefined();
    expect(uriProblem('https://sandbox.exo.localhost/powershell-liveid/', 'https')).toBeUndefined();
  });

  it.each([
    ['outlook.office365.com/powershell-liveid/', 'https', 'is not a valid absolute URI'],
    ['https://', 'https', 'is not a valid absolute URI'],
    ['ftp://exchange01.contoso.local/PowerShell/', 'http-or-https', 'must be an http or https URI'],
    ['file:///etc/passwd', 'https', 'is not a valid absolute URI'],
    ['ws://exchange01.contoso.local/', 'https', 'must be an https URI'],
    ['http://mail.contoso.com/PowerShell/', 'https', 'must use https, not http'],
    ['https://admin:secret@mail.contoso.com/PowerShell/', 'http-or-https', 'must not carry a user name'],
    [
      'http://outlook.office365.com/powershell-liveid/',
      'http-or-https',
      'plain http to the Exchange Online host',
    ],
    [
      'http://ps.protection.outlook.com/powershell-liveid/',
      'https',
      'plain http to the Exchange Online host',
    ],
  ] as const)('%s (%s) → %s', (value, protocols, problem) => {
    expect(uriProblem(value, protocols)).toContain(problem);
  });
});
