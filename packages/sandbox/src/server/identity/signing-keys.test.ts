import { createPublicKey, X509Certificate } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signJwt, verifyJwt } from './jwt.js';
import { jwks, loadOrCreateSigningKey, SIGNING_KEY_FILE, signingKeyFromPem } from './signing-keys.js';
import { createSelfSignedCertificate } from './x509.js';

let directory: string;

beforeEach(async () => {
  directory = join(await makeTempDir('exo-signing-'), 'identity');
});

afterEach(async () => {
  await rm(join(directory, '..'), { recursive: true, force: true });
});

describe('loadOrCreateSigningKey', () => {
  it('creates the key once, readable by its owner only, and loads the same key thereafter', async () => {
    const created = await loadOrCreateSigningKey(directory);
    const file = join(directory, SIGNING_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    expect(await readdir(directory)).toEqual([SIGNING_KEY_FILE]);

    const loaded = await loadOrCreateSigningKey(directory);
    expect(loaded.kid).toBe(created.kid);
    expect(loaded.privateKey.equals(created.privateKey)).toBe(true);
    expect(created.kid).toBe(created.x5t);
    expect(created.certificate.checkPrivateKey(created.privateKey)).toBe(true);
  });

  it('gives processes racing to create it one key between them', async () => {
    const keys = await Promise.all(Array.from({ length: 4 }, () => loadOrCreateSigningKey(directory)));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    expect(await readdir(directory)).toEqual([SIGNING_KEY_FILE]);
    const onDisk = signingKeyFromPem(await readFile(join(directory, SIGNING_KEY_FILE), 'utf8'));
    expect(onDisk.kid).toBe(keys[0]?.kid);
  });

  it('refuses a file whose certificate is not its key', async () => {
    const [a, b] = await Promise.all([
      createSelfSignedCertificate({ commonName: 'a' }),
      createSelfSignedCertificate({ commonName: 'b' }),
    ]);
    expect(() => signingKeyFromPem(a.privateKeyPem + b.certificatePem)).toThrow(/does not match/);
    expect(() => signingKeyFromPem(a.privateKeyPem)).toThrow(/must hold/);
  });
});

describe('jwks', () => {
  it('publishes the key as Entra does, and the published key verifies what the private key signs', async () => {
    const key = await loadOrCreateSigningKey(directory);
    const issuer = 'https://127.0.0.1:4443/5b1b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d/v2.0';
    const document = jwks([key], issuer);
    expect(document.keys).toHaveLength(1);
    const [jwk] = document.keys;
    expect(jwk).toMatchObject({ kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.x5t, e: 'AQAB', issuer });
    expect(new X509Certificate(Buffer.from(jwk?.x5c?.[0] ?? '', 'base64')).fingerprint).toBe(
      key.certificate.fingerprint,
    );

    const token = signJwt({ exp: Math.floor(Date.now() / 1000) + 60 }, { privateKey: key.privateKey });
    const published = createPublicKey({ key: { kty: 'RSA', n: jwk?.n, e: jwk?.e }, format: 'jwk' });
    expect(verifyJwt(token, { key: published }).ok).toBe(true);
  });
});
