import { createPrivateKey, randomUUID } from 'node:crypto';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxApp, openAppStore, type SandboxAppCredentials } from './apps.js';
import { assertionThumbprints, JWT_BEARER } from './client-auth.js';
import { decodeJwt, type JwtAlgorithm, type JwtHeader, signJwt } from './jwt.js';
import {
  escapeRegExp,
  expectEntraError,
  ORGANIZATION,
  startTestPlatform,
  TENANT_ID,
  type TestPlatform,
  testSigningKey,
} from './test-support.js';
import { createSelfSignedCertificate, type IssuedCertificate } from './x509.js';

let t: TestPlatform;
let app: SandboxAppCredentials;
let stranger: IssuedCertificate;
let expired: { clientId: string; issued: IssuedCertificate };
let tokenUrl: string;

beforeAll(async () => {
  const directory = await makeTempDir('exo-idp-');
  const apps = openAppStore(directory);
  const [signingKey, certApp, unregistered, old] = await Promise.all([
    testSigningKey(directory),
    createSandboxApp({ directory, displayName: 'Exporter', withCertificate: true }),
    createSelfSignedCertificate({ commonName: 'Not registered' }),
    createSelfSignedCertificate({
      commonName: 'Old',
      notBefore: new Date(Date.now() - 2 * 365 * 86_400_000),
      validityDays: 365,
    }),
  ]);
  [app, stranger] = [certApp, unregistered];
  const oldApp = await apps.register({ displayName: 'Old', certificatePems: [old.certificatePem] });
  expired = { clientId: oldApp.clientId, issued: old };
  t = await startTestPlatform({ signingKey, apps });
  tokenUrl = `${t.base}/${TENANT_ID}/oauth2/v2.0/token`;
});

afterAll(() => t.close());

interface AssertionOptions {
  claims?: Record<string, unknown>;
  header?: Partial<JwtHeader>;
  privateKeyPem?: string;
  certificatePem?: string;
  algorithm?: JwtAlgorithm;
  clientId?: string;
}

/** A client assertion as MSAL builds one: aud the token endpoint, iss = sub = client id, x5t of the certificate. */
function assertion(options: AssertionOptions = {}): string {
  const clientId = options.clientId ?? app.clientId;
  const now = Math.floor(Date.now() / 1000);
  const thumbprints = assertionThumbprints(options.certificatePem ?? (app.certificatePem as string));
  const header =
    options.algorithm === 'PS256' ? { 'x5t#S256': thumbprints['x5t#S256'] } : { x5t: thumbprints.x5t };
  return signJwt(
    {
      aud: tokenUrl,
      iss: clientId,
      sub: clientId,
      jti: randomUUID(),
      nbf: now,
      iat: now,
      exp: now + 600,
      ...options.claims,
    },
    {
      privateKey: createPrivateKey(options.privateKeyPem ?? (app.privateKeyPem as string)),
      algorithm: options.algorithm ?? 'RS256',
      header: { ...header, ...options.header },
    },
  );
}

function token(form: Record<string, string>, tenant = TENANT_ID, headers: Record<string, string> = {}) {
  return t.post(
    `/${tenant}/oauth2/v2.0/token`,
    { grant_type: 'client_credentials', scope: `${t.base}/.default`, ...form },
    headers,
  );
}

function withAssertion(value: string, clientId = app.clientId) {
  return token({ client_id: clientId, client_assertion_type: JWT_BEARER, client_assertion: value });
}

