import { createPublicKey, randomUUID } from 'node:crypto';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../../errors/sandbox-error.js';
import { createIdentityPlatform } from './identity-platform.js';
import { decodeJwt, verifyJwt } from './jwt.js';
import type { SigningKey } from './signing-keys.js';
import {
  EXO_CLIENT,
  expectEntraError,
  memoryDirectory,
  ORGANIZATION,
  PASSWORD,
  startTestPlatform,
  TENANT_ID,
  type TestPlatform,
  testSigningKey,
} from './test-support.js';
import { createCertificateAuthority, issueServerCertificate } from './x509.js';

let signingKey: SigningKey;
let t: TestPlatform;

beforeAll(async () => {
  signingKey = await testSigningKey(await makeTempDir('exo-idp-'));
  t = await startTestPlatform({ signingKey });
});

afterAll(() => t.close());

async function passwordToken(platform = t) {
  const reply = await platform.post(`/${TENANT_ID}/oauth2/v2.0/token`, {
    grant_type: 'password',
    client_id: EXO_CLIENT,
    username: 'admin@sandbox.exo.localhost',
    password: PASSWORD,
    scope: `${platform.base}/.default`,
  });
  expect(reply.status).toBe(200);
  return reply.body.access_token as string;
}

describe('discovery', () => {
  it.each([TENANT_ID, ORGANIZATION, 'SANDBOX.EXO.LOCALHOST'])(
    'serves the OpenID configuration for %s',
    async (tenant) => {
      const reply = await t.get(`/${tenant}/v2.0/.well-known/openid-configuration`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toBe('no-store, no-cache');
      expect(reply.body).toMatchObject({
        issuer: `${t.base}/${TENANT_ID}/v2.0`,
        token_endpoint: `${t.base}/${TENANT_ID}/oauth2/v2.0/token`,
        device_authorization_endpoint: `${t.base}/${TENANT_ID}/oauth2/v2.0/devicecode`,
        authorization_endpoint: `${t.base}/${TENANT_ID}/oauth2/v2.0/authorize`,
        jwks_uri: `${t.base}/${TENANT_ID}/discovery/v2.0/keys`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        tenant_region_scope: 'NA',
      });
      expect(JSON.stringify(reply.body)).not.toMatch(/microsoft|windows\.net/);
    },
  );

  it('serves organizations and common with the issuer template', async () => {
    const reply = await t.get('/organizations/v2.0/.well-known/openid-configuration');
    expect(reply.body).toMatchObject({
      issuer: `${t.base}/{tenantid}/v2.0`,
      token_endpoint: `${t.base}/organizations/oauth2/v2.0/token`,
    });
    expect((await t.get('/common/v2.0/.well-known/openid-configuration')).status).toBe(200);
    expect(t.platform.openIdConfiguration()).toMatchObject({ issuer: `${t.base}/${TENANT_ID}/v2.0` });
    expect(() => t.platform.openIdConfiguration('contoso.com')).toThrow(SandboxError);
  });

  it('answers MSAL instance discovery with its own authority as the only alias', async () => {
    const endpoint = encodeURIComponent(`${t.base}/${TENANT_ID}/oauth2/v2.0/authorize`);
    const reply = await t.get(
      `/common/discovery/instance?api-version=1.1&authorization_endpoint=${endpoint}`,
    );
    const host = new URL(t.base).host;
    expect(reply.body).toEqual({
      tenant_discovery_endpoint: `${t.base}/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  it('publishes the signing key, and the published key validates the tokens it issues', async () => {
    const reply = await t.get(`/${ORGANIZATION}/discovery/v2.0/keys`);
    const keys = reply.body.keys as Record<string, string>[];
    expect(keys).toEqual([
      expect.objectContaining({ kty: 'RSA', use: 'sig', kid: signingKey.kid, x5t: signingKey.x5t }),
    ]);
    expect(t.platform.jwks.keys[0]).toMatchObject({ kid: signingKey.kid });

    const token = await passwordToken();
    const jwk = keys.find((key) => key.kid === decodeJwt(token)?.header.kid);
    const key = createPublicKey({ key: { kty: 'RSA', n: jwk?.n, e: jwk?.e }, format: 'jwk' });
    expect(
      verifyJwt(token, { key, audience: t.base, issuer: `https://sts.windows.net/${TENANT_ID}/` }).ok,
    ).toBe(true);
  });

  it('says AADSTS90002 for a tenant it does not have, echoing the correlation id the client sent', async () => {
    const correlation = randomUUID();
    const reply = await t.get('/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration', {
      'client-request-id': correlation,
    });
    expectEntraError(
      reply,
      400,
      'invalid_tenant',
      90002,
      "Tenant 'contoso.onmicrosoft.com' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
    );
    expect(reply.body.correlation_id).toBe(correlation);
    expect(reply.headers.get('client-request-id')).toBe(correlation);
    expect(reply.headers.get('x-ms-request-id')).toBe(reply.body.trace_id);
    const token = await t.post('/consumers/oauth2/v2.0/token', { grant_type: 'password' });
    expectEntraError(token, 400, 'invalid_tenant', 90002, /Tenant 'consumers' not found\. .+/);
  });
});

describe('over HTTPS', () => {
  it('serves discovery to a client that trusts the sandbox CA, with verification on', async () => {
    const ca = await createCertificateAuthority({ commonName: 'exo-connect sandbox CA' });
    const leaf = await issueServerCertificate({
      commonName: '127.0.0.1',
      ca,
      hosts: ['127.0.0.1', 'localhost'],
    });
    let platform: ReturnType<typeof createIdentityPlatform> | undefined;
    const server = createServer({ key: leaf.privateKeyPem, cert: leaf.certificatePem }, (req, res) => {
      void platform?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const authority = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    platform = createIdentityPlatform({
      tenantId: TENANT_ID,
      organization: ORGANIZATION,
      authority,
      audience: authority,
      signingKey,
      directory: memoryDirectory,
    });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${authority}/organizations/v2.0/.well-known/openid-configuration`,
          { ca: ca.certificatePem },
          (res) => {
            let text = '';
            res.on('data', (chunk) => {
              text += chunk;
            });
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toMatchObject({
        token_endpoint: `${authority}/organizations/oauth2/v2.0/token`,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
