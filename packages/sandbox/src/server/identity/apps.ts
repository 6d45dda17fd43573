import {
  createHash,
  pbkdf2 as pbkdf2Callback,
  randomBytes,
  randomInt,
  randomUUID,
  timingSafeEqual,
  X509Certificate,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SandboxError } from '../../errors/sandbox-error.js';
import { writeFileAtomic } from './atomic-file.js';
import { createSelfSignedCertificate } from './x509.js';

/**
 * The sandbox's app registrations: what an admin uploads in Entra's portal (a display name, public
 * certificates, client secrets), kept as one JSON file (mode 0600, replaced atomically). A secret is stored
 * only as a PBKDF2 hash, as the tenant's passwords are; it is shown once, by createSandboxApp.
 */

export const APPS_FILE = 'apps.json';

const pbkdf2 = promisify(pbkdf2Callback);
const ITERATIONS = 100_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AppCertificate {
  /** Upper-case hex, as Windows and the portal show thumbprints. */
  thumbprintSha1: string;
  thumbprintSha256: string;
  certificatePem: string;
  notBefore: string;
  notAfter: string;
}

export interface AppSecret {
  keyId: string;
  /** The first three characters, as the portal shows them. */
  hint: string;
  /** `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64). */
  hash: string;
  createdUtc: string;
}

export interface AppRegistration {
  clientId: string;
  displayName: string;
  createdUtc: string;
  certificates: AppCertificate[];
  secrets: AppSecret[];
}

export interface RegisterAppInput {
  displayName: string;
  /** Default: a new GUID. */
  clientId?: string;
  /** PEM public certificates (RSA keys). */
  certificatePems?: string[];
  /** Plain client secrets to accept; only their hashes are stored. */
  secrets?: string[];
}

export interface AppStore {
  readonly directory: string;
  list(): Promise<AppRegistration[]>;
  find(clientId: string): Promise<AppRegistration | undefined>;
  register(input: RegisterAppInput): Promise<AppRegistration>;
}

interface AppsFile {
  format: 1;
  apps: AppRegistration[];
}

// Writers in this process take turns per file, so no registration is lost to a concurrent read-modify-write.
const writeQueues = new Map<string, Promise<unknown>>();

/** The registrations in `directory`; each call reads the file, so apps registered by another process count. */
export function openAppStore(directory: string): AppStore {
  const path = join(directory, APPS_FILE);

  async function read(): Promise<AppRegistration[]> {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return [];
    const file = JSON.parse(text) as AppsFile;
    return Array.isArray(file.apps) ? file.apps : [];
  }

  async function register(input: RegisterAppInput): Promise<AppRegistration> {
    const displayName = input.displayName?.trim();
    if (!displayName) throw invalid('displayName', 'An app registration needs a display name.');
    const clientId = (input.clientId ?? randomUUID()).toLowerCase();
    if (!GUID.test(clientId)) throw invalid('clientId', 'An app registration client id is a GUID.');
    const certificates = (input.certificatePems ?? []).map((pem) => certificateOf(pem));
    const secrets = await Promise.all((input.secrets ?? []).map((secret) => secretRecord(secret)));
    const apps = await read();
    if (apps.some((app) => app.clientId === clientId)) {
      throw invalid('clientId', `An app registration with client id ${clientId} exists already.`);
    }
    const app: AppRegistration = {
      clientId,
      displayName,
      createdUtc: new Date().toISOString(),
      certificates,
      secrets,
    };
    await writeFileAtomic(
      path,
      `${JSON.stringify({ format: 1, apps: [...apps, app] } satisfies AppsFile, null, 2)}\n`,
    );
    return app;
  }

  return {
    directory,
    list: read,
    async find(clientId) {
      const wanted = clientId.toLowerCase();
      return (await read()).find((app) => app.clientId === wanted);
    },
    register(input) {
      const next = (writeQueues.get(path) ?? Promise.resolve()).then(() => register(input));
      const settled = next.catch(() => undefined);
      writeQueues.set(path, settled);
      void settled.then(() => {
        if (writeQueues.get(path) === settled) writeQueues.delete(path);
      });
      return next;
    },
  };
}

