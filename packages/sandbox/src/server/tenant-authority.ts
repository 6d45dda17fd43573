import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileExclusive, writeFileAtomic } from './identity/atomic-file.js';
import {
  createCertificateAuthority,
  type IssuedCertificate,
  issueServerCertificate,
} from './identity/x509.js';

/**
 * The REST face's files live in `<tenant>/rest/` (0700): the tenant's CA (made once, its key 0600), the TLS
 * certificate the server presents (issued by that CA for 127.0.0.1 and localhost), the token signing key and the
 * app registrations. A client trusts the CA (caPath) and nothing else: no verification is ever turned off.
 */
export const REST_DIR = 'rest';
export const CA_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const SERVER_FILE = 'server.pem';
const SERVER_KEY_FILE = 'server-key.pem';
/** The names the server's certificate is valid for: it listens on loopback only. */
export const SERVER_HOSTS = ['127.0.0.1', 'localhost'] as const;

export const restDirectory = (tenantDirectory: string) => join(tenantDirectory, REST_DIR);

export interface TenantAuthority {
  /** The CA certificate (PEM) a client passes as its trust anchor. */
  caPath: string;
  caPem: string;
  /** The server's certificate chain and key, for node:https. */
  serverCertificatePem: string;
  serverKeyPem: string;
}

async function readIfExists(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/**
 * Creates the pair at `certPath`/`keyPath` once, or reads the one there. The key is written first and the
 * certificate last (each exclusively), so a reader that finds the certificate finds its key; of two processes
 * racing, one wins and both use its pair.
 */
async function loadOrCreatePair(
  certPath: string,
  keyPath: string,
  create: () => Promise<IssuedCertificate>,
  valid: (certificate: X509Certificate) => boolean,
): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const certificatePem = await readIfExists(certPath);
  const privateKeyPem = await readIfExists(keyPath);
  if (certificatePem && privateKeyPem && valid(new X509Certificate(certificatePem))) {
    return { certificatePem, privateKeyPem };
  }
  const issued = await create();
  if (certificatePem || privateKeyPem) {
    // An expired or half-made pair (a process killed between the two writes): replace it whole.
    await writeFileAtomic(keyPath, issued.privateKeyPem);
    await writeFileAtomic(certPath, issued.certificatePem);
    return issued;
  }
  if (!(await createFileExclusive(keyPath, issued.privateKeyPem))) {
    return loadOrCreatePair(certPath, keyPath, create, valid);
  }
  await createFileExclusive(certPath, issued.certificatePem);
  return {
    certificatePem: (await readIfExists(certPath)) ?? issued.certificatePem,
    privateKeyPem: issued.privateKeyPem,
  };
}

const notExpiring = (certificate: X509Certificate) =>
  new Date(certificate.validTo).getTime() - Date.now() > 7 * 24 * 3600 * 1000;

/** The tenant's CA and server certificate, made on first use (createTenant or the first startSandboxServer). */
export async function ensureTenantAuthority(tenantDirectory: string): Promise<TenantAuthority> {
  const dir = restDirectory(tenantDirectory);
  const caPath = join(dir, CA_FILE);
  const ca = await loadOrCreatePair(
    caPath,
    join(dir, CA_KEY_FILE),
    () =>
      createCertificateAuthority({
        commonName: 'exo-connect sandbox tenant CA',
        organization: 'exo-connect',
      }),
    notExpiring,
  );
  const caKey: KeyObject = createPrivateKey(ca.privateKeyPem);
  const caCertificate = new X509Certificate(ca.certificatePem);
  const server = await loadOrCreatePair(
    join(dir, SERVER_FILE),
    join(dir, SERVER_KEY_FILE),
    () =>
      issueServerCertificate({
        commonName: 'exo-connect sandbox',
        organization: 'exo-connect',
        ca: { certificatePem: ca.certificatePem, privateKey: caKey },
        hosts: [...SERVER_HOSTS],
      }),
    // A certificate from an earlier CA (the CA was replaced) is issued again.
    (certificate) =>
      notExpiring(certificate) &&
      certificate.checkIssued(caCertificate) &&
      certificate.verify(caCertificate.publicKey),
  );
  return {
    caPath,
    caPem: ca.certificatePem,
    serverCertificatePem: server.certificatePem,
    serverKeyPem: server.privateKeyPem,
  };
}
