import { readFileSync } from 'node:fs';
import type { ResolvedProxyOptions } from '@exo-connect/proxy-config';
import { bypassEntryToRegex } from '@exo-connect/proxy-config';
import { Agent, Dispatcher, ProxyAgent } from 'undici';
import { ExoError } from '../../errors/exo-error.js';
import type { RestHttp } from '../contracts.js';

export interface RestHttpOptions {
  /** The resolved proxy settings (proxy-config); none: every request goes direct. */
  proxy?: ResolvedProxyOptions;
  /** A CA certificate (PEM file) to trust besides the system's: a private endpoint's, such as the sandbox's. */
  caPath?: string;
}

/** Reads the environment's CA file; INVALID_ARGUMENT with the path when it cannot be read or is not PEM. */
function readCa(caPath: string): string {
  let text: string;
  try {
    text = readFileSync(caPath, 'utf8');
  } catch (error) {
    throw new ExoError('INVALID_ARGUMENT', `The environment's CA file ${caPath} cannot be read.`, {
      details: { field: 'rest.caPath' },
      remediation:
        'Point rest.caPath at a readable PEM certificate (for the sandbox: a running `exo sandbox serve`).',
      cause: error,
    });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ExoError('INVALID_ARGUMENT', `The environment's CA file ${caPath} holds no PEM certificate.`, {
      details: { field: 'rest.caPath' },
      remediation: 'Give a PEM file (-----BEGIN CERTIFICATE-----).',
    });
  }
  return text;
}

/** Does a `NO_PROXY` entry send this origin direct? `<local>` means a host name without a dot. */
function bypassTest(entries: readonly string[]): (origin: URL) => boolean {
  const local = entries.some((e) => e.trim().toLowerCase() === '<local>');
  const patterns = entries
    .map((entry) => bypassEntryToRegex(entry))
    .filter((p): p is string => p !== undefined)
    .map((p) => new RegExp(p, 'i'));
  return (origin) => {
    if (local && !origin.hostname.includes('.')) return true;
    const text = `${origin.protocol}//${origin.host}`;
    return patterns.some((p) => p.test(text));
  };
}

function proxyToken(proxy: ResolvedProxyOptions): string | undefined {
  if (!proxy.credential) return undefined;
  if (proxy.authentication && proxy.authentication !== 'Basic') {
    throw new ExoError(
      'PROXY_UNSUPPORTED',
      `The rest strategy authenticates to a proxy with Basic only, not ${proxy.authentication}.`,
      {
        details: { field: 'proxy.authentication' },
        remediation:
          'Use Basic proxy authentication, a proxy that needs none, or the module strategy (--strategy module), whose .NET stack speaks Negotiate and NTLM.',
      },
    );
  }
  const { userName, password } = proxy.credential.reveal();
  return `Basic ${Buffer.from(`${userName}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Sends each request direct or through the proxy, as the bypass list says. undici's ProxyAgent has no bypass
 * list of its own, and EnvHttpProxyAgent reads only process.env; this reads the resolved options.
 */
class RoutingDispatcher extends Dispatcher {
  constructor(
    private readonly direct: Agent,
    private readonly proxied: ProxyAgent,
    private readonly bypassed: (origin: URL) => boolean,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = new URL(String(options.origin));
    return (this.bypassed(origin) ? this.direct : this.proxied).dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.direct.close(), this.proxied.close()]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.direct.destroy(), this.proxied.destroy()]);
  }
}

/**
 * The HTTP stack of one rest connection, shared by its token and admin API requests: the proxy and its
 * bypass list from proxy-config, the environment's CA, and proxy-config's certificate and timeout switches.
 */
export function createRestHttp(options: RestHttpOptions = {}): RestHttp {
  const proxy = options.proxy;
  const ca = options.caPath ? readCa(options.caPath) : undefined;
  const tls = {
    ...(ca ? { ca } : {}),
    ...(proxy?.skipCACheck ? { rejectUnauthorized: false } : {}),
    ...(proxy?.skipCNCheck ? { checkServerIdentity: () => undefined } : {}),
  };
  const timeouts = {
    ...(proxy?.openTimeoutMs ? { connectTimeout: proxy.openTimeoutMs } : {}),
    ...(proxy?.operationTimeoutMs
      ? { headersTimeout: proxy.operationTimeoutMs, bodyTimeout: proxy.operationTimeoutMs }
      : {}),
    ...(proxy?.idleTimeoutMs ? { keepAliveTimeout: proxy.idleTimeoutMs } : {}),
  };
  // A pooled connection is given up after 30 s idle at most, whatever the server's Keep-Alive hint: well
  // inside the 120 s front ends keep one, so a request (a write above all, which is never resent once the
  // service may have seen it) does not go out on a socket the server is closing.
  const direct = new Agent({ connect: tls, keepAliveMaxTimeout: 30_000, ...timeouts });
  let dispatcher: Dispatcher = direct;
  if (proxy?.proxyUrl) {
    const proxied = new ProxyAgent({
      uri: proxy.proxyUrl,
      token: proxyToken(proxy),
      requestTls: tls,
      ...timeouts,
    });
    dispatcher = new RoutingDispatcher(direct, proxied, bypassTest(proxy.bypass));
  }
  return {
    dispatcher,
    close: async () => {
      await dispatcher.close().catch(() => undefined);
    },
  };
}
