import { createHash, X509Certificate } from 'node:crypto';
import { type AppCertificate, type AppRegistration, verifyAppSecret } from './apps.js';
import type { PlatformContext } from './context.js';
import { type EntraError, entraErrors } from './entra-errors.js';
import { base64UrlDecode, decodeJwt, verifyJwt } from './jwt.js';

/**
 * A confidential client's proof of identity at the token endpoint: a client secret (form field or HTTP
 * Basic) or a client assertion, a JWT the app signs with its certificate's key (RFC 7523), checked the way
 * Entra does against the certificates registered for the app.
 */

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type ClientAuthentication =
  | { ok: true; app: AppRegistration; credential: 'secret' | 'certificate' }
  | { ok: false; failure: EntraError };

export interface ClientAuthRequest {
  form: URLSearchParams;
  authorization?: string;
  /** The tenant as the request's path named it (for 700016's text). */
  tenantSegment: string;
}

function basicCredentials(header: string | undefined): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 2.3.1: both halves are form-urlencoded before they are joined.
  const formDecode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

export async function authenticateClient(
  context: PlatformContext,
  request: ClientAuthRequest,
): Promise<ClientAuthentication> {
  const basic = basicCredentials(request.authorization);
  const clientId = request.form.get('client_id') ?? basic?.clientId;
  if (!clientId) return { ok: false, failure: entraErrors.missingParameter('client_id') };
  const app = await context.apps?.find(clientId);
  if (!app) return { ok: false, failure: entraErrors.appNotFound(clientId, request.tenantSegment) };

  const assertion = request.form.get('client_assertion');
  if (assertion !== null) {
    if (request.form.get('client_assertion_type') !== JWT_BEARER) {
      return { ok: false, failure: entraErrors.missingParameter('client_assertion_type') };
    }
    const failure = checkAssertion(context, app, assertion, request.tenantSegment);
    return failure ? { ok: false, failure } : { ok: true, app, credential: 'certificate' };
  }
  const secret = request.form.get('client_secret') ?? basic?.secret;
  if (secret === undefined || secret === null || secret === '') {
    return { ok: false, failure: entraErrors.clientCredentialRequired() };
  }
  if (!(await verifyAppSecret(app, secret)))
    return { ok: false, failure: entraErrors.badClientSecret(app.clientId) };
  return { ok: true, app, credential: 'secret' };
}

/** The token endpoint URLs an assertion may name as its audience (v2 and v1, under any of the tenant's names). */
function tokenEndpoints(context: PlatformContext, tenantSegment: string): Set<string> {
  const names = new Set([tenantSegment.toLowerCase(), ...context.tenantNames]);
  const urls = new Set<string>();
  for (const name of names) {
    urls.add(`${context.authority}/${name}/oauth2/v2.0/token`.toLowerCase());
    urls.add(`${context.authority}/${name}/oauth2/token`.toLowerCase());
  }
  return urls;
}

function thumbprintOf(header: Record<string, unknown>): { kind: 'sha1' | 'sha256'; hex: string } | undefined {
  const sha256 = header['x5t#S256'];
  const sha1 = header.x5t;
  const [kind, value] = typeof sha256 === 'string' ? ['sha256', sha256] : ['sha1', sha1];
  if (typeof value !== 'string') return undefined;
  try {
    const bytes = base64UrlDecode(value);
    if (bytes.length !== (kind === 'sha256' ? 32 : 20)) return undefined;
    return { kind: kind as 'sha1' | 'sha256', hex: bytes.toString('hex').toUpperCase() };
  } catch {
    return undefined;
  }
}

function checkAssertion(
  context: PlatformContext,
  app: AppRegistration,
  assertion: string,
  tenantSegment: string,
): EntraError | undefined {
  const decoded = decodeJwt(assertion);
  if (!decoded || !['RS256', 'PS256'].includes(decoded.header.alg)) return entraErrors.malformedAssertion();
  if (decoded.header.x5t === undefined && decoded.header['x5t#S256'] === undefined) {
    return entraErrors.assertionWithoutThumbprint();
  }
  const thumbprint = thumbprintOf(decoded.header);
  if (!thumbprint) return entraErrors.malformedAssertion();
  const registered = app.certificates.find((certificate) =>
    thumbprint.kind === 'sha256'
      ? certificate.thumbprintSha256 === thumbprint.hex
      : certificate.thumbprintSha1 === thumbprint.hex,
  );
  if (!registered) return entraErrors.assertionKeyNotFound(app.clientId, { thumbprint: thumbprint.hex });
  const key = {
    thumbprint: thumbprint.hex,
    notBefore: new Date(registered.notBefore),
    notAfter: new Date(registered.notAfter),
  };
  const now = context.now();
  if (now < key.notBefore.getTime() || now > key.notAfter.getTime()) {
    return entraErrors.assertionKeyExpired(app.clientId, key);
  }

  const verification = verifyJwt(assertion, {
    key: publicKeyOf(registered),
    algorithms: ['RS256', 'PS256'],
    now: context.now,
    // Entra allows a few minutes of clock difference between the client and itself.
    clockSkewSeconds: 300,
  });
  if (!verification.ok) {
    if (verification.reason === 'bad-signature')
      return entraErrors.assertionSignatureInvalid(app.clientId, key);
    if (verification.reason === 'expired' || verification.reason === 'not-yet-valid') {
      const { nbf, exp } = verification.claims ?? {};
      return entraErrors.assertionTimeRange(
        new Date(now),
        new Date(typeof nbf === 'number' ? nbf * 1000 : 0),
        new Date(typeof exp === 'number' ? exp * 1000 : 0),
      );
    }
    return entraErrors.malformedAssertion();
  }
  const { claims } = verification;
  const clientId = app.clientId.toLowerCase();
  if (String(claims.iss).toLowerCase() !== clientId || String(claims.sub).toLowerCase() !== clientId) {
    return entraErrors.assertionSubject();
  }
  const audiences = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).map((aud) =>
    String(aud).toLowerCase(),
  );
  const endpoints = tokenEndpoints(context, tenantSegment);
  if (!audiences.some((aud) => endpoints.has(aud))) return entraErrors.assertionAudience();
  return undefined;
}

function publicKeyOf(certificate: AppCertificate) {
  return new X509Certificate(certificate.certificatePem).publicKey;
}

/** Base64url thumbprints of a certificate, as a client puts them in an assertion's header. */
export function assertionThumbprints(certificatePem: string): { x5t: string; 'x5t#S256': string } {
  const raw = new X509Certificate(certificatePem).raw;
  return {
    x5t: createHash('sha1').update(raw).digest('base64url'),
    'x5t#S256': createHash('sha256').update(raw).digest('base64url'),
  };
}
