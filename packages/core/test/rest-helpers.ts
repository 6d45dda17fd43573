import { randomUUID } from 'node:crypto';
import { SANDBOX_DEMO_CREDENTIAL, type SandboxServer, startSandboxServer } from '@exo-connect/sandbox';
import { DecoratorHandler, type Dispatcher, request } from 'undici';
import { createAdminApiClient } from '../src/rest/admin-api/index.js';
import type { AccessToken, AdminApiClientOptions, RestHttp, TokenSource } from '../src/rest/contracts.js';
import { createRestHttp } from '../src/rest/http/rest-http.js';
import { type TestTenant, testTenant } from './sandbox-helpers.js';

/** The module's public client id, which the sandbox's password grant accepts. */
const EXO_CLIENT = 'fb78d390-0c51-40cd-8e17-fdbfab77341b';

/** One sandbox tenant served over HTTPS for one test file. */
export interface RestFixture {
  tenant: TestTenant;
  server: SandboxServer;
  stop(): Promise<void>;
}

export async function startRestFixture(mailboxCount = 30): Promise<RestFixture> {
  const tenant = await testTenant(mailboxCount);
  const server = await startSandboxServer({ directory: tenant.directory, env: tenant.env, workers: 1 });
  return {
    tenant,
    server,
    stop: async () => {
      await server.stop();
      await tenant.remove();
    },
  };
}

/** A request the counting dispatcher saw, and the error its handler got (an abort shows as AbortError). */
export interface SeenRequest {
  method: string;
  path: string;
  /** CmdletInput.CmdletName of an InvokeCommand body (X-CmdletName). */
  cmdlet?: string;
  error?: string;
  done: boolean;
}

/** The sandbox's CA on the connection's HTTP stack, with every request recorded (not timed). */
export function countingHttp(server: SandboxServer): RestHttp & { seen: SeenRequest[] } {
  const base = createRestHttp({ caPath: server.caPath });
  const seen: SeenRequest[] = [];
  class Watch extends (DecoratorHandler as unknown as new (
    handler: Dispatcher.DispatchHandler,
  ) => Dispatcher.DispatchHandler) {
    constructor(
      handler: Dispatcher.DispatchHandler,
      private readonly entry: SeenRequest,
    ) {
      super(handler);
    }
    override onResponseEnd(
      controller: Dispatcher.DispatchController,
      trailers: Record<string, string | string[]>,
    ) {
      this.entry.done = true;
      return super.onResponseEnd?.(controller, trailers);
    }
    override onResponseError(controller: Dispatcher.DispatchController, error: Error) {
      this.entry.error = error.name;
      return super.onResponseError?.(controller, error);
    }
  }
  const dispatcher = base.dispatcher.compose((dispatch) => (options, handler) => {
    const headers = (options.headers ?? {}) as Record<string, string>;
    const cmdlet = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-cmdletname')?.[1];
    const entry: SeenRequest = {
      method: options.method,
      path: options.path,
      done: false,
      ...(cmdlet ? { cmdlet } : {}),
    };
    seen.push(entry);
    return dispatch(options, new Watch(handler, entry));
  });
  return { dispatcher, close: base.close, seen };
}

/** A token from the sandbox's token endpoint for the demo admin (the password grant), on the same stack. */
export async function passwordToken(
  server: SandboxServer,
  http: RestHttp,
  upn = SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
) {
  const response = await request(`${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    dispatcher: http.dispatcher,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: EXO_CLIENT,
      scope: server.scope,
      username: upn,
      password: SANDBOX_DEMO_CREDENTIAL.password,
    }).toString(),
  });
  const body = (await response.body.json()) as { access_token?: string; error_description?: string };
  if (response.statusCode !== 200 || !body.access_token)
    throw new Error(`No token: ${body.error_description}`);
  return body.access_token;
}

/** The token's `exp` (seconds since the epoch), read from its payload. */
export function expiryOf(token: string): number {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).exp as number;
}

/** A tiny token source (the real ones are rest/tokens/'s): one token, a new one on refresh(). */
export function testTokens(
  server: SandboxServer,
  http: RestHttp,
): TokenSource & { refreshes: number; current?: string } {
  const load = async () => {
    source.current = await passwordToken(server, http);
    return accessToken(source.current, server.tenantId);
  };
  const source: TokenSource & { refreshes: number; current?: string } = {
    refreshes: 0,
    get: async () => (source.current ? accessToken(source.current, server.tenantId) : load()),
    refresh: async () => {
      source.refreshes += 1;
      return load();
    },
    close: () => undefined,
  };
  return source;
}

export function accessToken(token: string, tenantId: string): AccessToken {
  return {
    token,
    expiresOnMs: expiryOf(token) * 1000,
    tenantId,
    userPrincipalName: SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
  };
}

/** An admin API client on the fixture as the demo admin, the HTTP stack and the tokens it uses. */
export function adminClient(server: SandboxServer, extra: Partial<AdminApiClientOptions> = {}) {
  const http = countingHttp(server);
  const tokens = testTokens(server, http);
  const client = createAdminApiClient({
    apiUrl: server.adminUrl,
    tenant: server.tenantId,
    anchorMailbox: `UPN:${SANDBOX_DEMO_CREDENTIAL.userPrincipalName}`,
    connectionId: randomUUID(),
    tokens,
    http,
    ...extra,
  });
  return { client, http, tokens };
}

/** Every object of a stream. */
export async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}
