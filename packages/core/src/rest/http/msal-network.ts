import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { request } from 'undici';
import type { RestHttp } from '../contracts.js';

/**
 * The last transport error of each HTTP stack's token requests. MSAL replaces what the network client threw
 * with its own network_error or endpoints_resolution_error and keeps no cause, so an untrusted certificate
 * would read as "could not be reached"; the sign-in's error is built from this instead.
 */
const lastFailures = new WeakMap<RestHttp, unknown>();

export function lastNetworkFailure(http: RestHttp): unknown {
  return lastFailures.get(http);
}

/** MSAL asks for JSON from the identity platform; anything else comes back as its text, for its errors. */
async function send<T>(
  http: RestHttp,
  method: 'GET' | 'POST',
  url: string,
  options: NetworkRequestOptions = {},
  timeoutMs?: number,
): Promise<NetworkResponse<T>> {
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method,
      dispatcher: http.dispatcher,
      headers: options.headers,
      body: method === 'POST' ? (options.body ?? '') : undefined,
      signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
    });
  } catch (error) {
    lastFailures.set(http, error);
    throw error;
  }
  lastFailures.delete(http);
  const text = await response.body.text();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // Left as text: MSAL reports a body it cannot read with its status.
  }
  return { status: response.statusCode, headers, body: body as T };
}

/**
 * MSAL's network client on the connection's HTTP stack, so token requests take the same proxy and CA as the
 * admin API (MSAL's own client reads neither the resolved proxy options nor a private CA).
 */
export function msalNetworkModule(http: RestHttp): INetworkModule {
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) =>
      send<T>(http, 'GET', url, options, timeout),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
      send<T>(http, 'POST', url, options),
  };
}
