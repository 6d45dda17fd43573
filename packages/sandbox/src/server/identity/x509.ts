import {
  createHash,
  generateKeyPair as generateKeyPairCallback,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import {
  bitString,
  boolean,
  explicit,
  integer,
  namedBits,
  nullValue,
  octetString,
  oid,
  readElements,
  sequence,
  set,
  time,
  tlv,
  utf8String,
} from './der.js';

/**
 * X.509 v3 certificates (RFC 5280) with RSA keys and sha256WithRSAEncryption, DER-encoded here because
 * node:crypto parses and verifies certificates but cannot make one: self-signed ones for app registrations,
 * a CA for the sandbox's TLS, and server certificates that CA signs.
 */

const generateKeyPair = promisify(generateKeyPairCallback);

export interface DistinguishedName {
  commonName: string;
  organization?: string;
}

export type SubjectAltName = { dns: string } | { ip: string };
export type KeyUsage = 'digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign';
export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

export interface CreateCertificateOptions {
  subject: DistinguishedName;
  publicKey: KeyObject;
  /** The issuer's key and certificate; without a certificate the result is self-signed by `privateKey`. */
  signer: { privateKey: KeyObject; certificatePem?: string };
  notBefore?: Date;
  notAfter?: Date;
  /** Big-endian bytes; default 16 random bytes. */
  serialNumber?: Buffer;
  /** basicConstraints cA (critical); `pathLength` limits the chain below it. */
  ca?: boolean | { pathLength: number };
  keyUsage?: KeyUsage[];
  extendedKeyUsage?: ExtendedKeyUsage[];
  subjectAltNames?: SubjectAltName[];
}

const OID = {
  sha256WithRsa: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const KEY_USAGE_BITS: Record<KeyUsage, number> = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
};

const DAY_MS = 86_400_000;

/** Builds, signs and PEM-encodes one certificate. */
export function createCertificate(options: CreateCertificateOptions): string {
  const notBefore = options.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * DAY_MS);
  if (notAfter.getTime() <= notBefore.getTime())
    throw new RangeError('notAfter must be later than notBefore');
  const serial = options.serialNumber ?? randomBytes(16);
  const subject = encodeName(options.subject);
  const spki = options.publicKey.export({ type: 'spki', format: 'der' });
  const issuerCertificate = options.signer.certificatePem
    ? new X509Certificate(options.signer.certificatePem)
    : undefined;
  const issuerName = issuerCertificate ? subjectOf(issuerCertificate) : subject;
  const issuerSpki = issuerCertificate
    ? issuerCertificate.publicKey.export({ type: 'spki', format: 'der' })
    : spki;
  const signatureAlgorithm = sequence(oid(OID.sha256WithRsa), nullValue());

  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    signatureAlgorithm,
    issuerName,
    sequence(time(notBefore), time(notAfter)),
    subject,
    spki,
    explicit(3, sequence(...extensions(options, spki, issuerSpki))),
  );
  const signature = sign('sha256', tbs, options.signer.privateKey);
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function extensions(options: CreateCertificateOptions, spki: Buffer, issuerSpki: Buffer): Buffer[] {
  const list: Buffer[] = [];
  const ca = options.ca ?? false;
  const constraints: Buffer[] = [];
  if (ca) constraints.push(boolean(true));
  if (typeof ca === 'object') constraints.push(integer(ca.pathLength));
  list.push(extension(OID.basicConstraints, true, sequence(...constraints)));
  if (options.keyUsage?.length) {
    list.push(
      extension(OID.keyUsage, true, namedBits(options.keyUsage.map((usage) => KEY_USAGE_BITS[usage]))),
    );
  }
  if (options.extendedKeyUsage?.length) {
    list.push(
      extension(
        OID.extKeyUsage,
        false,
        sequence(...options.extendedKeyUsage.map((usage) => oid(OID[usage]))),
      ),
    );
  }
  if (options.subjectAltNames?.length) {
    list.push(extension(OID.subjectAltName, false, sequence(...options.subjectAltNames.map(generalName))));
  }
  list.push(extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))));
  list.push(extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, keyIdentifier(issuerSpki)))));
  return list;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

