import { randomUUID } from 'node:crypto';
import { makeTempDir, waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, signJwt } from './jwt.js';
import type { SigningKey } from './signing-keys.js';
import {
  EXO_CLIENT,
  ORGANIZATION,
  PASSWORD,
  startTestPlatform,
  TENANT_ID,
  type TestPlatform,
  testSigningKey,
} from './test-support.js';

let signingKey: SigningKey;
let otherKey: SigningKey;
let t: TestPlatform;

beforeAll(async () => {
  [signingKey, otherKey] = await Promise.all([
    testSigningKey(await makeTempDir('exo-idp-')),
    testSigningKey(await makeTempDir('exo-idp-')),
  ]);
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

describe('verifyAccessToken', () => {
  it('accepts its own token for its audience and tenant, named by GUID or domain', async () => {
    const token = await passwordToken();
    const expected = {
      ok: true,
      caller: {
        tenantId: TENANT_ID,
        userPrincipalName: 'admin@sandbox.exo.localhost',
        scopes: ['Exchange.Manage'],
        roles: [],
      },
    };
    expect(t.platform.verifyAccessToken(token)).toMatchObject(expected);
    expect(
      t.platform.verifyAccessToken(token, { audience: `${t.base}/`, tenantId: ORGANIZATION }),
    ).toMatchObject(expected);
  });

  it('reports a wrong audience, another tenant, and a forged signature', async () => {
    const token = await passwordToken();
    expect(t.platform.verifyAccessToken(token, { audience: 'https://outlook.office365.com' })).toMatchObject({
      ok: false,
      reason: 'wrong-audience',
    });
    expect(t.platform.verifyAccessToken(token, { tenantId: 'contoso.onmicrosoft.com' })).toMatchObject({
      ok: false,
      reason: 'wrong-tenant',
    });
    expect(t.platform.verifyAccessToken(token, { tenantId: randomUUID() })).toMatchObject({
      reason: 'wrong-tenant',
    });

    const claims = decodeJwt(token)?.claims ?? {};
    const forged = signJwt(claims, {
      privateKey: otherKey.privateKey,
      header: { kid: signingKey.kid, x5t: signingKey.x5t },
    });
    expect(t.platform.verifyAccessToken(forged)).toMatchObject({ ok: false, reason: 'bad-signature' });
    const foreign = signJwt(claims, { privateKey: otherKey.privateKey, header: { kid: otherKey.kid } });
    expect(t.platform.verifyAccessToken(foreign)).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(t.platform.verifyAccessToken('not a token')).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('reports a token past its lifetime as expired', { timeout: 30_000 }, async () => {
    const short = await startTestPlatform({ signingKey, lifetimes: { accessTokenSeconds: 1 } });
    try {
      const token = await passwordToken(short);
      expect(
        await waitFor(() => short.platform.verifyAccessToken(token).ok === false, {
          timeoutMs: 20_000,
          intervalMs: 50,
        }),
      ).toBe(true);
      expect(short.platform.verifyAccessToken(token)).toMatchObject({ ok: false, reason: 'expired' });
    } finally {
      await short.close();
    }
  });
});
