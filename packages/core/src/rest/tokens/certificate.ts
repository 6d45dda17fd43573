import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Forge from 'node-forge';
import { ExoError } from '../../errors/exo-error.js';

let loaded: typeof Forge | undefined;
/** node-forge, loaded the first time a .pfx is read: most connections never need it (~65 ms to load). */
function forgeLib(): typeof Forge {
  loaded ??= createRequire(import.meta.url)('node-forge') as typeof Forge;
  return loaded;
}

/** What MSAL signs a client assertion with: the certificate's SHA-256 thumbprint, its key and its chain. */
export interface ClientCertificate {
  thumbprintSha256: string;
  privateKey: string;
  x5c: string;
}

const FIELD = 'credential.certificateFilePath';
const PASSWORD_FIELD = 'credential.certificatePassword';
const THUMBPRINT_FIELD = 'credential.certificateThumbprint';

function invalid(message: string, remediation: string, cause?: unknown, field = FIELD): ExoError {
  return new ExoError('INVALID_ARGUMENT', message, {
    details: { field },
    remediation,
    ...(cause !== undefined && { cause }),
  });
}

const FORMAT_REMEDY =
  'Give a .pfx/.p12 (PKCS#12) file, or a PEM file with the certificate and its private key ' +
  '(`openssl pkcs12 -export -in app.crt -inkey app.key -out app.pfx` makes a .pfx of the two).';

/** The DER bytes as PKCS#12, or undefined when they are not DER at all (so not a .pfx). */
function pkcs12Of(bytes: Buffer): Forge.asn1.Asn1 | undefined {
  const forge = forgeLib();
  try {
    return forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
  } catch {
    return undefined;
  }
}

/** A PKCS#12 file's certificates and key as PEM text. */
function pemFromPkcs12(asn1: Forge.asn1.Asn1, password: string | undefined, path: string): string {
  const forge = forgeLib();
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? '');
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/MAC|password|decrypt/i.test(message)) {
      throw invalid(
        `${PASSWORD_FIELD}: ${path} could not be opened ${password === undefined ? 'without a password' : 'with this password'}.`,
        "Give the .pfx file's password as certificatePassword.",
        undefined,
        PASSWORD_FIELD,
      );
    }
    throw invalid(`${FIELD}: ${path} is not a PKCS#12 file this reader understands.`, FORMAT_REMEDY, error);
  }
  const bags = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
  const key = [...bags(forge.pki.oids.pkcs8ShroudedKeyBag!), ...bags(forge.pki.oids.keyBag!)].find(
    (bag) => bag.key,
  )?.key;
  const certificates = bags(forge.pki.oids.certBag!).flatMap((bag) =>
    bag.cert ? [forge.pki.certificateToPem(bag.cert)] : [],
  );
  if (!key || certificates.length === 0) {
    throw invalid(
      `${FIELD}: ${path} must hold the certificate and its private key (found ${certificates.length ? 'no private key' : 'no certificate'}).`,
      'Export the certificate with its private key (Export-PfxCertificate, or openssl pkcs12 -export -inkey).',
    );
  }
  return `${certificates.join('\n')}\n${forge.pki.privateKeyToPem(key)}`;
}

/**
 * Where the current user's `My` store keeps a certificate that can be read without the platform's API:
 * .NET's store on Linux (`~/.dotnet/corefx/cryptography/x509stores/my/<THUMBPRINT>.pfx`, no password).
 * Windows' and macOS's stores are the platform's own: refused with a remedy.
 */
export function storedCertificatePath(
  thumbprint: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform !== 'linux') {
    throw invalid(
      `${THUMBPRINT_FIELD}: the rest strategy cannot read the ${platform === 'win32' ? 'Windows' : platform === 'darwin' ? 'macOS' : platform} certificate store.`,
      'Export the certificate with its key to a .pfx file and give it as certificateFilePath, or use the module strategy, which reads the store.',
      undefined,
      THUMBPRINT_FIELD,
    );
  }
  const home = env.HOME || homedir();
  return join(
    home,
    '.dotnet',
    'corefx',
    'cryptography',
    'x509stores',
    'my',
    `${thumbprint.toUpperCase()}.pfx`,
  );
}

