import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, decodeJwt, signJwt, verifyJwt } from './jwt.js';
import { generateRsaKeyPair, type RsaKeyPair } from './x509.js';

const TENANT = '5b1b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';
const NOW_MS = 1_800_000_000_000;
const now = () => NOW_MS;
const iat = NOW_MS / 1000;

let keys: RsaKeyPair;
let other: RsaKeyPair;

beforeAll(async () => {
  [keys, other] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
});

function token(claims: Record<string, unknown> = {}, algorithm: 'RS256' | 'PS256' = 'RS256') {
  return signJwt(
    {
      aud: 'https://api.example',
      iss: 'https://issuer.example/',
      tid: TENANT,
      iat,
      nbf: iat,
      exp: iat + 60,
      ...claims,
    },
    { privateKey: keys.privateKey, algorithm, header: { kid: 'k1', x5t: 'abc' } },
  );
}

describe('base64url', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const encoded = base64UrlEncode(Buffer.from(bytes));
        expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
        expect([...base64UrlDecode(encoded)]).toEqual([...bytes]);
      }),
    );
  });

  it.each(['ab+c', 'ab/c', 'abc=', 'a b', 'A'])('refuses %j rather than skipping characters', (text) => {
    expect(() => base64UrlDecode(text)).toThrow(TypeError);
  });
});

describe('signJwt and verifyJwt', () => {
  it.each(['RS256', 'PS256'] as const)('round-trips a %s token with its header', (algorithm) => {
    const jwt = token({ upn: 'admin@sandbox.exo.localhost' }, algorithm);
    expect(decodeJwt(jwt)?.header).toEqual({ typ: 'JWT', kid: 'k1', x5t: 'abc', alg: algorithm });
    const result = verifyJwt(jwt, { key: keys.publicKey, algorithms: [algorithm], now });
    expect(result).toMatchObject({ ok: true, claims: { upn: 'admin@sandbox.exo.localhost', tid: TENANT } });
  });

  it('accepts the audience, issuer and tenant it is told to expect', () => {
    const result = verifyJwt(token({ aud: ['other', 'https://api.example'] }), {
      key: keys.publicKey,
      audience: ['https://api.example'],
      issuer: 'https://issuer.example/',
      tenantId: TENANT.toUpperCase(),
      now,
    });
    expect(result.ok).toBe(true);
  });

  it.each([
    ['two parts', 'a.b'],
    ['not JSON', 'eyJ.eyJ.sig'],
    ['a header that is an array', `${base64UrlEncode('[]')}.${base64UrlEncode('{}')}.`],
    ['a header without alg', `${base64UrlEncode('{}')}.${base64UrlEncode('{}')}.`],
    ['padding in the signature', `${base64UrlEncode('{"alg":"RS256"}')}.${base64UrlEncode('{}')}.abc=`],
  ])('calls a token with %s malformed', (_, jwt) => {
    expect(verifyJwt(jwt, { key: keys.publicKey, now })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses algorithms it was not told to accept, none and HS256 included', () => {
    const none = `${base64UrlEncode('{"alg":"none"}')}.${base64UrlEncode(`{"exp":${iat + 60}}`)}.`;
    expect(verifyJwt(none, { key: keys.publicKey, now })).toMatchObject({ reason: 'unsupported-algorithm' });
    expect(verifyJwt(token({}, 'PS256'), { key: keys.publicKey, now })).toMatchObject({
      reason: 'unsupported-algorithm',
    });
  });

  it('calls a token whose key the lookup does not know unknown-key', () => {
    expect(verifyJwt(token(), { key: () => undefined, now })).toMatchObject({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('detects another signer and any change to the signed text, and then withholds the claims', () => {
    const otherSigner = signJwt({ exp: iat + 60 }, { privateKey: other.privateKey });
    const forged = verifyJwt(otherSigner, { key: keys.publicKey, now });
    expect(forged).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(forged).not.toHaveProperty('claims');

    const jwt = token();
    fc.assert(
      fc.property(
        fc.nat({ max: jwt.lastIndexOf('.') - 1 }),
        fc.constantFrom(...'ABCxyz019_-'),
        (index, char) => {
          fc.pre(jwt[index] !== char && jwt[index] !== '.');
          const tampered = jwt.slice(0, index) + char + jwt.slice(index + 1);
          expect(verifyJwt(tampered, { key: keys.publicKey, now }).ok).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('expires at exp, with the clock skew it is given', () => {
    const jwt = token({ nbf: iat - 60, exp: iat });
    const expired = verifyJwt(jwt, { key: keys.publicKey, now });
    expect(expired).toMatchObject({ ok: false, reason: 'expired', claims: { exp: iat } });
    expect(verifyJwt(jwt, { key: keys.publicKey, now, clockSkewSeconds: 30 }).ok).toBe(true);
    expect(verifyJwt(jwt, { key: keys.publicKey, now: () => NOW_MS - 1 }).ok).toBe(true);
  });

  it('is not valid before nbf, with the clock skew it is given', () => {
    const jwt = token({ nbf: iat + 10 });
    expect(verifyJwt(jwt, { key: keys.publicKey, now })).toMatchObject({ reason: 'not-yet-valid' });
    expect(verifyJwt(jwt, { key: keys.publicKey, now, clockSkewSeconds: 10 }).ok).toBe(true);
  });

  it('needs a numeric exp', () => {
    const jwt = token({ exp: undefined });
    expect(verifyJwt(jwt, { key: keys.publicKey, now })).toMatchObject({ reason: 'malformed' });
    expect(verifyJwt(token({ exp: '1' }), { key: keys.publicKey, now })).toMatchObject({
      reason: 'malformed',
    });
  });

  it.each([
    ['wrong-audience', { audience: 'https://other.example' }],
    ['wrong-issuer', { issuer: 'https://sts.windows.net/other/' }],
    ['wrong-tenant', { tenantId: '00000000-0000-0000-0000-000000000001' }],
  ])('reports %s', (reason, expected) => {
    expect(verifyJwt(token(), { key: keys.publicKey, now, ...expected })).toMatchObject({
      ok: false,
      reason,
    });
  });

  it('reports a missing tid as wrong-tenant', () => {
    const result = verifyJwt(token({ tid: undefined }), { key: keys.publicKey, now, tenantId: TENANT });
    expect(result).toMatchObject({ ok: false, reason: 'wrong-tenant' });
  });
});
