import type { ProxyCredentialValue } from './proxy-credential.js';

/** What core must send over its secret channel (stdin or a one-shot socket), never in the JSON parameters. */
export interface ProxySecret {
  /** Build a PSCredential from this in pwsh and pass it as -ProxyCredential to the fixed script. */
  readonly proxyCredential?: ProxyCredentialValue;
}

/**
 * Attaches `secret` as a non-enumerable property: reachable as `result.secret`, but left out of
 * JSON.stringify, util.inspect, object spread and Object.keys, so logging a rendered result leaks nothing.
 */
export function withSecret<T extends object>(
  value: T,
  secret: ProxySecret,
): Readonly<T> & { readonly secret: ProxySecret } {
  const frozen = secret.proxyCredential
    ? { proxyCredential: Object.freeze({ ...secret.proxyCredential }) }
    : {};
  Object.defineProperty(value, 'secret', { value: Object.freeze(frozen), enumerable: false });
  return Object.freeze(value) as Readonly<T> & { readonly secret: ProxySecret };
}
