import { randomUUID } from 'node:crypto';
import { authenticateClient } from './client-auth.js';
import type { PlatformContext, ResolvedTenant } from './context.js';
import { type EntraError, entraErrors } from './entra-errors.js';
import type { DelegatedUser } from './grant-stores.js';
import { appAccessToken, delegatedTokenResponse } from './tokens.js';

/** POST <tenant>/oauth2/v2.0/token and /devicecode: the grants, as pure request → response functions. */

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** The short name Entra's v2.0 endpoint also takes for it, and the one MSAL sends. */
export const DEVICE_CODE_GRANT_SHORT = 'device_code';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export type EndpointResult = { ok: true; body: Record<string, unknown> } | { ok: false; failure: EntraError };

export interface TokenRequest {
  form: URLSearchParams;
  tenant: ResolvedTenant;
  authorization?: string;
}

const failed = (failure: EntraError): EndpointResult => ({ ok: false, failure });

function sameResource(context: PlatformContext, resource: string): boolean {
  return resource.replace(/\/+$/, '').toLowerCase() === context.audience.toLowerCase();
}

interface DelegatedScope {
  openid: boolean;
  offlineAccess: boolean;
}

/** A delegated grant asks for `<audience>/.default`, with any of the OpenID Connect scopes beside it. */
function delegatedScope(context: PlatformContext, scope: string | null): DelegatedScope | EntraError {
  if (!scope?.trim()) return entraErrors.missingParameter('scope');
  const scopes = scope.trim().split(/\s+/);
  const resourceScopes = scopes.filter((item) => !OIDC_SCOPES.has(item.toLowerCase()));
  const valid =
    resourceScopes.length === 1 &&
    resourceScopes[0]?.toLowerCase().endsWith('/.default') &&
    sameResource(context, (resourceScopes[0] as string).slice(0, -'/.default'.length));
  if (!valid) return entraErrors.invalidScope(scope.trim());
  const lower = scopes.map((item) => item.toLowerCase());
  return { openid: lower.includes('openid'), offlineAccess: lower.includes('offline_access') };
}

/** A public client: one every tenant has (the EXO module's), or one of the tenant's app registrations. */
async function publicClientName(context: PlatformContext, clientId: string): Promise<string | undefined> {
  const known = context.publicClients.get(clientId.toLowerCase());
  if (known) return known;
  return (await context.apps?.find(clientId))?.displayName;
}

async function publicClient(context: PlatformContext, request: TokenRequest) {
  const clientId = request.form.get('client_id');
  if (!clientId) return entraErrors.missingParameter('client_id');
  const displayName = await publicClientName(context, clientId);
  if (!displayName) return entraErrors.appNotFound(clientId, request.tenant.segment);
  return { clientId: clientId.toLowerCase(), displayName };
}

export async function deviceAuthorization(
  context: PlatformContext,
  request: TokenRequest,
): Promise<EndpointResult> {
  const client = await publicClient(context, request);
  if ('status' in client) return failed(client);
  const scope = delegatedScope(context, request.form.get('scope'));
  if ('status' in scope) return failed(scope);
  const lifetime = context.lifetimes.deviceCodeSeconds;
  const record = context.deviceCodes.create(client.clientId, request.form.get('scope') as string, lifetime);
  if (context.deviceCode.autoApprove)
    context.deviceCodes.approve(record.userCode, context.deviceCode.userPrincipalName);
  const uri = context.deviceCode.verificationUri;
  return {
    ok: true,
    body: {
      user_code: record.userCode,
      device_code: record.deviceCode,
      verification_uri: uri,
      expires_in: lifetime,
      interval: context.deviceCode.intervalSeconds,
      message: `To sign in, use a web browser to open the page ${uri} and enter the code ${record.userCode} to authenticate.`,
    },
  };
}

export async function tokenGrant(context: PlatformContext, request: TokenRequest): Promise<EndpointResult> {
  const grantType = request.form.get('grant_type');
  if (!grantType) return failed(entraErrors.missingParameter('grant_type'));
  switch (grantType) {
    case DEVICE_CODE_GRANT:
    case DEVICE_CODE_GRANT_SHORT:
      return deviceCodeGrant(context, request);
    case 'password':
      return passwordGrant(context, request);
    case 'refresh_token':
      return refreshGrant(context, request);
    case 'client_credentials':
      return clientCredentialsGrant(context, request);
    default:
      return failed(entraErrors.unsupportedGrantType(grantType));
  }
}

function delegatedResult(
  context: PlatformContext,
  request: TokenRequest,
  client: { clientId: string; displayName: string },
  user: DelegatedUser,
  amr: string[],
  scope: DelegatedScope,
): EndpointResult {
  const body = delegatedTokenResponse(context, {
    clientId: client.clientId,
    clientDisplayName: client.displayName,
    user,
    amr,
    ...scope,
    clientInfo: request.form.get('client_info') === '1',
  });
  return { ok: true, body };
}

