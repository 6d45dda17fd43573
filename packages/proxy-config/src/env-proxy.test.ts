import { describe, expect, it } from 'vitest';
import { readEnvironmentProxy } from './env-proxy.js';

describe('readEnvironmentProxy', () => {
  it('prefers HTTPS_PROXY over HTTP_PROXY and upper case over lower case', () => {
    const proxy = readEnvironmentProxy({
      HTTPS_PROXY: 'http://secure:3128',
      https_proxy: 'http://lower:3128',
      HTTP_PROXY: 'http://plain:8080',
    });
    expect(proxy.proxyUrl).toEqual({ value: 'http://secure:3128', variable: 'HTTPS_PROXY' });
  });

  it('reads https_proxy before HTTP_PROXY, and HTTP_PROXY before http_proxy', () => {
    expect(
      readEnvironmentProxy({ https_proxy: 'http://a:1', HTTP_PROXY: 'http://b:2' }).proxyUrl?.variable,
    ).toBe('https_proxy');
    expect(
      readEnvironmentProxy({ HTTP_PROXY: 'http://b:2', http_proxy: 'http://c:3' }).proxyUrl?.variable,
    ).toBe('HTTP_PROXY');
  });

  it('falls back to http_proxy, skips blank values and reads NO_PROXY upper case first', () => {
    const proxy = readEnvironmentProxy({
      HTTPS_PROXY: '   ',
      http_proxy: ' http://p:8080 ',
      NO_PROXY: 'upper.example',
      no_proxy: 'lower.example',
    });
    expect(proxy).toEqual({
      proxyUrl: { value: 'http://p:8080', variable: 'http_proxy' },
      bypass: { value: 'upper.example', variable: 'NO_PROXY' },
    });
  });

  it('returns nothing when no variable is set', () => {
    expect(readEnvironmentProxy({ PATH: '/usr/bin' })).toEqual({});
  });
});
