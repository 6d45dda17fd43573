import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileExclusive } from './atomic-file.js';
import { createSelfSignedCertificate } from './x509.js';

/**
 * A tenant's token-signing key: RSA 2048 with a self-signed certificate, as Entra publishes its keys (kid and
 * x5t are both the certificate's base64url SHA-1 thumbprint, x5c the certificate). Made once per directory,
 * kept there as PEM (mode 0600) and loaded thereafter, so tokens outlive a server restart.
 */

export const SIGNING_KEY_FILE = 'signing-key.pem';

export interface SigningKey {
  kid: string;
  x5t: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificatePem: string;
  certificate: X509Certificate;
}

export interface Jwk {
  kty: 'RSA';
  use: 'sig';
  kid: string;
  x5t?: string;
  n: string;
  e: string;
  x5c?: string[];
  issuer?: string;
}

export async function loadOrCreateSigningKey(directory: string): Promise<SigningKey> {
  const path = join(directory, SIGNING_KEY_FILE);
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) return signingKeyFromPem(existing);
  const issued = await createSelfSignedCertificate({
    commonName: 'exo-connect sandbox token signing',
    validityDays: 3650,
  });
  // Of two processes racing to create the key, one wins; the other reads the winner's, so both sign alike.
  const created = await createFileExclusive(path, issued.privateKeyPem + issued.certificatePem);
  return signingKeyFromPem(
    created ? issued.privateKeyPem + issued.certificatePem : await readFile(path, 'utf8'),
  );
}

/** Parses the file's two PEM blocks: a PKCS#8 private key and its certificate. */
export function signingKeyFromPem(pem: string): SigningKey {
  const keyBlock = pemBlock(pem, 'PRIVATE KEY');
  const certificateBlock = pemBlock(pem, 'CERTIFICATE');
  if (!keyBlock || !certificateBlock) {
    throw new Error('The signing key file must hold a PKCS#8 private key and its certificate.');
  }
  const privateKey = createPrivateKey(keyBlock);
  const certificate = new X509Certificate(certificateBlock);
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error("The signing key file's certificate does not match its private key.");
  }
  const x5t = createHash('sha1').update(certificate.raw).digest('base64url');
  return {
    kid: x5t,
    x5t,
    privateKey,
    publicKey: certificate.publicKey,
    certificatePem: certificateBlock,
    certificate,
  };
}

function pemBlock(pem: string, label: string): string | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`).exec(pem);
  return match ? `${match[0]}\n` : undefined;
}

/** The JSON Web Key of a signing key, as Entra's discovery/v2.0/keys lists it. */
export function jwkOf(key: SigningKey, issuer?: string): Jwk {
  const { n, e } = key.publicKey.export({ format: 'jwk' });
  return {
    kty: 'RSA',
    use: 'sig',
    kid: key.kid,
    x5t: key.x5t,
    n: n as string,
    e: e as string,
    x5c: [key.certificate.raw.toString('base64')],
    ...(issuer && { issuer }),
  };
}

export function jwks(keys: SigningKey[], issuer?: string): { keys: Jwk[] } {
  return { keys: keys.map((key) => jwkOf(key, issuer)) };
}
