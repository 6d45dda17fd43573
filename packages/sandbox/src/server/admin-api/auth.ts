import type { CallerIdentity } from '../contracts.js';
import { errorOutcome, type Outcome } from './outcome.js';

export type TokenFailure = 'expired' | 'signature' | 'audience' | 'tenant' | 'malformed';

/** What the identity platform says of a bearer token (injected: the admin API checks no signatures itself). */
export type TokenVerification =
  | { ok: true; caller: CallerIdentity }
  /** `message` replaces the default text of the reason (e.g. with the token's expiry time). */
  | { ok: false; reason: TokenFailure; message?: string };

export type VerifyToken = (bearer: string) => TokenVerification | Promise<TokenVerification>;

/** A tenant the API serves, named in URLs by its id or any of its domains. */
export interface AdminApiTenant {
  tenantId: string;
  domains: readonly string[];
}

export type TenantResolver = (segment: string) => AdminApiTenant | undefined;

/** The tenant of a URL segment, and the segment as the client wrote it (replies echo it back). */
export interface ResolvedTenant {
  tenantId: string;
  segment: string;
}

export function tenantResolver(tenants: readonly AdminApiTenant[] | TenantResolver): TenantResolver {
  if (typeof tenants === 'function') return tenants;
  return (segment) => {
    const wanted = segment.toLowerCase();
    return tenants.find(
      (tenant) =>
        tenant.tenantId.toLowerCase() === wanted ||
        tenant.domains.some((domain) => domain.toLowerCase() === wanted),
    );
  };
}

/** Exchange Online's resource principal and Entra's issuer, as its WWW-Authenticate challenge names them. */
const CHALLENGE =
  'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", ' +
  'trusted_issuers="00000001-0000-0000-c000-000000000000@*", ' +
  'token_types="app_asserted_user_v1 service_asserted_app_v1"';

const FAILURE_TEXTS: Readonly<Record<TokenFailure, string>> = {
  expired: 'The access token has expired. Acquire a new token and try again.',
  signature: 'The access token signature is not valid.',
  audience:
    'The audience of the access token is not valid: request a token for https://outlook.office365.com (scope https://outlook.office365.com/.default).',
  tenant: 'The access token was issued for another tenant than the one in the request URL.',
  malformed: 'The access token is not a valid JWT.',
};

export const MISSING_TOKEN_TEXT =
  'The request has no bearer token: send an Authorization: Bearer <access token> header with a token for https://outlook.office365.com.';

export interface AuthOptions {
  verifyToken: VerifyToken;
  resolveTenant: TenantResolver;
  /** Named in the challenge's authorization_uri. */
  authorizationUri: string;
}

export type Authenticated =
  | { ok: true; caller: CallerIdentity; tenant: ResolvedTenant }
  | { ok: false; outcome: Outcome };

/**
 * In the order the service checks: a bearer token at all, then the token, then the tenant of the URL (an
 * unknown one is 404, a token of another tenant 401).
 */
export async function authenticate(
  options: AuthOptions,
  authorization: string | undefined,
  segment: string,
): Promise<Authenticated> {
  const challenge = (failure?: string) =>
    `${CHALLENGE}, authorization_uri="${options.authorizationUri}"` +
    (failure ? `, error="invalid_token", error_description="${failure}"` : '');
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) {
    return { ok: false, outcome: errorOutcome(401, MISSING_TOKEN_TEXT, { 'WWW-Authenticate': challenge() }) };
  }
  const verification = await options.verifyToken(match[1]!);
  const unauthorized = (reason: TokenFailure, message?: string) => {
    // The header carries only our fixed texts: a caller's message could hold characters a header cannot.
    const text = message ?? FAILURE_TEXTS[reason];
    return {
      ok: false as const,
      outcome: errorOutcome(401, text, { 'WWW-Authenticate': challenge(FAILURE_TEXTS[reason]) }),
    };
  };
  if (!verification.ok) return unauthorized(verification.reason, verification.message);
  const tenant = options.resolveTenant(segment);
  if (!tenant) return { ok: false, outcome: errorOutcome(404, tenantNotFoundText(segment)) };
  if (verification.caller.tenantId.toLowerCase() !== tenant.tenantId.toLowerCase()) {
    return unauthorized('tenant', `The access token was issued for another tenant than '${segment}'.`);
  }
  return { ok: true, caller: verification.caller, tenant: { tenantId: tenant.tenantId, segment } };
}

export function tenantNotFoundText(segment: string): string {
  return `Tenant '${segment}' not found. Name the tenant by its id or one of its domains.`;
}

export const MISSING_ANCHOR_TEXT =
  'The request has no X-AnchorMailbox header. Send X-AnchorMailbox: UPN:<user principal name> with a delegated token, or APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@<tenant id> with an app-only token.';
