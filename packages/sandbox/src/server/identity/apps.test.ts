import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxError } from '../../errors/sandbox-error.js';
import { APPS_FILE, createSandboxApp, generateClientSecret, openAppStore, verifyAppSecret } from './apps.js';
import { createCertificate, createCertificateAuthority } from './x509.js';

let directory: string;

beforeEach(async () => {
  directory = await makeTempDir('exo-apps-');
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('createSandboxApp', () => {
  it('registers an app and returns its secret, certificate and key, storing neither the secret nor the key', async () => {
    const app = await createSandboxApp({
      directory,
      displayName: 'Nightly export',
      withCertificate: true,
      withSecret: true,
    });
    expect(app.clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(app.secret).toMatch(/^.{3}8Q~.{34}$/);

    const certificate = new X509Certificate(app.certificatePem as string);
    expect(certificate.subject).toBe('CN=Nightly export');
    expect(certificate.checkPrivateKey(createPrivateKey(app.privateKeyPem as string))).toBe(true);
    expect(app.thumbprintSha1).toBe(certificate.fingerprint.replaceAll(':', ''));
    expect(app.thumbprintSha256).toBe(certificate.fingerprint256.replaceAll(':', ''));

    const file = join(directory, APPS_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(app.secret);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).toContain(app.thumbprintSha1);

    const stored = await openAppStore(directory).find(app.clientId.toUpperCase());
    expect(stored).toMatchObject({
      displayName: 'Nightly export',
      secrets: [{ hint: app.secret?.slice(0, 3) }],
    });
    expect(await verifyAppSecret(stored!, app.secret as string)).toBe(true);
    expect(await verifyAppSecret(stored!, generateClientSecret())).toBe(false);
  });

  it('makes neither credential unless asked', async () => {
    const app = await createSandboxApp({ directory, displayName: 'Bare' });
    expect(Object.keys(app).sort()).toEqual(['clientId', 'displayName']);
    expect(await openAppStore(directory).find(app.clientId)).toMatchObject({ certificates: [], secrets: [] });
  });

  it('loses no registration when several are made at once, and leaves no temporary file', async () => {
    const apps = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        createSandboxApp({ directory, displayName: `App ${i}`, withSecret: true }),
      ),
    );
    const listed = await openAppStore(directory).list();
    expect(listed.map((app) => app.clientId).sort()).toEqual(apps.map((app) => app.clientId).sort());
    expect(await readdir(directory)).toEqual([APPS_FILE]);
  });
});

describe('openAppStore', () => {
  it('is empty before anything is registered', async () => {
    const store = openAppStore(join(directory, 'none'));
    expect(await store.list()).toEqual([]);
    expect(await store.find('6f1c2a8e-3b5d-4e7f-9a0b-5c8d2e4f6a1b')).toBeUndefined();
  });

  it('registers a given client id and certificate', async () => {
    const ca = await createCertificateAuthority({ commonName: 'CA' });
    const store = openAppStore(directory);
    const app = await store.register({
      displayName: 'Given',
      clientId: '6F1C2A8E-3B5D-4E7F-9A0B-5C8D2E4F6A1B',
      certificatePems: [ca.certificatePem],
    });
    expect(app.clientId).toBe('6f1c2a8e-3b5d-4e7f-9a0b-5c8d2e4f6a1b');
    expect(app.certificates[0]).toMatchObject({
      thumbprintSha1: ca.certificate.fingerprint.replaceAll(':', ''),
      notAfter: new Date(ca.certificate.validTo).toISOString(),
    });
  });

  it.each([
    ['displayName', { displayName: '  ' }],
    ['clientId', { displayName: 'x', clientId: 'not-a-guid' }],
    [
      'certificatePems',
      { displayName: 'x', certificatePems: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'] },
    ],
    ['secrets', { displayName: 'x', secrets: ['short'] }],
  ])('refuses a bad %s', async (option, input) => {
    const error = await openAppStore(directory)
      .register(input)
      .catch((e: unknown) => e);
    expect(SandboxError.is(error, 'INVALID_OPTION')).toBe(true);
    expect((error as SandboxError).details).toMatchObject({ option });
    expect((error as Error).message).not.toContain('short');
  });

  it('refuses a certificate without an RSA key, and a client id registered already', async () => {
    const ca = await createCertificateAuthority({ commonName: 'CA' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecCertificate = createCertificate({
      subject: { commonName: 'ec' },
      publicKey: ec.publicKey,
      signer: ca,
    });
    const store = openAppStore(directory);
    await expect(store.register({ displayName: 'x', certificatePems: [ecCertificate] })).rejects.toThrow(
      /RSA/,
    );
    const app = await store.register({ displayName: 'first' });
    await expect(store.register({ displayName: 'again', clientId: app.clientId })).rejects.toThrow(
      /exists already/,
    );
  });
});
