/**
 * TEST-ONLY. Serves createAdminApi over plain HTTP on 127.0.0.1 (port 0) with the in-memory test engine and a
 * table of fake tokens, for the admin API's own tests. Not exported, not built.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallerIdentity } from '../contracts.js';
import type { TokenVerification } from './auth.js';
import { type AdminApi, type AdminApiOptions, createAdminApi } from './create-admin-api.js';
import { createTestEngine, type TestEngine } from './test-engine.js';

export const TENANT_ID = '8c2d5e1a-4f3b-4c6d-9e7f-0a1b2c3d4e5f';
export const ORGANIZATION = 'sandbox.onmicrosoft.localhost';
export const ADMIN_UPN = 'admin@sandbox.exo.localhost';

const delegated = (upn: string, scopes = ['Exchange.Manage']): CallerIdentity => ({
  tenantId: TENANT_ID,
  userPrincipalName: upn,
  scopes,
  roles: [],
});

/** Bearer token → what the identity platform would say of it. */
export const TOKENS: Readonly<Record<string, TokenVerification>> = {
  admin: { ok: true, caller: delegated(ADMIN_UPN) },
  viewonly: { ok: true, caller: delegated('viewonly@sandbox.exo.localhost') },
  noscope: { ok: true, caller: delegated(ADMIN_UPN, ['User.Read']) },
  app: {
    ok: true,
    caller: {
      tenantId: TENANT_ID,
      appId: '6f1c2a8e-3b5d-4e7f-9a0b-5c8d2e4f6a1b',
      scopes: [],
      roles: ['Exchange.ManageAsApp'],
    },
  },
  other: {
    ok: true,
    caller: { ...delegated('admin@other.localhost'), tenantId: '11111111-2222-4333-8444-555555555555' },
  },
  expired: { ok: false, reason: 'expired' },
  signature: { ok: false, reason: 'signature' },
  audience: { ok: false, reason: 'audience' },
  tenant: { ok: false, reason: 'tenant' },
  malformed: { ok: false, reason: 'malformed' },
};

export interface TestApi {
  api: AdminApi;
  engine: TestEngine;
  base: string;
  /** `<base>/adminapi/beta/<organization>/` */
  tenantUrl: string;
  close(): Promise<void>;
}

export async function startTestApi(
  options: Partial<Omit<AdminApiOptions, 'engine'>> & { engine?: TestEngine } = {},
): Promise<TestApi> {
  const engine = options.engine ?? createTestEngine();
  let api: AdminApi | undefined;
  const server = createServer((req, res) => {
    api!.handle(req, res).then(
      (handled) => {
        if (!handled) {
          res.statusCode = 418;
          res.end('not the admin API');
        }
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api = createAdminApi({
    tenants: [{ tenantId: TENANT_ID, domains: [ORGANIZATION, 'sandbox.exo.localhost'] }],
    verifyToken: (bearer) => TOKENS[bearer] ?? { ok: false, reason: 'malformed' },
    baseUrl: base,
    ...options,
    engine,
  });
  return {
    api,
    engine,
    base,
    tenantUrl: `${base}/adminapi/beta/${ORGANIZATION}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The headers the module sends, for one of TOKENS. */
export function headersFor(token = 'admin', extra: Record<string, string> = {}): Record<string, string> {
  return {
    Authorization: `Bearer ${token}`,
    'X-AnchorMailbox': `UPN:${ADMIN_UPN}`,
    'Content-Type': 'application/json',
    ...extra,
  };
}

export function cmdletBody(name: string, parameters: Record<string, unknown> = {}): string {
  return JSON.stringify({ CmdletInput: { CmdletName: name, Parameters: parameters } });
}

/** A parsed JSON reply, read freely by assertions (a wrong guess fails the test, which is the point). */
// biome-ignore lint/suspicious/noExplicitAny: replies of many shapes, checked by expect() rather than by types.
export type Reply = any;

/** POSTs a cmdlet to InvokeCommand (with an optional query) and returns status, headers and JSON body. */
export async function invoke(
  api: TestApi,
  name: string,
  parameters: Record<string, unknown> = {},
  init: { query?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Reply }> {
  const response = await fetch(`${api.tenantUrl}InvokeCommand${init.query ?? ''}`, {
    method: 'POST',
    headers: headersFor(init.token, init.headers),
    body: cmdletBody(name, parameters),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}
