import { randomUUID } from 'node:crypto';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_MANAGED_IDENTITY_CLIENT_ID } from './identity-platform.js';
import { decodeJwt } from './jwt.js';
import {
  ORGANIZATION,
  startTestPlatform,
  TENANT_ID,
  type TestPlatform,
  testSigningKey,
} from './test-support.js';

let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform({ signingKey: await testSigningKey(await makeTempDir('exo-idp-')) });
});

afterAll(() => t.close());

/** `header` null sends none. */
function identity(query: Record<string, string>, header: string | null = t.platform.managedIdentity.header) {
  const path = new URL(t.platform.managedIdentity.endpoint).pathname;
  return t.get(
    `${path}?${new URLSearchParams(query)}`,
    header === null ? {} : { 'X-IDENTITY-HEADER': header },
  );
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('managed identity (App Service, 2019-08-01)', () => {
  it('exposes the endpoint and header a child process needs', () => {
    const { endpoint, header } = t.platform.managedIdentity;
    expect(endpoint).toBe(`${t.base}/msi/token`);
    expect(header).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("issues an app-only token for the system-assigned identity, in App Service's shape", async () => {
    const reply = await identity({ resource: t.base, 'api-version': '2019-08-01' });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body).sort()).toEqual([
      'access_token',
      'client_id',
      'expires_on',
      'resource',
      'token_type',
    ]);
    expect(reply.body).toMatchObject({
      resource: t.base,
      token_type: 'Bearer',
      client_id: SANDBOX_MANAGED_IDENTITY_CLIENT_ID,
    });
    const claims = decodeJwt(reply.body.access_token as string)?.claims;
    expect(reply.body.expires_on).toBe(String(claims?.exp));
    expect(claims).toMatchObject({
      appid: SANDBOX_MANAGED_IDENTITY_CLIENT_ID,
      idtyp: 'app',
      roles: ['Exchange.ManageAsApp'],
      tid: TENANT_ID,
    });
    expect(
      t.platform.verifyAccessToken(reply.body.access_token as string, { tenantId: ORGANIZATION }),
    ).toMatchObject({
      ok: true,
      caller: { appId: SANDBOX_MANAGED_IDENTITY_CLIENT_ID },
    });
  });

  it('issues a token for a user-assigned identity named by client_id or by another id', async () => {
    const clientId = randomUUID();
    const byClientId = await identity({
      resource: `${t.base}/`,
      'api-version': '2019-08-01',
      client_id: clientId.toUpperCase(),
    });
    expect(byClientId.body).toMatchObject({ client_id: clientId, resource: `${t.base}/` });
    const byResourceId = await identity({
      resource: t.base,
      'api-version': '2019-08-01',
      mi_res_id:
        '/subscriptions/x/resourcegroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/z',
    });
    expect(byResourceId.body.client_id).toMatch(GUID);
    expect(byResourceId.body.client_id).not.toBe(SANDBOX_MANAGED_IDENTITY_CLIENT_ID);
    expect((await identity({ resource: t.base, 'api-version': '2019-08-01', client_id: 'app' })).status).toBe(
      400,
    );
  });

  it('answers 400 without the header and 401 with a wrong one, never echoing it', async () => {
    const missing = await identity({ resource: t.base, 'api-version': '2019-08-01' }, null);
    expect(missing).toMatchObject({
      status: 400,
      body: { statusCode: 400, message: 'The X-IDENTITY-HEADER header is required.' },
    });
    expect(missing.body.correlationId).toMatch(GUID);
    const wrong = await identity({ resource: t.base, 'api-version': '2019-08-01' }, 'guessed-header-value');
    expect(wrong).toMatchObject({
      status: 401,
      body: { statusCode: 401, message: 'The X-IDENTITY-HEADER header is not valid.' },
    });
    expect(JSON.stringify(wrong.body)).not.toContain('guessed-header-value');
  });

  it('needs api-version 2019-08-01 and a resource it serves', async () => {
    expect(await identity({ resource: t.base, 'api-version': '2017-09-01' })).toMatchObject({
      status: 400,
      body: { statusCode: 400 },
    });
    expect(await identity({ 'api-version': '2019-08-01' })).toMatchObject({ status: 400 });
    const other = await identity({ resource: 'https://vault.azure.net', 'api-version': '2019-08-01' });
    expect(other.status).toBe(400);
    expect(other.body.message).toMatch(
      new RegExp(
        `^AADSTS500011: The resource principal named https://vault\\.azure\\.net was not found in the tenant named ${ORGANIZATION.replaceAll('.', '\\.')}\\. `,
      ),
    );
  });

  it('takes only GET', async () => {
    const response = await fetch(t.platform.managedIdentity.endpoint, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });
});
