import { MockAgent } from 'undici';
import type { AccessToken, RestHttp, TokenSource } from '../contracts.js';

/** Fakes for the client's unit tests: an admin API on undici's MockAgent (no sockets) and a token source. */

export interface Seen {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** The connection breaks before any byte of a response, with this error code. */
  | { error: string };

export const API = 'https://outlook.office365.com';
export const TENANT = 'contoso.onmicrosoft.com';
export const ANCHOR = 'UPN:admin@contoso.onmicrosoft.com';

/** Each origin answers through its function; every request is recorded in `seen`, in order. */
export function fakeApi(origins: Record<string, (request: Seen, index: number) => Reply>): {
  http: RestHttp;
  seen: Seen[];
} {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const seen: Seen[] = [];
  for (const [origin, answer] of Object.entries(origins)) {
    let count = 0;
    agent
      .get(origin)
      .intercept({ path: () => true, method: () => true })
      .reply((options) => {
        const request: Seen = {
          origin,
          method: options.method,
          path: options.path,
          headers: Object.fromEntries(
            Object.entries((options.headers ?? {}) as Record<string, string>).map(([k, v]) => [
              k.toLowerCase(),
              String(v),
            ]),
          ),
          body: options.body === undefined || options.body === null ? '' : String(options.body),
        };
        seen.push(request);
        const reply = answer(request, count++);
        if ('error' in reply) throw Object.assign(new Error(`fake ${reply.error}`), { code: reply.error });
        const data =
          typeof reply.body === 'string'
            ? reply.body
            : reply.body === undefined
              ? ''
              : JSON.stringify(reply.body);
        return { statusCode: reply.status, data, responseOptions: { headers: reply.headers ?? {} } };
      })
      .persist();
  }
  return { http: { dispatcher: agent, close: () => agent.close() }, seen };
}

/** Hands out `token-1`; each refresh() a new one (`token-2`, …). */
export function fakeTokens(): TokenSource & { refreshes: number } {
  let n = 1;
  const token = (): AccessToken => ({
    token: `token-${n}`,
    expiresOnMs: Date.now() + 3_600_000,
    tenantId: 'tid',
  });
  const source = {
    refreshes: 0,
    get: async () => token(),
    refresh: async () => {
      source.refreshes += 1;
      n += 1;
      return token();
    },
    close: () => undefined,
  };
  return source;
}

export const page = (value: unknown[], extra: Record<string, unknown> = {}) => ({
  status: 200,
  body: {
    '@odata.context': `${API}/adminapi/beta/${TENANT}/$metadata#Collection(Exchange.GenericHashTable)`,
    value,
    ...extra,
  },
});
