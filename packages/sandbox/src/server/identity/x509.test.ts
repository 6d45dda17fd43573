import { X509Certificate } from 'node:crypto';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { integer, namedBits, oid, time } from './der.js';
import {
  createCertificate,
  createCertificateAuthority,
  createSelfSignedCertificate,
  generateRsaKeyPair,
  type IssuedCertificate,
  issueServerCertificate,
} from './x509.js';

describe('DER encoding', () => {
  it('encodes integers minimally, with a zero byte before a high bit', () => {
    expect(integer(0).toString('hex')).toBe('020100');
    expect(integer(127).toString('hex')).toBe('02017f');
    expect(integer(128).toString('hex')).toBe('02020080');
    expect(integer(Buffer.from([0, 0, 1, 2])).toString('hex')).toBe('02020102');
  });

  it('encodes object identifiers with base-128 arcs', () => {
    expect(oid('1.2.840.113549.1.1.11').toString('hex')).toBe('06092a864886f70d01010b');
    expect(oid('2.5.29.19').toString('hex')).toBe('0603551d13');
  });

  it('drops trailing zero bits from named bit strings (keyUsage)', () => {
    expect(namedBits([0, 2]).toString('hex')).toBe('030205a0');
    expect(namedBits([5, 6]).toString('hex')).toBe('03020106');
  });

  it('writes UTCTime through 2049 and GeneralizedTime after', () => {
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });
});

describe('certificates', () => {
  let ca: IssuedCertificate;

  beforeAll(async () => {
    ca = await createCertificateAuthority({
      commonName: 'exo-connect sandbox CA',
      organization: 'exo-connect',
    });
  });

  it('makes a self-signed certificate that node:crypto parses and verifies', async () => {
    const issued = await createSelfSignedCertificate({ commonName: 'Sandbox app', validityDays: 30 });
    const certificate = new X509Certificate(issued.certificatePem);
    expect(certificate.subject).toBe('CN=Sandbox app');
    expect(certificate.issuer).toBe('CN=Sandbox app');
    expect(certificate.ca).toBe(false);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(issued.privateKey)).toBe(true);
    const days = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / 86_400_000;
    expect(days).toBe(30);
    expect(Date.parse(certificate.validFrom)).toBeLessThanOrEqual(Date.now());
  });

  it('makes a CA with cA true', () => {
    expect(ca.certificate.ca).toBe(true);
    expect(ca.certificate.subject).toBe('O=exo-connect\nCN=exo-connect sandbox CA');
    expect(ca.certificate.verify(ca.certificate.publicKey)).toBe(true);
  });

  it('issues a server certificate for IP 127.0.0.1 and DNS localhost, signed by the CA', async () => {
    const server = await issueServerCertificate({
      commonName: '127.0.0.1',
      ca,
      hosts: ['127.0.0.1', 'localhost', '::1'],
    });
    const certificate = server.certificate;
    expect(certificate.subjectAltName).toBe(
      'IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIssued(ca.certificate)).toBe(true);
    expect(certificate.verify(ca.certificate.publicKey)).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(false);
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('refuses a validity that ends before it starts', async () => {
    const keys = await generateRsaKeyPair();
    const notBefore = new Date();
    expect(() =>
      createCertificate({
        subject: { commonName: 'x' },
        publicKey: keys.publicKey,
        signer: { privateKey: keys.privateKey },
        notBefore,
        notAfter: notBefore,
      }),
    ).toThrow(RangeError);
  });
});

describe('TLS with the sandbox CA', () => {
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  async function serve(): Promise<{ port: number; caPem: string }> {
    const ca = await createCertificateAuthority({ commonName: 'exo-connect sandbox CA' });
    const leaf = await issueServerCertificate({
      commonName: '127.0.0.1',
      ca,
      hosts: ['127.0.0.1', 'localhost'],
    });
    const server = createServer({ key: leaf.privateKeyPem, cert: leaf.certificatePem }, (_req, res) => {
      res.end('hello');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, caPem: ca.certificatePem };
  }

  function get(port: number, options: { ca?: string; servername?: string }) {
    return new Promise<{ body: string; authorized: boolean }>((resolve, reject) => {
      // Full verification, as any client does: the CA is the only thing the test adds.
      const req = request({ host: '127.0.0.1', port, path: '/', ...options }, (res) => {
        const { authorized } = res.socket as TLSSocket;
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ body, authorized }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('is trusted by a client that is given the CA, by IP and by the name localhost', async () => {
    const { port, caPem } = await serve();
    expect(await get(port, { ca: caPem })).toEqual({ body: 'hello', authorized: true });
    expect(await get(port, { ca: caPem, servername: 'localhost' })).toEqual({
      body: 'hello',
      authorized: true,
    });
  });

  it('is refused by a client without the CA, and for a name the certificate does not have', async () => {
    const { port, caPem } = await serve();
    await expect(get(port, {})).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await expect(get(port, { ca: caPem, servername: 'example.com' })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });
});
