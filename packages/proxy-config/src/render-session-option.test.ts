import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProxyConfigError } from './errors/proxy-config-error.js';
import { type ProxyOptionsInput, proxyOptionsSchema } from './proxy-options-schema.js';
import { renderSessionOption, SESSION_OPTION_PARAMETERS } from './render-session-option.js';
import { type ResolveProxyOptionsInput, resolveProxyOptions } from './resolve-proxy-options.js';

const session = {
  openTimeoutMs: 30_000,
  operationTimeoutMs: 120_000,
  idleTimeoutMs: 600_000,
  skipCACheck: true,
  skipCNCheck: true,
  skipRevocationCheck: true,
  culture: 'de-DE',
  uiCulture: 'en-GB',
} satisfies ProxyOptionsInput;

const sessionParameters = {
  OpenTimeout: 30_000,
  OperationTimeout: 120_000,
  IdleTimeout: 600_000,
  SkipCACheck: true,
  SkipCNCheck: true,
  SkipRevocationCheck: true,
  Culture: 'de-DE',
  UICulture: 'en-GB',
};

function render(input: ResolveProxyOptionsInput, platform?: NodeJS.Platform) {
  return renderSessionOption(resolveProxyOptions({ env: {}, ...input }), platform ? { platform } : {});
}

function failure(input: ResolveProxyOptionsInput, platform?: NodeJS.Platform): ProxyConfigError {
  try {
    render(input, platform);
  } catch (error) {
    if (ProxyConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected renderSessionOption to throw');
}

describe('renderSessionOption on Windows', () => {
  const full = {
    platform: 'win32',
    flags: {
      accessType: 'AutoDetect',
      authentication: 'Basic',
      credential: { userName: 'CORP\\proxyuser', password: 'Pr0xy-Pa55' },
      ...session,
    },
  } satisfies ResolveProxyOptionsInput;

  it('renders every option as a New-PSSessionOption parameter, the credential apart', () => {
    const rendered = render(full);
    expect(rendered.parameters).toStrictEqual({
      ProxyAccessType: 'AutoDetect',
      ProxyAuthentication: 'Basic',
      ...sessionParameters,
    });
    expect(rendered.secret).toEqual({
      proxyCredential: { userName: 'CORP\\proxyuser', password: 'Pr0xy-Pa55' },
    });
    expect(rendered.warnings).toEqual([]);
  });

  it('keeps the password out of the parameters, JSON, inspect and enumeration', () => {
    const rendered = render(full);
    expect(Object.keys(rendered)).toEqual(['parameters', 'warnings']);
    for (const text of [
      JSON.stringify(rendered),
      JSON.stringify(rendered.parameters),
      inspect(rendered, { depth: Number.POSITIVE_INFINITY }),
      JSON.stringify({ ...rendered }),
    ]) {
      expect(text).not.toContain('Pr0xy-Pa55');
      expect(text).not.toContain('proxyuser');
    }
  });

  it('signs in to the proxy as the current user with Negotiate and no credential', () => {
    const rendered = render({
      platform: 'win32',
      flags: { accessType: 'IEConfig', authentication: 'NegotiateWithImplicitCredential' },
    });
    expect(rendered.parameters).toStrictEqual({
      ProxyAccessType: 'IEConfig',
      ProxyAuthentication: 'Negotiate',
    });
    expect(rendered.secret).toEqual({});
  });

  it.each(['Kerberos', 'Ntlm'] as const)(
    'refuses %s proxy authentication, which WSMan does not offer',
    (authentication) => {
      const error = failure({ platform: 'win32', config: { accessType: 'WinHttpConfig', authentication } });
      expect(error.code).toBe('PROXY_UNSUPPORTED');
      expect(error.details).toMatchObject({
        field: 'authentication',
        value: authentication,
        source: 'config',
      });
      expect(error.remediation).toContain('module strategy');
    },
  );

  it.each([
    [{ credential: { userName: 'u', password: 'p' } }, 'credential', ', and none is given'],
    [{ accessType: 'None', authentication: 'Digest' }, 'authentication', ', not None'],
  ] as const)(
    'refuses a proxy credential or authentication WSMan would ignore: %j',
    (flags, field, message) => {
      const error = failure({ platform: 'win32', flags });
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.details.field).toBe(field);
      expect(error.message).toContain(message);
    },
  );

  it('refuses an explicit proxy URL: WSMan cannot take one', () => {
    const error = failure({ platform: 'win32', flags: { proxyUrl: 'http://proxy.corp:8080' } });
    expect(error.code).toBe('PROXY_UNSUPPORTED');
    expect(error.details).toMatchObject({ field: 'proxyUrl', source: 'flags' });
    expect(error.remediation).toContain('netsh winhttp set proxy');
    expect(error.remediation).toContain('module strategy');
  });

  it('warns that proxy variables from the environment are not used, with how to use them', () => {
    const rendered = render({
      platform: 'win32',
      env: { HTTPS_PROXY: 'http://u:p@proxy.corp:8080', NO_PROXY: '.corp.example' },
      config: { authentication: 'Basic' },
    });
    expect(rendered.parameters).toStrictEqual({});
    expect(rendered.secret).toEqual({});
    expect(rendered.warnings).toHaveLength(1);
    expect(rendered.warnings[0]).toMatch(/^HTTPS_PROXY and NO_PROXY are not used by the rps strategy/);
    expect(rendered.warnings[0]).toContain('WinHttpConfig');
  });
});

describe('renderSessionOption on Linux and macOS', () => {
  it('renders the session settings and leaves the proxy to renderHttpProxy', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const rendered = render({
        platform,
        env: { HTTPS_PROXY: 'http://proxy:3128' },
        flags: { ...session, authentication: 'Ntlm', credential: { userName: 'u', password: 'p' } },
      });
      expect(rendered.parameters).toStrictEqual(sessionParameters);
      expect(rendered.secret).toEqual({});
      expect(rendered.warnings).toEqual([]);
    }
  });

  it('refuses a Windows-only access type resolved elsewhere', () => {
    const resolved = resolveProxyOptions({ platform: 'win32', env: {}, flags: { accessType: 'IEConfig' } });
    expect(() => renderSessionOption(resolved, { platform: 'linux' })).toThrow(
      expect.objectContaining({
        code: 'PROXY_UNSUPPORTED',
        details: expect.objectContaining({ field: 'accessType' }),
      }),
    );
  });

  it('renders nothing for nothing', () => {
    expect(render({ platform: 'linux' }).parameters).toStrictEqual({});
  });
});

