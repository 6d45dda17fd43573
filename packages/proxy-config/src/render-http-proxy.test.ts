import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bypassEntryToRegex } from './bypass-list.js';
import { ProxyConfigError } from './errors/proxy-config-error.js';
import { renderHttpProxy } from './render-http-proxy.js';
import { type ResolveProxyOptionsInput, resolveProxyOptions } from './resolve-proxy-options.js';

function render(input: ResolveProxyOptionsInput) {
  return renderHttpProxy(resolveProxyOptions({ env: {}, ...input }));
}

function failure(input: ResolveProxyOptionsInput): ProxyConfigError {
  try {
    render(input);
  } catch (error) {
    if (ProxyConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected renderHttpProxy to throw');
}

describe('renderHttpProxy', () => {
  it('routes through the environment proxy with NO_PROXY as WebProxy expressions', () => {
    const rendered = render({
      platform: 'linux',
      env: { HTTPS_PROXY: 'proxy.corp:3128', NO_PROXY: 'localhost, .corp.example, 10.0.0.0/8' },
    });
    expect({ ...rendered }).toStrictEqual({
      mode: 'proxy',
      proxyUrl: 'http://proxy.corp:3128',
      bypass: ['localhost', '.corp.example', '10.0.0.0/8'].map((entry) => bypassEntryToRegex(entry)),
      bypassOnLocal: false,
    });
    expect(rendered.secret).toEqual({});
  });

  it('turns <local> into bypassOnLocal instead of an expression', () => {
    const rendered = render({
      platform: 'darwin',
      flags: { proxyUrl: 'http://p:1', bypass: '<local>,a.example' },
    });
    expect(rendered.bypassOnLocal).toBe(true);
    expect(rendered.bypass).toEqual([bypassEntryToRegex('a.example')]);
  });

  it.each([
    [{ accessType: 'NoProxyServer' }, 'linux', 'direct'],
    [{ accessType: 'None' }, 'linux', 'system'],
    [{}, 'darwin', 'system'],
    [{ accessType: 'IEConfig' }, 'win32', 'system'],
  ] as const)('renders %j on %s as mode %s', (flags, platform, mode) => {
    expect({ ...render({ platform, flags }) }).toStrictEqual({ mode, bypass: [], bypassOnLocal: false });
  });

  it.each(['WinHttpConfig', 'AutoDetect'] as const)(
    'refuses %s, which .NET HTTP cannot follow',
    (accessType) => {
      const error = failure({ platform: 'win32', config: { accessType } });
      expect(error.code).toBe('PROXY_UNSUPPORTED');
      expect(error.details).toMatchObject({ field: 'accessType', value: accessType, source: 'config' });
      expect(error.remediation).toMatch(/IEConfig/);
    },
  );

  it.each([
    ['Basic', 'Basic'],
    ['Digest', 'Digest'],
    ['Negotiate', 'Negotiate'],
    ['Kerberos', 'Negotiate'],
    ['Ntlm', 'NTLM'],
  ] as const)('binds the credential to the %s scheme (%s) of an explicit proxy', (authentication, scheme) => {
    const rendered = render({
      platform: 'linux',
      flags: {
        proxyUrl: 'http://p:1',
        authentication,
        credential: { userName: 'alice', password: 'Sekr1t-Value' },
      },
    });
    expect(rendered.authenticationScheme).toBe(scheme);
    expect(rendered.secret.proxyCredential).toEqual({ userName: 'alice', password: 'Sekr1t-Value' });
    expect(JSON.stringify(rendered)).not.toContain('Sekr1t-Value');
    expect(inspect(rendered, { depth: Number.POSITIVE_INFINITY })).not.toContain('Sekr1t-Value');
  });

  it('signs in as the current user for NegotiateWithImplicitCredential', () => {
    const rendered = render({
      platform: 'linux',
      flags: { proxyUrl: 'http://p:1', authentication: 'NegotiateWithImplicitCredential' },
    });
    expect(rendered.useDefaultCredentials).toBe(true);
    expect(rendered.authenticationScheme).toBeUndefined();
    expect(rendered.secret).toEqual({});
  });

  it('hands a credential to the system proxy, but refuses to enforce a scheme there', () => {
    const credential = { userName: 'u', password: 'p' };
    const system = render({ platform: 'win32', flags: { accessType: 'IEConfig', credential } });
    expect(system.mode).toBe('system');
    expect(system.secret.proxyCredential).toEqual(credential);
    const error = failure({
      platform: 'win32',
      flags: { accessType: 'IEConfig', credential, authentication: 'Digest' },
    });
    expect(error.code).toBe('PROXY_UNSUPPORTED');
    expect(error.details.field).toBe('authentication');
  });

  it('refuses an authentication that needs a credential and has none', () => {
    const error = failure({
      platform: 'linux',
      env: { HTTPS_PROXY: 'http://p:1' },
      config: { authentication: 'Basic' },
    });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatchObject({ field: 'credential', authentication: 'Basic', source: 'config' });
  });
});
