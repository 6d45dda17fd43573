import type { AccessToken } from '../contracts.js';

/** The claims of a JWT's payload; undefined when the token is not a JWT (an opaque token). */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What the service learns from a token besides its value: tenant, user or app, and expiry. */
export interface TokenFacts {
  expiresOnMs?: number;
  tenantId?: string;
  userPrincipalName?: string;
  appId?: string;
}

/** The facts a token's own claims state: `tid`, `upn` (else `preferred_username`), `appid`/`azp`, `exp`. */
export function factsOf(token: string): TokenFacts {
  const claims = jwtClaims(token);
  if (!claims) return {};
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  // App-only tokens carry roles and no scp; their `appid` (v1) or `azp` (v2) names the app.
  const delegated = claims.scp !== undefined || claims.upn !== undefined;
  return {
    ...(exp !== undefined && { expiresOnMs: exp }),
    ...(text(claims.tid) && { tenantId: text(claims.tid) }),
    ...(delegated && {
      userPrincipalName: text(claims.upn) ?? text(claims.preferred_username) ?? text(claims.unique_name),
    }),
    ...(!delegated && { appId: text(claims.appid) ?? text(claims.azp) }),
  };
}

/** An AccessToken from what the token says of itself, filled in from what the issuer said beside it. */
export function accessTokenOf(token: string, issuer: TokenFacts, fallbackTenant: string): AccessToken {
  const own = factsOf(token);
  const userPrincipalName = own.userPrincipalName ?? issuer.userPrincipalName;
  const appId = userPrincipalName ? undefined : (own.appId ?? issuer.appId);
  return {
    token,
    expiresOnMs: own.expiresOnMs ?? issuer.expiresOnMs ?? 0,
    tenantId: own.tenantId ?? issuer.tenantId ?? fallbackTenant,
    ...(userPrincipalName && { userPrincipalName }),
    ...(appId && { appId }),
  };
}