function encodeName(name: DistinguishedName): Buffer {
  const rdns = [];
  if (name.organization) rdns.push(set(sequence(oid(OID.organization), utf8String(name.organization))));
  rdns.push(set(sequence(oid(OID.commonName), utf8String(name.commonName))));
  return sequence(...rdns);
}

/** The issuer certificate's subject, byte for byte, so that chain building matches names exactly. */
function subjectOf(certificate: X509Certificate): Buffer {
  const [cert] = readElements(certificate.raw);
  const [tbs] = readElements(cert!.value);
  const fields = readElements(tbs!.value);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  return fields[offset + 4]!.raw;
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bits. */
function keyIdentifier(spki: Buffer): Buffer {
  const [info] = readElements(spki);
  const [, key] = readElements(info!.value);
  return createHash('sha1').update(key!.value.subarray(1)).digest();
}

function generalName(name: SubjectAltName): Buffer {
  if ('dns' in name) return tlv(0x82, Buffer.from(name.dns, 'ascii'));
  return tlv(0x87, ipBytes(name.ip));
}

function ipBytes(ip: string): Buffer {
  const version = isIP(ip);
  if (version === 4) return Buffer.from(ip.split('.').map((part) => Number.parseInt(part, 10)));
  if (version !== 6) throw new RangeError(`not an IP address: ${ip}`);
  const [head = '', tail] = ip.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.from(
    all.flatMap((group) => [Number.parseInt(group, 16) >> 8, Number.parseInt(group, 16) & 0xff]),
  );
}

export interface IssuedCertificate {
  certificatePem: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  privateKey: KeyObject;
  certificate: X509Certificate;
}

export interface CertificateRequest {
  commonName: string;
  organization?: string;
  validityDays?: number;
  /** Default: now less five minutes, so that a peer's slightly slow clock accepts it at once. */
  notBefore?: Date;
}

async function issue(
  request: CertificateRequest,
  defaultDays: number,
  build: (keys: RsaKeyPair) => CreateCertificateOptions,
) {
  const keys = await generateRsaKeyPair();
  const options = build(keys);
  const notBefore = request.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = new Date(notBefore.getTime() + (request.validityDays ?? defaultDays) * DAY_MS);
  const certificatePem = createCertificate({ ...options, notBefore, notAfter });
  return {
    certificatePem,
    privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey: keys.privateKey,
    certificate: new X509Certificate(certificatePem),
  } satisfies IssuedCertificate;
}

export interface RsaKeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export function generateRsaKeyPair(): Promise<RsaKeyPair> {
  return generateKeyPair('rsa', { modulusLength: 2048 });
}

/** A self-signed end-entity certificate, as New-SelfSignedCertificate makes for an app's sign-in. */
export function createSelfSignedCertificate(request: CertificateRequest): Promise<IssuedCertificate> {
  return issue(request, 365, (keys) => ({
    subject: request,
    publicKey: keys.publicKey,
    signer: { privateKey: keys.privateKey },
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: ['clientAuth', 'serverAuth'],
  }));
}

/** A root CA (cA true, keyCertSign) for the sandbox's TLS. */
export function createCertificateAuthority(request: CertificateRequest): Promise<IssuedCertificate> {
  return issue(request, 3650, (keys) => ({
    subject: request,
    publicKey: keys.publicKey,
    signer: { privateKey: keys.privateKey },
    ca: { pathLength: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
  }));
}

export interface ServerCertificateRequest extends CertificateRequest {
  ca: { certificatePem: string; privateKey: KeyObject };
  /** Names for subjectAltName: IP addresses and DNS names, e.g. ['127.0.0.1', 'localhost']. */
  hosts: string[];
}

/** A TLS server certificate signed by `ca`, valid for `hosts`. */
export function issueServerCertificate(request: ServerCertificateRequest): Promise<IssuedCertificate> {
  return issue(request, 397, (keys) => ({
    subject: { commonName: request.commonName, organization: request.organization },
    publicKey: keys.publicKey,
    signer: request.ca,
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: ['serverAuth'],
    subjectAltNames: request.hosts.map((host) => (isIP(host) ? { ip: host } : { dns: host })),
  }));
}
