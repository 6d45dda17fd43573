import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExoError } from '../../errors/exo-error.js';

/** What MSAL signs a client assertion with: the certificate's SHA-256 thumbprint, its key and its chain. */
export interface ClientCertificate {
  thumbprintSha256: string;
  privateKey: string;
  x5c: string;
}

const FIELD = 'credential.certificateFilePath';

function invalid(message: string, remediation: string, cause?: unknown): ExoError {
  return new ExoError('INVALID_ARGUMENT', message, {
    details: { field: FIELD },
    remediation,
    ...(cause !== undefined && { cause }),
  });
}

const PFX_REMEDY =
  'Node reads PEM, not PKCS#12: convert the file once with `openssl pkcs12 -in app.pfx -out app.pem` ' +
  '(add -nodes to leave the key unencrypted; otherwise pass its pass phrase as certificatePassword), or use the ' +
  'module strategy, which reads .pfx files.';

/**
 * Reads a PEM file holding the app's certificate and its private key (PKCS#8 or PKCS#1, encrypted with
 * `passphrase` or not). The key stays in memory, unencrypted, for this connection only.
 */
export function readClientCertificate(path: string, passphrase: string | undefined): ClientCertificate {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw invalid(
      `${FIELD}: ${path} cannot be read.`,
      'Give the path of a readable PEM file with the certificate and its private key.',
      error,
    );
  }
  const text = bytes.toString('utf8');
  if (!text.includes('-----BEGIN'))
    throw invalid(`${FIELD}: ${path} is not a PEM file (a .pfx?).`, PFX_REMEDY);
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
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificates[0]);
  } catch (error) {
    throw invalid(
      `${FIELD}: the certificate in ${path} cannot be read.`,
      'Give a PEM X.509 certificate.',
      error,
    );
  }
  let privateKey: string;
  try {
    const key = createPrivateKey({
      key: keyPem,
      format: 'pem',
      ...(passphrase !== undefined && { passphrase }),
    });
    privateKey = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    if (!certificate.checkPrivateKey(key)) {
      throw invalid(
        `${FIELD}: the private key in ${path} is not the certificate's.`,
        "Give the certificate's own key.",
      );
    }
  } catch (error) {
    if (ExoError.is(error)) throw error;
    const encrypted = keyPem.includes('ENCRYPTED') || /Proc-Type: 4,ENCRYPTED/.test(keyPem);
    throw new ExoError(
      'INVALID_ARGUMENT',
      encrypted
        ? `credential.certificatePassword: the private key in ${path} could not be decrypted.`
        : `${FIELD}: the private key in ${path} cannot be read.`,
      {
        details: { field: encrypted ? 'credential.certificatePassword' : FIELD },
        remediation: encrypted
          ? "Give the key's pass phrase as certificatePassword."
          : 'Give a PEM private key (PKCS#8 or PKCS#1).',
      },
    );
  }
  return {
    thumbprintSha256: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    privateKey,
    x5c: certificates.join('\n'),
  };
}
