import { describe, expect, it } from 'vitest';
import { readEnvironmentProxy } from './env-proxy.js';

describe('readEnvironmentProxy', () => {
  it('prefers HTTPS_PROXY over HTTP_PROXY and upper case over lower case', () => {
    const proxy = readEnvironmentProxy({
      HTTPS_PROXY: 'http://secure:3128',
      https_proxy: 'http://lower:3128',
      HTTP_PROXY: 'http://plain:8080',
    });
    expect(proxy.proxyUrl?.href).toBe('http://secure:3128/');
  });

  it('falls back to http_proxy and splits NO_PROXY', () => {
    const proxy = readEnvironmentProxy({
      http_proxy: 'http://p:8080',
      no_proxy: ' localhost, .Corp.example ,',
    });
    expect(proxy.proxyUrl?.host).toBe('p:8080');
    expect(proxy.bypass).toEqual(['localhost', '.corp.example']);
  });

  it('returns no proxy when none is set', () => {
    expect(readEnvironmentProxy({})).toEqual({ bypass: [] });
  });
});