describe('client credentials with a certificate (client assertion)', () => {
  it.each(['RS256', 'PS256'] as const)(
    'issues a token for an assertion signed %s with the registered certificate',
    async (algorithm) => {
      const reply = await withAssertion(assertion({ algorithm }));
      expect(reply.status).toBe(200);
      expect(decodeJwt(reply.body.access_token as string)?.claims).toMatchObject({
        appid: app.clientId,
        appidacr: '2',
      });
    },
  );

  it('takes the v1 token endpoint and the tenant by domain as the audience', async () => {
    expect(
      (await withAssertion(assertion({ claims: { aud: `${t.base}/${ORGANIZATION}/oauth2/token` } }))).status,
    ).toBe(200);
  });

  it('says AADSTS700027 (key not found) for a certificate the app does not have', async () => {
    const thumbprint = stranger.certificate.fingerprint.replaceAll(':', '');
    const reply = await withAssertion(
      assertion({ certificatePem: stranger.certificatePem, privateKeyPem: stranger.privateKeyPem }),
    );
    const text =
      `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', ` +
      `Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'. `;
    expectEntraError(
      reply,
      401,
      'invalid_client',
      700027,
      new RegExp(
        `${escapeRegExp(text)}.+'https://graph\\.microsoft\\.com/beta/applications/${app.clientId}'\\]\\. Alternatively, SNI may be configured on the app\\..+`,
      ),
    );
  });

  it('says AADSTS700027 (signature failed) for the right thumbprint signed by another key', async () => {
    const reply = await withAssertion(assertion({ privateKeyPem: stranger.privateKeyPem }));
    expectEntraError(
      reply,
      401,
      'invalid_client',
      700027,
      /Client assertion contains an invalid signature\. \[Reason - Key was found, but use of the key to verify the signature failed\., Thumbprint of key used by client: '[0-9A-F]{40}', Found key 'Start=\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d, End=\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d', Please visit .+\]\./,
    );
  });

  it('says AADSTS700027 (expired) for a registered certificate past its validity', async () => {
    const reply = await withAssertion(
      assertion({
        clientId: expired.clientId,
        certificatePem: expired.issued.certificatePem,
        privateKeyPem: expired.issued.privateKeyPem,
      }),
      expired.clientId,
    );
    expectEntraError(
      reply,
      401,
      'invalid_client',
      700027,
      /Client assertion contains an invalid signature\. \[Reason - The key used is expired\., .+/,
    );
  });

  it('says AADSTS700023 for another audience, AADSTS700021 for another issuer, AADSTS700024 out of time', async () => {
    const docs =
      'Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .';
    expectEntraError(
      await withAssertion(assertion({ claims: { aud: `${t.base}/contoso.com/oauth2/v2.0/token` } })),
      401,
      'invalid_client',
      700023,
      `Client assertion audience claim does not match Realm issuer. ${docs}`,
    );
    expectEntraError(
      await withAssertion(assertion({ claims: { iss: randomUUID() } })),
      401,
      'invalid_client',
      700021,
      `Client assertion application identifier doesn't match 'client_id' parameter. ${docs}`,
    );
    const longAgo = Math.floor(Date.now() / 1000) - 3600;
    expectEntraError(
      await withAssertion(assertion({ claims: { nbf: longAgo - 600, exp: longAgo } })),
      401,
      'invalid_client',
      700024,
      /Client assertion is not within its valid time range\. Current time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z, assertion valid from \S+, expiry time of assertion \S+\. Review the documentation at https:\/\/learn\.microsoft\.com\/entra\/identity-platform\/certificate-credentials \./,
    );
  });

  it('says AADSTS50027 for an assertion that is not a JWT or names no certificate', async () => {
    expectEntraError(
      await withAssertion('not.a.jwt'),
      401,
      'invalid_client',
      50027,
      'JWT token is invalid or malformed.',
    );
    const noThumbprint = signJwt(
      { iss: app.clientId },
      { privateKey: createPrivateKey(app.privateKeyPem as string) },
    );
    expectEntraError(
      await withAssertion(noThumbprint),
      401,
      'invalid_client',
      50027,
      'Invalid JWT token. No certificate thumbprint specified in token header.',
    );
    const wrongType = await token({
      client_id: app.clientId,
      client_assertion_type: 'jwt',
      client_assertion: assertion(),
    });
    expectEntraError(
      wrongType,
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'client_assertion_type'.",
    );
  });
});
