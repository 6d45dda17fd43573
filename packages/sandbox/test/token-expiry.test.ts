/**
 * A token that expires mid-stream: paging Get-Mailbox with short-lived tokens, the nextLink followed after the
 * token's exp gets the service's 401; a new token (refresh grant) follows the same nextLink on, and the whole
 * walk yields every mailbox exactly once, as Exchange Online lets a new token continue a link.
 */
import { waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEMO_CREDENTIAL, type SandboxServer, startSandboxServer } from '../src/index.js';
import { decodeJwt } from '../src/server/identity/index.js';
import { form, type HttpsReply, httpsRequest } from './support/https-client.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

const EXO_CLIENT = 'fb78d390-0c51-40cd-8e17-fdbfab77341b';
const UPN = SANDBOX_DEMO_CREDENTIAL.userPrincipalName;
// Long enough for a warm engine to serve two pages, short enough to wait for.
const ACCESS_TOKEN_SECONDS = 6;
const PAGE_SIZE = 10;
const BODY = JSON.stringify({
  CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: { ResultSize: 'Unlimited' } },
});

let tenant: TestTenant;
let server: SandboxServer;

interface Tokens {
  access_token: string;
  refresh_token: string;
}

async function tokenRequest(fields: Record<string, string>): Promise<Tokens> {
  const reply = await httpsRequest(`${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/token`, {
    caPath: server.caPath,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ client_id: EXO_CLIENT, scope: `${server.scope} offline_access`, ...fields }),
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.json();
}

const signIn = () =>
  tokenRequest({ grant_type: 'password', username: UPN, password: SANDBOX_DEMO_CREDENTIAL.password });
const refresh = (refreshToken: string) =>
  tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });

const headersFor = (token: string) => ({
  authorization: `Bearer ${token}`,
  'x-anchormailbox': `UPN:${UPN}`,
  'content-type': 'application/json',
  prefer: `odata.maxpagesize=${PAGE_SIZE}`,
});

const firstPage = (token: string, pageSize = PAGE_SIZE) =>
  httpsRequest(`${server.adminUrl}/adminapi/beta/${server.tenantId}/InvokeCommand`, {
    caPath: server.caPath,
    method: 'POST',
    headers: { ...headersFor(token), prefer: `odata.maxpagesize=${pageSize}` },
    body: BODY,
  });

/** Follows a nextLink as the module does (a GET), or as CIPP does (the same body re-POSTed). */
const follow = (link: string, token: string, method: 'GET' | 'POST' = 'GET') =>
  httpsRequest(link, {
    caPath: server.caPath,
    method,
    headers: headersFor(token),
    ...(method === 'POST' ? { body: BODY } : {}),
  });

function page(reply: HttpsReply): { guids: string[]; next: string | undefined } {
  expect(reply.status, reply.text).toBe(200);
  const body = reply.json();
  return { guids: body.value.map((m: { Guid: string }) => String(m.Guid)), next: body['@odata.nextLink'] };
}

const expiryOf = (token: string) => Number(decodeJwt(token)?.claims.exp);

beforeAll(async () => {
  // 60 generated mailboxes and the fixed accounts: seven pages of ten.
  tenant = await createTestTenant({ mailboxCount: 60 });
  server = await startSandboxServer({
    directory: tenant.directory,
    env: tenant.env,
    workers: 1,
    lifetimes: { accessTokenSeconds: ACCESS_TOKEN_SECONDS },
  });
  // Warm the worker (the tenant's first load), so the timed part below runs at a warm engine's speed.
  const warm = await signIn();
  await firstPage(warm.access_token, 1);
});

afterAll(async () => {
  await server?.stop();
  await tenant?.dispose();
});

describe('a token that expires mid-stream', () => {
  it('gets 401 on the nextLink after exp; a refreshed token continues the same link, every mailbox once', async () => {
    const old = await signIn();
    const exp = expiryOf(old.access_token);
    expect(exp - Date.now() / 1000).toBeLessThanOrEqual(ACCESS_TOKEN_SECONDS);

    const seen: string[] = [];
    const one = page(await firstPage(old.access_token));
    seen.push(...one.guids);
    const two = page(await follow(one.next!, old.access_token));
    seen.push(...two.guids);
    expect(two.next).toBeDefined();
    // Both pages came while the token was valid: the walk really is cut mid-stream.
    expect(Date.now() / 1000).toBeLessThan(exp);

    // The server's clock and this one are the same: wait until it passes the token's exp.
    expect(await waitFor(() => Date.now() / 1000 >= exp, { timeoutMs: 30_000, intervalMs: 50 })).toBe(true);
    for (const method of ['GET', 'POST'] as const) {
      const refused = await follow(two.next!, old.access_token, method);
      expect(refused.status).toBe(401);
      expect(refused.json()).toMatchObject({ error: { code: 'Unauthorized', message: expect.any(String) } });
      const challenge = String(refused.headers['www-authenticate']);
      expect(challenge).toMatch(/^Bearer client_id="00000002-0000-0ff1-ce00-000000000000", /);
      expect(challenge).toContain(
        'error="invalid_token", error_description="The access token has expired. Acquire a new token and try again."',
      );
    }

    const renewed = await refresh(old.refresh_token);
    expect(expiryOf(renewed.access_token)).toBeGreaterThan(exp);
    let next = two.next;
    let pages = 2;
    while (next) {
      const more = page(await follow(next, renewed.access_token));
      seen.push(...more.guids);
      next = more.next;
      pages += 1;
    }

    const fresh = await signIn();
    const all = page(await firstPage(fresh.access_token, 1000));
    expect(all.next).toBeUndefined();
    expect(all.guids.length).toBeGreaterThan(60);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...all.guids].sort());
    expect(pages).toBe(Math.ceil(all.guids.length / PAGE_SIZE));
  });

  it('lets a token from a new sign-in continue a link too, re-POSTing the body', async () => {
    const old = await signIn();
    const exp = expiryOf(old.access_token);
    const one = page(await firstPage(old.access_token));
    expect(await waitFor(() => Date.now() / 1000 >= exp, { timeoutMs: 30_000, intervalMs: 50 })).toBe(true);
    expect((await follow(one.next!, old.access_token, 'POST')).status).toBe(401);
    const renewed = await signIn();
    const two = page(await follow(one.next!, renewed.access_token, 'POST'));
    expect(two.guids).toHaveLength(PAGE_SIZE);
    expect(two.guids.some((guid) => one.guids.includes(guid))).toBe(false);
  });
});