describe('renderSessionOption output', () => {
  it('is always plain JSON with known parameter names only', () => {
    const options = fc.record(
      {
        accessType: fc.constantFrom('IEConfig', 'WinHttpConfig', 'AutoDetect', 'NoProxyServer', 'None'),
        authentication: fc.constantFrom('Basic', 'Digest', 'Negotiate'),
        openTimeoutMs: fc.integer({ min: 0, max: 2_147_483_647 }),
        operationTimeoutMs: fc.integer({ min: 0, max: 2_147_483_647 }),
        idleTimeoutMs: fc.oneof(fc.constant(-1), fc.integer({ min: 60_000, max: 2_147_483_647 })),
        skipCACheck: fc.boolean(),
        skipCNCheck: fc.boolean(),
        skipRevocationCheck: fc.boolean(),
        culture: fc.constantFrom('en-US', 'fr-CA', 'ja-JP'),
        uiCulture: fc.constantFrom('en-US', 'zh-Hans-CN'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(options, (flags) => {
        const valid =
          flags.authentication === undefined ||
          ['IEConfig', 'WinHttpConfig', 'AutoDetect'].includes(flags.accessType ?? '');
        fc.pre(valid && proxyOptionsSchema.safeParse(flags).success);
        const { parameters } = render({ platform: 'win32', flags });
        expect(JSON.parse(JSON.stringify(parameters))).toStrictEqual({ ...parameters });
        for (const key of Object.keys(parameters)) expect(SESSION_OPTION_PARAMETERS).toContain(key);
        expect(parameters.ProxyAccessType).toBe(flags.accessType);
        expect(parameters.OpenTimeout).toBe(flags.openTimeoutMs);
        expect(parameters.SkipCACheck).toBe(flags.skipCACheck ? true : undefined);
      }),
    );
  });
});