async function deviceCodeGrant(context: PlatformContext, request: TokenRequest): Promise<EndpointResult> {
  const client = await publicClient(context, request);
  if ('status' in client) return failed(client);
  const deviceCode = request.form.get('device_code') ?? request.form.get('code');
  if (!deviceCode) return failed(entraErrors.missingParameter('device_code'));
  const redemption = context.deviceCodes.redeem(deviceCode, client.clientId);
  switch (redemption.kind) {
    case 'unknown':
      return failed(entraErrors.malformedGrant());
    case 'wrong-client':
      return failed(entraErrors.invalidGrant());
    case 'pending':
      return failed(entraErrors.authorizationPending());
    case 'expired':
      return failed(entraErrors.deviceCodeExpired());
    case 'redeemed':
      return failed(entraErrors.codeRedeemed());
  }
  const upn = redemption.record.upn as string;
  const user = context.directory.findUser ? await context.directory.findUser(upn) : { upn };
  if (!user) return failed(entraErrors.unknownUser(context.tenantId));
  const scope = delegatedScope(context, redemption.record.scope) as DelegatedScope;
  return delegatedResult(context, request, client, user, ['pwd', 'mfa'], scope);
}

async function passwordGrant(context: PlatformContext, request: TokenRequest): Promise<EndpointResult> {
  const client = await publicClient(context, request);
  if ('status' in client) return failed(client);
  const scope = delegatedScope(context, request.form.get('scope'));
  if ('status' in scope) return failed(scope);
  const username = request.form.get('username');
  if (!username) return failed(entraErrors.missingParameter('username'));
  const password = request.form.get('password');
  if (!password) return failed(entraErrors.missingParameter('password'));
  const result = await context.directory.authenticate(username, password);
  if (!result.ok) {
    switch (result.reason) {
      case 'bad-password':
        return failed(entraErrors.badPassword());
      case 'unknown-user':
        return failed(entraErrors.unknownUser(context.tenantId));
      case 'mfa-required':
        return failed(entraErrors.mfaRequired(randomUUID()));
      case 'federated':
        return failed(
          entraErrors.federatedUnavailable(username.slice(username.lastIndexOf('@') + 1).toLowerCase()),
        );
    }
  }
  const user: DelegatedUser = { upn: result.upn, objectId: result.objectId, displayName: result.displayName };
  return delegatedResult(context, request, client, user, ['pwd'], scope);
}

async function refreshGrant(context: PlatformContext, request: TokenRequest): Promise<EndpointResult> {
  const client = await publicClient(context, request);
  if ('status' in client) return failed(client);
  const token = request.form.get('refresh_token');
  if (!token) return failed(entraErrors.missingParameter('refresh_token'));
  const scope = delegatedScope(context, request.form.get('scope'));
  if ('status' in scope) return failed(scope);
  const lookup = context.refreshTokens.lookup(token, client.clientId);
  if (lookup.kind !== 'ok') {
    const failures = {
      unknown: entraErrors.malformedGrant,
      'wrong-client': entraErrors.invalidGrant,
      expired: entraErrors.refreshTokenExpired,
    };
    return failed(failures[lookup.kind]());
  }
  return delegatedResult(context, request, client, lookup.record.user, lookup.record.amr, scope);
}

async function clientCredentialsGrant(
  context: PlatformContext,
  request: TokenRequest,
): Promise<EndpointResult> {
  if (request.tenant.kind === 'multi') return failed(entraErrors.noTenant());
  const client = await authenticateClient(context, {
    form: request.form,
    authorization: request.authorization,
    tenantSegment: request.tenant.segment,
  });
  if (!client.ok) return failed(client.failure);
  const scope = request.form.get('scope')?.trim();
  if (!scope) return failed(entraErrors.missingParameter('scope'));
  if (/\s/.test(scope) || !scope.toLowerCase().endsWith('/.default')) {
    return failed(entraErrors.clientCredentialsScope(scope));
  }
  const resource = scope.slice(0, -'/.default'.length);
  if (!sameResource(context, resource))
    return failed(entraErrors.resourceNotFound(resource, context.tenantDisplayName));
  const token = appAccessToken(context, {
    clientId: client.app.clientId,
    displayName: client.app.displayName,
    credential: client.credential,
  });
  // Entra's client-credentials response has no scope and no refresh token.
  return {
    ok: true,
    body: {
      token_type: 'Bearer',
      expires_in: token.expiresIn,
      ext_expires_in: token.expiresIn,
      access_token: token.accessToken,
    },
  };
}
