import { makeTempDir, waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../../errors/sandbox-error.js';
import { decodeJwt } from './jwt.js';
import type { SigningKey } from './signing-keys.js';
import {
  EXO_CLIENT,
  expectEntraError,
  ORGANIZATION,
  startTestPlatform,
  TENANT_ID,
  type TestPlatform,
  testSigningKey,
} from './test-support.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Expiry tests wait for a 1-second lifetime to pass; their backstop is generous for a busy machine. */
const SLOW = { timeout: 30_000 };

let signingKey: SigningKey;
let t: TestPlatform;

beforeAll(async () => {
  signingKey = await testSigningKey(await makeTempDir('exo-idp-'));
  t = await startTestPlatform({ signingKey });
});

afterAll(() => t.close());

async function deviceCode(
  platform: TestPlatform,
  tenant = 'organizations',
  scope = `${platform.base}/.default offline_access openid profile`,
) {
  const reply = await platform.post(`/${tenant}/oauth2/v2.0/devicecode`, { client_id: EXO_CLIENT, scope });
  expect(reply.status).toBe(200);
  return reply.body as { device_code: string; user_code: string; message: string; verification_uri: string };
}

function poll(
  platform: TestPlatform,
  code: string,
  clientId = EXO_CLIENT,
  tenant = 'organizations',
  grantType = GRANT,
) {
  return platform.post(`/${tenant}/oauth2/v2.0/token`, {
    grant_type: grantType,
    client_id: clientId,
    device_code: code,
  });
}

describe('device code flow', () => {
  it("takes the grant's short name as well, as Entra's v2.0 endpoint does (MSAL sends it)", async () => {
    const code = await deviceCode(t);
    expectEntraError(
      await poll(t, code.device_code, EXO_CLIENT, 'organizations', 'device_code'),
      400,
      'authorization_pending',
      70016,
      /OAuth 2\.0 device flow error\..*/,
    );
    t.platform.approveDeviceCode(code.user_code, 'admin@sandbox.exo.localhost');
    const granted = await poll(t, code.device_code, EXO_CLIENT, 'organizations', 'device_code');
    expect(granted.status).toBe(200);
    expect(granted.body.access_token).toEqual(expect.any(String));
  });

  it('issues a code with the fields and the message Entra gives', async () => {
    const reply = await t.post(`/${TENANT_ID}/oauth2/v2.0/devicecode`, {
      client_id: EXO_CLIENT,
      scope: `${t.base}/.default`,
    });
    expect(reply.status).toBe(200);
    const body = reply.body;
    expect(Object.keys(body).sort()).toEqual([
      'device_code',
      'expires_in',
      'interval',
      'message',
      'user_code',
      'verification_uri',
    ]);
    expect(body).toMatchObject({ expires_in: 900, interval: 5, verification_uri: `${t.base}/devicelogin` });
    expect(body.user_code).toMatch(/^[A-Z0-9]{9}$/);
    expect(body.message).toBe(
      `To sign in, use a web browser to open the page ${t.base}/devicelogin and enter the code ${body.user_code} to authenticate.`,
    );
  });

  it('answers authorization_pending until the code is approved, then tokens once; a replay is refused', async () => {
    const code = await deviceCode(t);
    expectEntraError(
      await poll(t, code.device_code),
      400,
      'authorization_pending',
      70016,
      'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
    );
    expectEntraError(
      await poll(t, code.device_code),
      400,
      'authorization_pending',
      70016,
      /OAuth 2\.0 device flow error\..*/,
    );

    t.platform.approveDeviceCode(code.user_code.toLowerCase(), 'admin@sandbox.exo.localhost');
    const granted = await poll(t, code.device_code);
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({
      token_type: 'Bearer',
      scope: `${t.base}/Exchange.Manage ${t.base}/.default`,
      expires_in: 3600,
      ext_expires_in: 3600,
    });
    expect(granted.body.refresh_token).toEqual(expect.any(String));
    expect(decodeJwt(granted.body.access_token as string)?.claims).toMatchObject({
      aud: t.base,
      iss: `https://sts.windows.net/${TENANT_ID}/`,
      tid: TENANT_ID,
      upn: 'admin@sandbox.exo.localhost',
      scp: 'Exchange.Manage',
      appid: EXO_CLIENT,
      amr: ['pwd', 'mfa'],
      ver: '1.0',
    });
    expect(decodeJwt(granted.body.id_token as string)?.claims).toMatchObject({
      aud: EXO_CLIENT,
      iss: `${t.base}/${TENANT_ID}/v2.0`,
      preferred_username: 'admin@sandbox.exo.localhost',
      ver: '2.0',
    });

    expectEntraError(
      await poll(t, code.device_code),
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    );
    expect(() => t.platform.approveDeviceCode(code.user_code)).toThrow(SandboxError);
  });

  it(
    'answers expired_token once the code outlives its lifetime, and no longer takes its approval',
    SLOW,
    async () => {
      const short = await startTestPlatform({ signingKey, lifetimes: { deviceCodeSeconds: 1 } });
      try {
        const code = await deviceCode(short);
        expect(code).toMatchObject({ expires_in: 1 });
        const settled = await waitFor(
          async () => (await poll(short, code.device_code)).body.error !== 'authorization_pending',
          {
            timeoutMs: 20_000,
            intervalMs: 50,
          },
        );
        expect(settled).toBe(true);
        expectEntraError(
          await poll(short, code.device_code),
          400,
          'expired_token',
          70020,
          "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        );
        expect(() => short.platform.approveDeviceCode(code.user_code)).toThrow(/expired or been used/);
      } finally {
        await short.close();
      }
    },
  );

  it('approves at once when told to, as the default user, without refresh or id token unless asked', async () => {
    const auto = await startTestPlatform({
      signingKey,
      deviceCode: { autoApprove: true, intervalSeconds: 1 },
    });
    try {
      const code = await deviceCode(auto, ORGANIZATION, `${auto.base}/.default`);
      const granted = await poll(auto, code.device_code, EXO_CLIENT, ORGANIZATION);
      expect(granted.status).toBe(200);
      expect(granted.body).not.toHaveProperty('refresh_token');
      expect(granted.body).not.toHaveProperty('id_token');
      expect(auto.platform.verifyAccessToken(granted.body.access_token as string)).toMatchObject({
        ok: true,
        caller: { userPrincipalName: 'admin@sandbox.exo.localhost' },
      });
    } finally {
      await auto.close();
    }
  });

  it('refuses a user the directory does not have when the code is redeemed', async () => {
    const code = await deviceCode(t);
    t.platform.approveDeviceCode(code.user_code, 'nobody@sandbox.exo.localhost');
    expectEntraError(
      await poll(t, code.device_code),
      400,
      'invalid_grant',
      50034,
      `The user account {EUII Hidden} does not exist in the '${TENANT_ID}' directory. To sign into this application, the account must be added to the directory.`,
    );
  });

  it('refuses a device code it never issued, or one issued to another client', async () => {
    expectEntraError(
      await poll(t, 'DAQABAAEAAAD-not-a-code'),
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
      const code = await deviceCode(two);
      expectEntraError(
        await poll(two, code.device_code, graph),
        400,
        'invalid_grant',
        70000,
        'Provided grant is invalid or malformed.',
      );
      expectEntraError(
        await poll(two, code.device_code, EXO_CLIENT, TENANT_ID),
        400,
        'authorization_pending',
        70016,
        /.+/,
      );
    } finally {
      await two.close();
    }
  });

  it('says AADSTS700016 for an app the tenant does not have', async () => {
    const reply = await t.post(`/${ORGANIZATION}/oauth2/v2.0/devicecode`, {
      client_id: '00000000-1111-2222-3333-444444444444',
      scope: `${t.base}/.default`,
    });
    expectEntraError(
      reply,
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '00000000-1111-2222-3333-444444444444' was not found in the directory '${ORGANIZATION}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  });

  it.each([
    ['another resource', 'https://outlook.office365.com/.default'],
    ['a named permission', 'EXCHANGE/Exchange.Manage'],
    ['only OpenID scopes', 'openid profile'],
  ])('says AADSTS70011 for %s', async (_, scope) => {
    const reply = await t.post(`/${TENANT_ID}/oauth2/v2.0/devicecode`, {
      client_id: EXO_CLIENT,
      scope: scope.replace('EXCHANGE', t.base),
    });
    expectEntraError(
      reply,
      400,
      'invalid_scope',
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope.replace('EXCHANGE', t.base)} is not valid.`,
    );
  });

  it('names a missing client_id, scope or device_code', async () => {
    const missing = (name: string) => `The request body must contain the following parameter: '${name}'.`;
    expectEntraError(
      await t.post(`/${TENANT_ID}/oauth2/v2.0/devicecode`, { scope: `${t.base}/.default` }),
      400,
      'invalid_request',
      900144,
      missing('client_id'),
    );
    expectEntraError(
      await t.post(`/${TENANT_ID}/oauth2/v2.0/devicecode`, { client_id: EXO_CLIENT }),
      400,
      'invalid_request',
      900144,
      missing('scope'),
    );
    expectEntraError(
      await t.post(`/${TENANT_ID}/oauth2/v2.0/token`, { grant_type: GRANT, client_id: EXO_CLIENT }),
      400,
      'invalid_request',
      900144,
      missing('device_code'),
    );
  });
});
