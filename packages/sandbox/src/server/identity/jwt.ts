import { constants, type KeyObject, sign, verify } from 'node:crypto';

/** JSON Web Tokens (RFC 7519) signed with RSA: RS256 (PKCS#1 v1.5) and PS256 (PSS, as MSAL signs assertions). */

export type JwtAlgorithm = 'RS256' | 'PS256';

export interface JwtHeader {
  alg: string;
  typ?: string;
  kid?: string;
  /** Base64url SHA-1 thumbprint of the signing certificate. */
  x5t?: string;
  'x5t#S256'?: string;
  [name: string]: unknown;
}

export type JwtClaims = Record<string, unknown>;

export function base64UrlEncode(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Strict: anything but the base64url alphabet (padding included) is refused rather than skipped. */
export function base64UrlDecode(text: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new TypeError('not base64url');
  return Buffer.from(text, 'base64url');
}

export interface SignJwtOptions {
  privateKey: KeyObject;
  algorithm?: JwtAlgorithm;
  /** Header fields besides `alg` (kid, x5t, x5t#S256, x5c, typ). `typ` defaults to JWT. */
  header?: Omit<JwtHeader, 'alg'>;
}

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };

export function signJwt(claims: JwtClaims, options: SignJwtOptions): string {
  const algorithm = options.algorithm ?? 'RS256';
  // Entra's order: typ, alg, then the key's names; the algorithm used is the one named, whatever the header says.
  const header: JwtHeader = { typ: 'JWT', alg: algorithm, ...options.header };
  header.alg = algorithm;
  const input = `${base64UrlEncode(JSON.stringify(header))}.${base64UrlEncode(JSON.stringify(claims))}`;
  const key = algorithm === 'PS256' ? { key: options.privateKey, ...PSS } : options.privateKey;
  return `${input}.${base64UrlEncode(sign('sha256', Buffer.from(input), key))}`;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

/** Splits and parses a compact JWS without checking anything; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  try {
    const header = JSON.parse(base64UrlDecode(headerPart).toString('utf8')) as unknown;
    const claims = JSON.parse(base64UrlDecode(claimsPart).toString('utf8')) as unknown;
    if (!isObject(header) || typeof header.alg !== 'string' || !isObject(claims)) return undefined;
    return {
      header: header as JwtHeader,
      claims,
      signingInput: `${headerPart}.${claimsPart}`,
      signature: base64UrlDecode(signaturePart),
    };
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type JwtFailureReason =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'wrong-tenant';

export type JwtVerification =
  | { ok: true; header: JwtHeader; claims: JwtClaims }
  /** `claims` only when the signature held (so they are the issuer's), e.g. for an expired token. */
  | { ok: false; reason: JwtFailureReason; message: string; header?: JwtHeader; claims?: JwtClaims };

export interface VerifyJwtOptions {
  /** The verification key, or a lookup by header (kid, x5t); undefined from it means unknown-key. */
  key: KeyObject | ((header: JwtHeader) => KeyObject | undefined);
  /** Default ['RS256']. */
  algorithms?: JwtAlgorithm[];
  /** Accepted `aud` values; the token's `aud` (a string or an array) must contain one. */
  audience?: string | string[];
  issuer?: string | string[];
  /** The `tid` claim must equal it (GUIDs compare case-insensitively). */
  tenantId?: string;
  /** Leeway for `exp` and `nbf`. Default 0. */
  clockSkewSeconds?: number;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

/**
 * Checks, in this order, shape, algorithm, key, signature, then `exp`/`nbf`, `iss`, `aud` and `tid`: claims
 * are looked at only once the signature holds, so a forged token learns nothing about them.
 */
export function verifyJwt(token: string, options: VerifyJwtOptions): JwtVerification {
  const decoded = decodeJwt(token);
  if (!decoded) return fail('malformed', 'The token is not a well-formed JWT.');
  const { header, claims } = decoded;
  const algorithms = options.algorithms ?? ['RS256'];
  if (!algorithms.includes(header.alg as JwtAlgorithm)) {
    return fail('unsupported-algorithm', 'The token signing algorithm is not accepted.', header);
  }
  const key = typeof options.key === 'function' ? options.key(header) : options.key;
  if (!key) return fail('unknown-key', 'The token is signed with a key that is not known.', header);
  if (!signatureHolds(decoded, key)) return fail('bad-signature', 'The token signature is invalid.', header);

  const now = (options.now ?? Date.now)() / 1000;
  const skew = options.clockSkewSeconds ?? 0;
  if (typeof claims.exp !== 'number')
    return fail('malformed', 'The token has no expiry (exp).', header, claims);
  if (now >= claims.exp + skew) return fail('expired', 'The token is expired.', header, claims);
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== 'number')
      return fail('malformed', 'The token nbf claim is not a number.', header, claims);
    if (now < claims.nbf - skew)
      return fail('not-yet-valid', 'The token is not valid yet (nbf).', header, claims);
  }
  if (options.issuer !== undefined && !listOf(options.issuer).includes(claims.iss as string)) {
    return fail('wrong-issuer', 'The token issuer is invalid.', header, claims);
  }
  if (options.audience !== undefined) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const accepted = listOf(options.audience);
    if (!audiences.some((audience) => typeof audience === 'string' && accepted.includes(audience))) {
      return fail('wrong-audience', 'The token audience is invalid.', header, claims);
    }
  }
  if (options.tenantId !== undefined) {
    if (typeof claims.tid !== 'string' || claims.tid.toLowerCase() !== options.tenantId.toLowerCase()) {
      return fail('wrong-tenant', 'The token was issued for another tenant.', header, claims);
    }
  }
  return { ok: true, header, claims };
}

function signatureHolds(decoded: DecodedJwt, key: KeyObject): boolean {
  if (key.asymmetricKeyType !== 'rsa') return false;
  const input = Buffer.from(decoded.signingInput);
  try {
    if (decoded.header.alg === 'PS256') return verify('sha256', input, { key, ...PSS }, decoded.signature);
    return verify('sha256', input, key, decoded.signature);
  } catch {
    return false;
  }
}

function listOf(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function fail(
  reason: JwtFailureReason,
  message: string,
  header?: JwtHeader,
  claims?: JwtClaims,
): JwtVerification {
  return { ok: false, reason, message, ...(header && { header }), ...(claims && { claims }) };
}