function invalid(option: string, message: string): SandboxError {
  return new SandboxError('INVALID_OPTION', message, { details: { option } });
}

/** A registered certificate's facts, from its PEM. */
export function certificateOf(pem: string): AppCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw new SandboxError('INVALID_OPTION', 'A certificate is not a valid PEM X.509 certificate.', {
      cause: error,
      details: { option: 'certificatePems' },
    });
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') {
    throw invalid('certificatePems', 'A certificate must carry an RSA public key.');
  }
  return {
    thumbprintSha1: createHash('sha1').update(certificate.raw).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(certificate.raw).digest('hex').toUpperCase(),
    certificatePem: certificate.toString(),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~';

/** A secret shaped like Entra's: 40 characters, `8Q~` after a three-character hint. */
export function generateClientSecret(): string {
  const pick = (count: number) =>
    Array.from({ length: count }, () => SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)]).join('');
  return `${pick(3)}8Q~${pick(34)}`;
}

async function secretRecord(secret: string): Promise<AppSecret> {
  if (typeof secret !== 'string' || secret.length < 16) {
    throw invalid('secrets', 'A client secret must be at least 16 characters long.');
  }
  return {
    keyId: randomUUID(),
    hint: secret.slice(0, 3),
    hash: await hashSecret(secret),
    createdUtc: new Date().toISOString(),
  };
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await pbkdf2(secret, salt, ITERATIONS, 32, 'sha256');
  return `pbkdf2-sha256$${ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iterations || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await pbkdf2(
    secret,
    Buffer.from(salt, 'base64'),
    Number(iterations),
    expected.length,
    'sha256',
  );
  return timingSafeEqual(actual, expected);
}

/** Whether `secret` is one of the app's client secrets. */
export async function verifyAppSecret(app: AppRegistration, secret: string): Promise<boolean> {
  for (const record of app.secrets) {
    if (await verifySecret(secret, record.hash)) return true;
  }
  return false;
}

export interface CreateSandboxAppOptions {
  /** The directory of the app store (as openAppStore). */
  directory: string;
  displayName: string;
  /** Make a self-signed certificate (RSA 2048, one year) and register its public half. */
  withCertificate?: boolean;
  /** Make a client secret and register its hash. */
  withSecret?: boolean;
}

export interface SandboxAppCredentials {
  clientId: string;
  displayName: string;
  /** Shown once: only its hash is stored. */
  secret?: string;
  certificatePem?: string;
  /** PKCS#8 PEM; never stored by the sandbox. */
  privateKeyPem?: string;
  thumbprintSha1?: string;
  thumbprintSha256?: string;
}

/** Registers an app and returns what a client needs to sign in as it (client id, secret, certificate and key). */
export async function createSandboxApp(options: CreateSandboxAppOptions): Promise<SandboxAppCredentials> {
  const secret = options.withSecret ? generateClientSecret() : undefined;
  const issued = options.withCertificate
    ? await createSelfSignedCertificate({ commonName: options.displayName })
    : undefined;
  const app = await openAppStore(options.directory).register({
    displayName: options.displayName,
    certificatePems: issued ? [issued.certificatePem] : [],
    secrets: secret ? [secret] : [],
  });
  const certificate = app.certificates[0];
  return {
    clientId: app.clientId,
    displayName: app.displayName,
    ...(secret && { secret }),
    ...(issued &&
      certificate && {
        certificatePem: issued.certificatePem,
        privateKeyPem: issued.privateKeyPem,
        thumbprintSha1: certificate.thumbprintSha1,
        thumbprintSha256: certificate.thumbprintSha256,
      }),
  };
}
