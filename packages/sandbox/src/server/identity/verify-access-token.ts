import type { CallerIdentity } from '../contracts.js';
import { accessTokenIssuer, type PlatformContext, resolveTenant } from './context.js';
import { type JwtClaims, type JwtFailureReason, verifyJwt } from './jwt.js';

export type AccessTokenVerification =
  | { ok: true; caller: CallerIdentity; claims: JwtClaims }
  | { ok: false; reason: JwtFailureReason; message: string };

export interface ExpectedToken {
  /** Default: the platform's audience; with or without a trailing slash. */
  audience?: string | string[];
  /** The tenant's GUID or one of its names; default the platform's tenant. */
  tenantId?: string;
}

/** Checks a bearer token the platform issued (its key, its v1 issuer) for one audience and tenant. */
export function verifyAccessToken(
  context: PlatformContext,
  token: string,
  expected: ExpectedToken = {},
): AccessTokenVerification {
  const audiences = [expected.audience ?? context.audience].flat().flatMap((audience) => {
    const bare = audience.replace(/\/+$/, '');
    return [bare, `${bare}/`];
  });
  // A name of this tenant becomes its GUID; another tenant's name stays as given, so it matches no token here.
  const named = expected.tenantId;
  const tenantId =
    named === undefined || resolveTenant(context, named)?.kind === 'tenant' ? context.tenantId : named;
  const { signingKey } = context;
  const result = verifyJwt(token, {
    key: (header) =>
      header.kid === signingKey.kid || header.x5t === signingKey.x5t ? signingKey.publicKey : undefined,
    audience: audiences,
    issuer: accessTokenIssuer(context.tenantId),
    tenantId,
    now: context.now,
  });
  if (!result.ok) return { ok: false, reason: result.reason, message: result.message };
  const { claims } = result;
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((role): role is string => typeof role === 'string')
    : [];
  const caller: CallerIdentity = {
    tenantId: String(claims.tid),
    scopes: typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [],
    roles,
    ...(claims.idtyp === 'app' ? { appId: String(claims.appid) } : { userPrincipalName: String(claims.upn) }),
  };
  return { ok: true, caller, claims };
}
