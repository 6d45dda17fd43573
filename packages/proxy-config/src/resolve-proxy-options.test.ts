import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProxyConfigError } from './errors/proxy-config-error.js';
import { type ResolveProxyOptionsInput, resolveProxyOptions } from './resolve-proxy-options.js';

const linux = { platform: 'linux', env: {} } as const;
const windows = { platform: 'win32', env: {} } as const;

function failure(input: ResolveProxyOptionsInput): ProxyConfigError {
  try {
    resolveProxyOptions(input);
  } catch (error) {
    if (ProxyConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected resolveProxyOptions to throw');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveProxyOptions precedence (flags > config > env)', () => {
  it.each([
    [
      'flags over config and env',
      { proxyUrl: 'http://flags:1' },
      { proxyUrl: 'http://config:2' },
      'http://flags:1',
      'flags',
    ],
    ['config over env', undefined, { proxyUrl: 'http://config:2' }, 'http://config:2', 'config'],
    ['env when nothing else', undefined, undefined, 'http://env:3', 'env'],
  ])('takes the proxy URL from %s', (_, flags, config, proxyUrl, source) => {
    const resolved = resolveProxyOptions({ ...linux, flags, config, env: { HTTPS_PROXY: 'http://env:3' } });
    expect(resolved.options.proxyUrl).toBe(proxyUrl);
    expect(resolved.sources.proxyUrl).toBe(source);
  });

  it('decides every other field on its own, and an explicit false still wins', () => {
    const resolved = resolveProxyOptions({
      ...linux,
      flags: { openTimeoutMs: 1000, skipCNCheck: false, culture: 'fr-FR' },
      config: { openTimeoutMs: 2000, operationTimeoutMs: 3000, skipCNCheck: true, uiCulture: 'de-DE' },
    });
    expect(resolved.options).toMatchObject({
      openTimeoutMs: 1000,
      operationTimeoutMs: 3000,
      skipCNCheck: false,
      culture: 'fr-FR',
      uiCulture: 'de-DE',
    });
    expect(resolved.sources).toMatchObject({
      openTimeoutMs: 'flags',
      operationTimeoutMs: 'config',
      skipCNCheck: 'flags',
      culture: 'flags',
      uiCulture: 'config',
    });
    expect(resolved.warnings).toEqual([]);
  });

  it('replaces bypass lists instead of merging them, and applies NO_PROXY to an explicit proxy', () => {
    const env = { HTTPS_PROXY: 'http://env:3', NO_PROXY: 'env.example' };
    const fromEnv = resolveProxyOptions({ ...linux, env, flags: { proxyUrl: 'http://flags:1' } });
    expect(fromEnv.options.bypass).toEqual(['env.example']);
    expect(fromEnv.sources.bypass).toBe('env');
    expect(fromEnv.variables).toEqual({ bypass: 'NO_PROXY' });
    const fromConfig = resolveProxyOptions({ ...linux, env, config: { bypass: ['config.example'] } });
    expect(fromConfig.options.bypass).toEqual(['config.example']);
    expect(fromConfig.variables).toEqual({ proxyUrl: 'HTTPS_PROXY' });
  });

  it('reads the environment (HTTPS_PROXY first, upper case first) and reports the variables', () => {
    const resolved = resolveProxyOptions({
      platform: 'darwin',
      env: {
        https_proxy: 'http://lower:1',
        HTTP_PROXY: 'http://plain:2',
        no_proxy: '.corp.example,10.0.0.0/8',
      },
    });
    expect(resolved.options).toMatchObject({
      proxyUrl: 'http://lower:1',
      bypass: ['.corp.example', '10.0.0.0/8'],
    });
    expect(resolved.variables).toEqual({ proxyUrl: 'https_proxy', bypass: 'no_proxy' });
  });

  it('reads process.env when no env is given', () => {
    vi.stubEnv('HTTPS_PROXY', 'http://from-process:3128');
    vi.stubEnv('NO_PROXY', 'internal.example');
    const resolved = resolveProxyOptions({ platform: 'linux' });
    expect(resolved.options.proxyUrl).toBe('http://from-process:3128');
    expect(resolved.options.bypass).toEqual(['internal.example']);
  });

  it('chooses the route (accessType or proxyUrl) as a unit from the highest source that sets either', () => {
    const direct = resolveProxyOptions({
      ...linux,
      flags: { accessType: 'NoProxyServer' },
      env: { HTTPS_PROXY: 'http://env:3', NO_PROXY: 'a.example' },
    });
    expect(direct.options).toMatchObject({ accessType: 'NoProxyServer', bypass: [] });
    expect(direct.options.proxyUrl).toBeUndefined();
    expect(direct.sources).toStrictEqual({ accessType: 'flags' });
    const url = resolveProxyOptions({
      ...windows,
      flags: { proxyUrl: 'http://flags:1' },
      config: { accessType: 'IEConfig' },
    });
    expect(url.options.accessType).toBeUndefined();
    expect(url.options.proxyUrl).toBe('http://flags:1');
  });

  it('uses a user name and password from a proxy URL only for that proxy', () => {
    const env = { HTTPS_PROXY: 'http://envuser:env-pass@corp:8080' };
    const envRoute = resolveProxyOptions({ ...linux, env });
    expect(envRoute.options.proxyUrl).toBe('http://corp:8080');
    expect(envRoute.options.credential?.reveal()).toEqual({ userName: 'envuser', password: 'env-pass' });
    expect(envRoute.sources.credential).toBe('env');

    const otherProxy = resolveProxyOptions({ ...linux, env, flags: { proxyUrl: 'http://other:1' } });
    expect(otherProxy.options.credential).toBeUndefined();

    const configCredential = resolveProxyOptions({
      ...linux,
      env,
      config: { credential: { userName: 'c', password: 'p' } },
    });
    expect(configCredential.options.credential?.reveal()).toEqual({ userName: 'c', password: 'p' });
    expect(configCredential.sources.credential).toBe('config');
  });
});

describe('resolveProxyOptions validation', () => {
  it('names the field and source of a malformed value', () => {
    const error = failure({ ...linux, flags: { proxyUrl: 'http://proxy:8080/path' } });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatchObject({ field: 'proxyUrl', source: 'flags' });
    expect(error.message).toContain('the command-line flags');
    expect(error.remediation).toBe('Correct proxyUrl in the command-line flags and try again.');
  });

  it('names a nested field, an unknown key and a non-object config', () => {
    expect(
      failure({ ...linux, config: { credential: { userName: 'a', password: 1 } } }).details,
    ).toMatchObject({
      field: 'credential.password',
      source: 'config',
    });
    expect(failure({ ...linux, config: { proxyUrI: 'http://p:1' } }).details.field).toBe('proxyUrI');
    expect(failure({ ...linux, config: 'http://p:1' }).details.field).toBe('(root)');
    expect(failure({ ...linux, flags: { accessType: 'Auto' as never } }).message).toContain(
      'accessType: must be one of IEConfig',
    );
  });

  it('names the variable of a malformed environment value without repeating a password', () => {
    const url = failure({ ...linux, env: { HTTP_PROXY: 'http://bob:hunter22@proxy:8080/x' } });
    expect(url.details).toEqual({ field: 'proxyUrl', source: 'env', variable: 'HTTP_PROXY' });
    expect(url.message).toContain('HTTP_PROXY');
    expect(JSON.stringify({ ...url, json: url.toJSON(), message: url.message })).not.toContain('hunter22');
    const entry = failure({ ...linux, env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ok.example,bad/host' } });
    expect(entry.details).toEqual({ field: 'bypass.1', source: 'env', variable: 'NO_PROXY' });
    expect(entry.message).toContain('"bad/host"');
  });

  it('ignores a malformed environment value that precedence does not use', () => {
    const env = { HTTPS_PROXY: 'http://proxy:8080/broken', NO_PROXY: 'bad/host' };
    const resolved = resolveProxyOptions({
      ...linux,
      env,
      flags: { proxyUrl: 'http://p:1', bypass: 'a.example' },
    });
    expect(resolved.options).toMatchObject({ proxyUrl: 'http://p:1', bypass: ['a.example'] });
    expect(resolveProxyOptions({ ...linux, env: { NO_PROXY: 'bad/host' } }).options.bypass).toEqual([]);
    expect(failure({ ...linux, env, flags: { proxyUrl: 'http://p:1' } }).details.field).toBe('bypass.0');
    expect(failure({ ...linux, env, config: { bypass: 'a.example' } }).details.field).toBe('proxyUrl');
  });

  it.each([
    [
      { accessType: 'IEConfig', proxyUrl: 'http://p:1' },
      'proxyUrl',
      'accessType IEConfig and proxyUrl both choose',
    ],
    [{ accessType: 'WinHttpConfig', bypass: 'a.example' }, 'bypass', 'only applies to a proxy URL'],
    [
      { proxyUrl: 'http://u:p@proxy:1', credential: { userName: 'u', password: 'p' } },
      'credential',
      'both as credential and inside proxyUrl',
    ],
    [
      { authentication: 'NegotiateWithImplicitCredential', credential: { userName: 'u', password: 'p' } },
      'credential',
      'uses the signed-in user',
    ],
    [
      { accessType: 'NoProxyServer', authentication: 'Basic' },
      'authentication',
      'no proxy to authenticate to',
    ],
  ])('refuses contradictory settings in one source: %j', (config, field, message) => {
    const error = failure({ ...windows, config });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details).toEqual({ field, source: 'config' });
    expect(error.message).toContain(message);
    expect(error.message).toContain('both in the config file');
  });

  it('refuses the signed-in user plus a credential even from different sources', () => {
    const error = failure({
      ...windows,
      flags: { authentication: 'NegotiateWithImplicitCredential' },
      config: { credential: { userName: 'u', password: 'p' } },
    });
    expect(error.details).toMatchObject({
      field: 'credential',
      sources: { authentication: 'flags', credential: 'config' },
    });
  });

  it('drops a credential a higher NoProxyServer makes pointless, saying so', () => {
    const resolved = resolveProxyOptions({
      ...windows,
      flags: { accessType: 'NoProxyServer' },
      config: { proxyUrl: 'http://p:1', bypass: 'a.example', credential: { userName: 'u', password: 'p' } },
    });
    expect(resolved.options.credential).toBeUndefined();
    expect(resolved.sources.credential).toBeUndefined();
    expect(resolved.warnings).toEqual([
      'The proxy bypass list from the config file is not used: no proxy URL is in effect (accessType NoProxyServer ' +
        'from the command-line flags).',
      'The proxy credential and authentication are not used: accessType NoProxyServer from the command-line ' +
        'flags connects directly.',
    ]);
  });
});

describe('resolveProxyOptions platform rules', () => {
  it.each(['IEConfig', 'WinHttpConfig', 'AutoDetect'] as const)(
    'refuses %s on Linux and macOS with PROXY_UNSUPPORTED and the alternative',
    (accessType) => {
      for (const platform of ['linux', 'darwin'] as const) {
        const error = failure({ platform, env: {}, flags: { accessType } });
        expect(error.code).toBe('PROXY_UNSUPPORTED');
        expect(error.details).toEqual({
          field: 'accessType',
          value: accessType,
          platform,
          source: 'the command-line flags',
        });
        expect(error.message).toContain(platform === 'linux' ? 'PowerShell on Linux' : 'PowerShell on macOS');
        expect(error.remediation).toContain('HTTPS_PROXY');
        expect(error.remediation).toContain('proxy URL');
      }
      expect(resolveProxyOptions({ ...windows, flags: { accessType } }).options.accessType).toBe(accessType);
    },
  );

  it('accepts NoProxyServer and None everywhere, and a Windows-only type overridden by a higher source', () => {
    expect(resolveProxyOptions({ ...linux, flags: { accessType: 'none' } }).options.accessType).toBe('None');
    expect(
      resolveProxyOptions({ ...linux, config: { accessType: 'NoProxyServer' } }).options.accessType,
    ).toBe('NoProxyServer');
    const overridden = resolveProxyOptions({
      ...linux,
      flags: { proxyUrl: 'http://p:1' },
      config: { accessType: 'IEConfig' },
    });
    expect(overridden.options.proxyUrl).toBe('http://p:1');
  });
});

describe('resolveProxyOptions warnings and secrets', () => {
  it('warns loudly and specifically about every switched-off certificate check', () => {
    const { warnings } = resolveProxyOptions({
      ...linux,
      flags: { skipCACheck: true },
      config: { skipCNCheck: true, skipRevocationCheck: true },
    });
    expect(warnings).toHaveLength(3);
    expect(warnings.every((w) => w.startsWith('SECURITY WARNING: '))).toBe(true);
    expect(warnings[0]).toContain('SkipCACheck is ON');
    expect(warnings[0]).toContain('trusted certificate authority');
    expect(warnings[0]).toContain('(set by the command-line flags)');
    expect(warnings[1]).toContain('SkipCNCheck is ON');
    expect(warnings[1]).toContain('(set by the config file)');
    expect(warnings[2]).toContain('SkipRevocationCheck is ON');
    expect(warnings[2]).toContain('revoked');
  });

  it('never shows a proxy password in JSON or inspect output of the result', () => {
    for (const input of [
      {
        ...linux,
        flags: { proxyUrl: 'http://p:1', credential: { userName: 'alice', password: 'flag-S3cret' } },
      },
      { ...linux, env: { HTTPS_PROXY: 'http://bob:env-S3cret@p:1' } },
    ]) {
      const resolved = resolveProxyOptions(input);
      const secret = resolved.options.credential?.reveal().password ?? '';
      expect(secret).toMatch(/S3cret$/);
      expect(JSON.stringify(resolved)).not.toContain(secret);
      expect(inspect(resolved, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(secret);
      expect(JSON.stringify(resolved.options.proxyUrl)).not.toContain('@');
    }
  });

  it('returns a frozen result', () => {
    const resolved = resolveProxyOptions({ ...linux, env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'a' } });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.options)).toBe(true);
    expect(Object.isFrozen(resolved.options.bypass)).toBe(true);
    expect(resolved.platform).toBe('linux');
  });
});
