import { makeTempDir, waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from './jwt.js';
import type { SigningKey } from './signing-keys.js';
import {
  EXO_CLIENT,
  expectEntraError,
  ORGANIZATION,
  PASSWORD,
  startTestPlatform,
  TENANT_ID,
  type TestPlatform,
  testSigningKey,
} from './test-support.js';

const SLOW = { timeout: 30_000 };

let signingKey: SigningKey;
let t: TestPlatform;

beforeAll(async () => {
  signingKey = await testSigningKey(await makeTempDir('exo-idp-'));
  t = await startTestPlatform({ signingKey });
});

afterAll(() => t.close());

function signIn(
  platform: TestPlatform,
  username: string,
  password: string,
  scope = `${platform.base}/.default offline_access openid profile`,
) {
  return platform.post(`/${ORGANIZATION}/oauth2/v2.0/token`, {
    grant_type: 'password',
    client_id: EXO_CLIENT,
    username,
    password,
    scope,
  });
}

function refresh(platform: TestPlatform, refreshToken: string, clientId = EXO_CLIENT) {
  return platform.post('/organizations/oauth2/v2.0/token', {
    grant_type: 'refresh_token',
    client_id: clientId,
    refresh_token: refreshToken,
    scope: `${platform.base}/.default offline_access`,
  });
}

describe('password grant', () => {
  it('signs a user in with a delegated token', async () => {
    const reply = await signIn(t, 'Admin@Sandbox.Exo.Localhost', PASSWORD);
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'ext_expires_in',
      'id_token',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    const claims = decodeJwt(reply.body.access_token as string)?.claims;
    expect(claims).toMatchObject({
      upn: 'admin@sandbox.exo.localhost',
      name: 'Sandbox Admin',
      scp: 'Exchange.Manage',
      amr: ['pwd'],
      idtyp: 'user',
    });
    expect(claims?.oid).toMatch(/^[0-9a-f-]{36}$/);
    expect((claims?.exp as number) - (claims?.iat as number)).toBe(3600);
  });

  it('says AADSTS50126 for a wrong password, and never echoes the password', async () => {
    const reply = await signIn(t, 'admin@sandbox.exo.localhost', 'Wrong-Pa55-Guess');
    expectEntraError(
      reply,
      400,
      'invalid_grant',
      50126,
      'Error validating credentials due to invalid username or password.',
    );
    expect(JSON.stringify(reply.body)).not.toContain('Wrong-Pa55-Guess');
  });

  it('says AADSTS50034 for a user the tenant does not have', async () => {
    expectEntraError(
      await signIn(t, 'nobody@sandbox.exo.localhost', PASSWORD),
      400,
      'invalid_grant',
      50034,
      `The user account {EUII Hidden} does not exist in the '${TENANT_ID}' directory. To sign into this application, the account must be added to the directory.`,
    );
  });

  it('says AADSTS50076 with basic_action for a user who needs MFA', async () => {
    const reply = await signIn(t, 'mfa@sandbox.exo.localhost', PASSWORD);
    expectEntraError(
      reply,
      400,
      'invalid_grant',
      50076,
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'.",
    );
    expect(reply.body.suberror).toBe('basic_action');
    expect(JSON.parse(reply.body.claims as string)).toMatchObject({
      access_token: { capolids: { essential: true } },
    });
  });

  it('says the federated identity provider cannot be reached for a federated user', async () => {
    expectEntraError(
      await signIn(t, 'federated@federated.sandbox.exo.localhost', 'anything'),
      400,
      'invalid_grant',
      40008,
      "There's an issue with your federated Identity Provider. Contact your IDP to resolve this issue. Federated service at https://sts.federated.sandbox.exo.localhost/adfs/services/trust/2005/usernamemixed returned error: The remote name could not be resolved: 'sts.federated.sandbox.exo.localhost'.",
    );
  });

  it('names a missing username or password, and checks the scope first', async () => {
    const base = { grant_type: 'password', client_id: EXO_CLIENT, scope: `${t.base}/.default` };
    const token = `/${TENANT_ID}/oauth2/v2.0/token`;
    expectEntraError(
      await t.post(token, { ...base, password: PASSWORD }),
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'username'.",
    );
    expectEntraError(
      await t.post(token, { ...base, username: 'admin@sandbox.exo.localhost' }),
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'password'.",
    );
    expectEntraError(
      await t.post(token, {
        ...base,
        scope: 'https://graph.microsoft.com/.default',
        username: 'x',
        password: 'y',
      }),
      400,
      'invalid_scope',
      70011,
      /.+/,
    );
  });
});

describe('refresh token grant', () => {
  it('issues new tokens for the same user, and the refresh token stays usable', async () => {
    const first = await signIn(t, 'admin@sandbox.exo.localhost', PASSWORD);
    const refreshToken = first.body.refresh_token as string;
    const renewed = await refresh(t, refreshToken);
    expect(renewed.status).toBe(200);
    expect(renewed.body.refresh_token).toEqual(expect.any(String));
    expect(renewed.body.refresh_token).not.toBe(refreshToken);
    expect(renewed.body).not.toHaveProperty('id_token');
    const before = decodeJwt(first.body.access_token as string)?.claims;
    const after = decodeJwt(renewed.body.access_token as string)?.claims;
    expect(after).toMatchObject({ upn: before?.upn, oid: before?.oid, amr: ['pwd'] });
    expect(after?.uti).not.toBe(before?.uti);
    expect((await refresh(t, refreshToken)).status).toBe(200);
  });

  it('gives no refresh token without offline_access', async () => {
    const reply = await signIn(t, 'admin@sandbox.exo.localhost', PASSWORD, `${t.base}/.default`);
    expect(reply.status).toBe(200);
    expect(reply.body).not.toHaveProperty('refresh_token');
  });

  it('refuses a token it never issued, and one issued to another client', async () => {
    expectEntraError(
      await refresh(t, 'sbx.made-up'),
      400,
      'invalid_grant',
      9002313,
      'Invalid request. Request is malformed or invalid.',
    );
    const graph = '14d82eec-204b-4c2f-b7e8-296a70dab67e';
    const two = await startTestPlatform({
      signingKey,
      publicClients: { [EXO_CLIENT]: 'EXO', [graph]: 'Graph' },
    });
    try {
      const signedIn = await signIn(two, 'admin@sandbox.exo.localhost', PASSWORD);
      expectEntraError(
        await refresh(two, signedIn.body.refresh_token as string, graph),
        400,
        'invalid_grant',
        70000,
        'Provided grant is invalid or malformed.',
      );
    } finally {
      await two.close();
    }
  });

  it('says AADSTS70008 once the refresh token outlives its lifetime', SLOW, async () => {
    const short = await startTestPlatform({ signingKey, lifetimes: { refreshTokenSeconds: 1 } });
    try {
      const signedIn = await signIn(short, 'admin@sandbox.exo.localhost', PASSWORD);
      const refreshToken = signedIn.body.refresh_token as string;
      expect(
        await waitFor(async () => (await refresh(short, refreshToken)).status !== 200, {
          timeoutMs: 20_000,
          intervalMs: 50,
        }),
      ).toBe(true);
      expectEntraError(
        await refresh(short, refreshToken),
        400,
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
      );
    } finally {
      await short.close();
    }
  });
});
