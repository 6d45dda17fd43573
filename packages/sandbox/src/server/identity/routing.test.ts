import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityPlatform } from './identity-platform.js';
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

let signingKey: SigningKey;
let t: TestPlatform;

beforeAll(async () => {
  signingKey = await testSigningKey(await makeTempDir('exo-idp-'));
  t = await startTestPlatform({ signingKey });
});

afterAll(() => t.close());

describe('routing and request errors', () => {
  it('leaves paths that are not its own to the caller', async () => {
    for (const path of [
      '/',
      '/adminapi/beta/x/InvokeCommand',
      `/${TENANT_ID}/oauth2/v2.0/authorize`,
      '/favicon.ico',
    ]) {
      const response = await fetch(`${t.base}${path}`);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('not the identity platform');
    }
  });

  it('refuses a GET on the token endpoint as Entra does', async () => {
    const reply = await t.get(`/${TENANT_ID}/oauth2/v2.0/token`);
    expectEntraError(
      reply,
      400,
      'invalid_request',
      900561,
      'The endpoint only accepts POST, OPTIONS requests. Received a GET request.',
    );
  });

  it('names a missing grant_type, also when the body is not a form', async () => {
    const missing = "The request body must contain the following parameter: 'grant_type'.";
    expectEntraError(
      await t.post(`/${TENANT_ID}/oauth2/v2.0/token`, {}),
      400,
      'invalid_request',
      900144,
      missing,
    );
    const json = await fetch(`${t.base}/${TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password' }),
    });
    expectEntraError(
      { status: json.status, headers: json.headers, body: (await json.json()) as Record<string, unknown> },
      400,
      'invalid_request',
      900144,
      missing,
    );
  });

  it('refuses a grant type it does not know', async () => {
    const reply = await t.post(`/${TENANT_ID}/oauth2/v2.0/token`, { grant_type: 'authorization_code' });
    expectEntraError(
      reply,
      400,
      'unsupported_grant_type',
      70003,
      "The app requested an unsupported grant type 'authorization_code'.",
    );
  });

  it('refuses a body too large to be a token request', async () => {
    const reply = await t.post(`/${TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'password',
      padding: 'x'.repeat(70_000),
    });
    expectEntraError(
      reply,
      413,
      'invalid_request',
      9002313,
      'Invalid request. Request is malformed or invalid.',
    );
  });

  it('refuses options it cannot use', () => {
    const base = {
      tenantId: TENANT_ID,
      organization: ORGANIZATION,
      authority: t.base,
      audience: t.base,
      signingKey,
      directory: memoryDirectory,
    };
    expect(() => createIdentityPlatform({ ...base, tenantId: 'sandbox' })).toThrow(/tenantId/);
    expect(() => createIdentityPlatform({ ...base, authority: '127.0.0.1:443' })).toThrow(/authority/);
    expect(() => createIdentityPlatform({ ...base, lifetimes: { accessTokenSeconds: 0 } })).toThrow(
      /accessTokenSeconds/,
    );
  });

  it("answers a bug with Entra's transient error and tells onError, keeping the error's text out of the reply", async () => {
    const errors: unknown[] = [];
    const broken = await startTestPlatform({
      signingKey,
      directory: {
        authenticate: () => {
          throw new Error('directory exploded at row 7');
        },
      },
      onError: (error) => errors.push(error),
    });
    try {
      const reply = await broken.post(`/${TENANT_ID}/oauth2/v2.0/token`, {
        grant_type: 'password',
        client_id: EXO_CLIENT,
        username: 'admin@sandbox.exo.localhost',
        password: PASSWORD,
        scope: `${broken.base}/.default`,
      });
      expectEntraError(
        reply,
        500,
        'server_error',
        90033,
        'A transient error has occurred. Please try again.',
      );
      expect(JSON.stringify(reply.body)).not.toContain('exploded');
      expect(errors).toEqual([expect.objectContaining({ message: 'directory exploded at row 7' })]);
    } finally {
      await broken.close();
    }
  });

  it('makes up a correlation id when the client sends none, or one that is not a GUID', async () => {
    const reply = await t.get('/contoso.com/v2.0/.well-known/openid-configuration', {
      'client-request-id': 'abc',
    });
    expect(reply.body.correlation_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });
});