/** The certificate a thumbprint names in the current user's `My` store (see storedCertificatePath). */
export function readStoredCertificate(
  thumbprint: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): ClientCertificate {
  const path = storedCertificatePath(thumbprint, env, platform);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw invalid(
      `${THUMBPRINT_FIELD}: no certificate ${thumbprint.toUpperCase()} in the current user's My store (${path}).`,
      "Import it with its key into CurrentUser\\My (pwsh: [X509Store]::new('My','CurrentUser'), Add), or give its .pfx file as certificateFilePath.",
      error,
      THUMBPRINT_FIELD,
    );
  }
  // .NET writes its store's files with a null password: the MAC is keyed with no password at all (which
  // node-forge cannot express), the contents with an empty one. The MAC guards the file's integrity in
  // transit; this file never left the user's own store, and a changed key would not decrypt.
  const asn1 = pkcs12Of(bytes);
  if (!asn1 || !Array.isArray(asn1.value) || asn1.value.length !== 3)
    return certificateOf(bytes, undefined, path);
  const withoutMac = { ...asn1, value: asn1.value.slice(0, 2) };
  return certificateOf(Buffer.from(pemFromPkcs12(withoutMac, '', path)), undefined, path);
}

/**
 * Reads the app's certificate and its private key from a .pfx/.p12 (PKCS#12) file or a PEM file (PKCS#8 or
 * PKCS#1 key, encrypted or not); `password` opens either. The key stays in memory, unencrypted, for this
 * connection only.
 */
export function readClientCertificate(path: string, password: string | undefined): ClientCertificate {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw invalid(
      `${FIELD}: ${path} cannot be read.`,
      'Give the path of a readable .pfx or PEM file with the certificate and its private key.',
      error,
    );
  }
  return certificateOf(bytes, password, path);
}

function certificateOf(bytes: Buffer, password: string | undefined, path: string): ClientCertificate {
  let text = bytes.toString('utf8');
  let keyPassword = password;
  if (!text.includes('-----BEGIN')) {
    const asn1 = pkcs12Of(bytes);
    if (!asn1) throw invalid(`${FIELD}: ${path} is neither a PKCS#12 (.pfx) nor a PEM file.`, FORMAT_REMEDY);
    text = pemFromPkcs12(asn1, password, path);
    keyPassword = undefined;
  }
  const certificates = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const keyPem =
    /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.exec(
      text,
    )?.[0];
  if (!certificates[0] || !keyPem) {
    throw invalid(
      `${FIELD}: ${path} must hold the certificate and its private key (found ${certificates.length ? 'no private key' : 'no certificate'}).`,
      'Put both in one PEM file: `cat app.crt app.key > app.pem`.',
    );
  }
  let keyed: { certificate: X509Certificate; privateKey: string };
  try {
    keyed = { certificate: new X509Certificate(certificates[0]), privateKey: '' };
  } catch (error) {
    throw invalid(
      `${FIELD}: the certificate in ${path} cannot be read.`,
      'Give an X.509 certificate.',
      error,
    );
  }
  try {
    const key = createPrivateKey({
      key: keyPem,
      format: 'pem',
      ...(keyPassword !== undefined && { passphrase: keyPassword }),
    });
    keyed.privateKey = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    if (!keyed.certificate.checkPrivateKey(key)) {
      throw invalid(
        `${FIELD}: the private key in ${path} is not the certificate's.`,
        "Give the certificate's own key.",
      );
    }
  } catch (error) {
    if (ExoError.is(error)) throw error;
    const encrypted = keyPem.includes('ENCRYPTED') || /Proc-Type: 4,ENCRYPTED/.test(keyPem);
    throw encrypted
      ? invalid(
          `${PASSWORD_FIELD}: the private key in ${path} could not be decrypted.`,
          "Give the key's pass phrase as certificatePassword.",
          undefined,
          PASSWORD_FIELD,
        )
      : invalid(
          `${FIELD}: the private key in ${path} cannot be read.`,
          'Give a PEM private key (PKCS#8 or PKCS#1).',
        );
  }
  return {
    thumbprintSha256: keyed.certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    privateKey: keyed.privateKey,
    x5c: certificates.join('\n'),
  };
}
