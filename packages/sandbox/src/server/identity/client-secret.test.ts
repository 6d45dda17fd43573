import { randomUUID } from 'node:crypto';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxApp, openAppStore, type SandboxAppCredentials } from './apps.js';
import { decodeJwt } from './jwt.js';
import {
  expectEntraError,
  ORGANIZATION,
  startTestPlatform,
  TENANT_ID,
  type TestPlatform,
  testSigningKey,
} from './test-support.js';

let t: TestPlatform;
let secretOnly: SandboxAppCredentials;

beforeAll(async () => {
  const directory = await makeTempDir('exo-idp-');
  const [signingKey, app] = await Promise.all([
    testSigningKey(directory),
    createSandboxApp({ directory, displayName: 'Secret only', withSecret: true }),
  ]);
  secretOnly = app;
  t = await startTestPlatform({ signingKey, apps: openAppStore(directory) });
});

afterAll(() => t.close());

function token(form: Record<string, string>, tenant = TENANT_ID, headers: Record<string, string> = {}) {
  return t.post(
    `/${tenant}/oauth2/v2.0/token`,
    { grant_type: 'client_credentials', scope: `${t.base}/.default`, ...form },
    headers,
  );
}

describe('client credentials with a client secret', () => {
  it('issues an app-only token, the secret in the form or as HTTP Basic', async () => {
    const reply = await token({ client_id: secretOnly.clientId, client_secret: secretOnly.secret as string });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'ext_expires_in',
      'token_type',
    ]);
    expect(decodeJwt(reply.body.access_token as string)?.claims).toMatchObject({
      aud: t.base,
      appid: secretOnly.clientId,
      appidacr: '1',
      app_displayname: 'Secret only',
      idtyp: 'app',
      roles: ['Exchange.ManageAsApp'],
      tid: TENANT_ID,
    });
    expect(t.platform.verifyAccessToken(reply.body.access_token as string)).toMatchObject({
      ok: true,
      caller: {
        tenantId: TENANT_ID,
        appId: secretOnly.clientId,
        roles: ['Exchange.ManageAsApp'],
        scopes: [],
      },
    });

    const basic = Buffer.from(
      `${secretOnly.clientId}:${encodeURIComponent(secretOnly.secret as string)}`,
    ).toString('base64');
    expect((await token({}, ORGANIZATION, { authorization: `Basic ${basic}` })).status).toBe(200);
  });

  it('says AADSTS7000215 (401) for a wrong secret, without echoing it', async () => {
    const reply = await token({
      client_id: secretOnly.clientId,
      client_secret: 'abc8Q~not-the-secret-at-all-000000000000',
    });
    expectEntraError(
      reply,
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${secretOnly.clientId}'.`,
    );
    expect(JSON.stringify(reply.body)).not.toContain('not-the-secret');
  });

  it('says AADSTS7000218 (401) without any credential, and AADSTS700016 for an unknown app', async () => {
    expectEntraError(
      await token({ client_id: secretOnly.clientId }),
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
    const unknown = randomUUID();
    expectEntraError(
      await token({ client_id: unknown, client_secret: 'x' }, ORGANIZATION),
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${unknown}' was not found in the directory '${ORGANIZATION}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  });

  it('needs <audience>/.default and a tenant', async () => {
    const credentials = { client_id: secretOnly.clientId, client_secret: secretOnly.secret as string };
    expectEntraError(
      await token({ ...credentials, scope: `${t.base}/Exchange.ManageAsApp` }),
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${t.base}/Exchange.ManageAsApp is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
    expectEntraError(
      await token({ ...credentials, scope: 'https://outlook.office365.com/.default' }),
      400,
      'invalid_resource',
      500011,
      `The resource principal named https://outlook.office365.com was not found in the tenant named ${ORGANIZATION}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
    expectEntraError(
      await token(credentials, 'organizations'),
      400,
      'invalid_request',
      50059,
      'No tenant-identifying information found in either the request or implied by any provided credentials.',
    );
  });
});
