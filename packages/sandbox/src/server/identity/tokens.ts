import { createHash, randomBytes } from 'node:crypto';
import { accessTokenIssuer, type PlatformContext, v2Issuer } from './context.js';
import type { DelegatedUser } from './grant-stores.js';
import { type JwtClaims, signJwt } from './jwt.js';

/**
 * The tokens the platform mints, with the claims Entra's carry: v1 access tokens for the API (Exchange's
 * own are v1: iss sts.windows.net, appid, scp or roles) and v2 id tokens for the client.
 */

export const DELEGATED_SCOPE = 'Exchange.Manage';
export const APP_ROLE = 'Exchange.ManageAsApp';
/** The "User" directory role template: every member carries it. */
const DEFAULT_USER_ROLE = 'b79fbf4d-3ef9-4689-8143-76b194e85509';

/** A GUID that always follows from the same inputs, for object ids the sandbox does not store. */
export function stableGuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function opaque(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function sign(context: PlatformContext, claims: JwtClaims): string {
  const { signingKey } = context;
  return signJwt(claims, {
    privateKey: signingKey.privateKey,
    header: { x5t: signingKey.x5t, kid: signingKey.kid },
  });
}

function times(context: PlatformContext, lifetimeSeconds: number) {
  const iat = Math.floor(context.now() / 1000);
  return { iat, nbf: iat, exp: iat + lifetimeSeconds };
}

export function userObjectId(context: PlatformContext, user: DelegatedUser): string {
  return user.objectId ?? stableGuid('user', context.tenantId, user.upn.toLowerCase());
}

export interface DelegatedTokenRequest {
  clientId: string;
  clientDisplayName: string;
  user: DelegatedUser;
  amr: string[];
  openid: boolean;
  offlineAccess: boolean;
  clientInfo: boolean;
}

/** The token response of a delegated grant (device code, password, refresh). */
export function delegatedTokenResponse(context: PlatformContext, request: DelegatedTokenRequest) {
  const lifetime = context.lifetimes.accessTokenSeconds;
  const oid = userObjectId(context, request.user);
  const name = request.user.displayName ?? request.user.upn;
  const accessToken = sign(context, {
    aud: context.audience,
    iss: accessTokenIssuer(context.tenantId),
    ...times(context, lifetime),
    acr: '1',
    aio: opaque(48),
    amr: request.amr,
    app_displayname: request.clientDisplayName,
    appid: request.clientId,
    appidacr: '0',
    idtyp: 'user',
    name,
    oid,
    scp: DELEGATED_SCOPE,
    sub: createHash('sha256').update(`${oid}|${request.clientId}`).digest('base64url'),
    tid: context.tenantId,
    unique_name: request.user.upn,
    upn: request.user.upn,
    uti: opaque(16),
    ver: '1.0',
    wids: [DEFAULT_USER_ROLE],
  });
  const idToken = request.openid
    ? sign(context, {
        aud: request.clientId,
        iss: v2Issuer(context),
        ...times(context, lifetime),
        name,
        oid,
        preferred_username: request.user.upn,
        sub: createHash('sha256').update(`id|${oid}|${request.clientId}`).digest('base64url'),
        tid: context.tenantId,
        uti: opaque(16),
        ver: '2.0',
      })
    : undefined;
  const refreshToken = request.offlineAccess
    ? context.refreshTokens.issue(
        request.clientId,
        request.user,
        request.amr,
        context.lifetimes.refreshTokenSeconds,
      )
    : undefined;
  return {
    token_type: 'Bearer',
    scope: `${context.audience}/${DELEGATED_SCOPE} ${context.audience}/.default`,
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: accessToken,
    ...(refreshToken && { refresh_token: refreshToken }),
    ...(idToken && { id_token: idToken }),
    ...(request.clientInfo && {
      client_info: Buffer.from(JSON.stringify({ uid: oid, utid: context.tenantId })).toString('base64url'),
    }),
  };
}

export interface AppTokenRequest {
  clientId: string;
  displayName: string;
  /** appidacr: 1 a client secret, 2 a certificate (managed identities too). */
  credential: 'secret' | 'certificate';
}

/** An app-only access token (client credentials, managed identity) and its expiry. */
export function appAccessToken(context: PlatformContext, request: AppTokenRequest) {
  const lifetime = context.lifetimes.accessTokenSeconds;
  const claimTimes = times(context, lifetime);
  const oid = stableGuid('service-principal', context.tenantId, request.clientId.toLowerCase());
  const accessToken = sign(context, {
    aud: context.audience,
    iss: accessTokenIssuer(context.tenantId),
    ...claimTimes,
    aio: opaque(48),
    app_displayname: request.displayName,
    appid: request.clientId,
    appidacr: request.credential === 'secret' ? '1' : '2',
    idp: accessTokenIssuer(context.tenantId),
    idtyp: 'app',
    oid,
    roles: [APP_ROLE],
    sub: oid,
    tid: context.tenantId,
    uti: opaque(16),
    ver: '1.0',
  });
  return { accessToken, expiresIn: lifetime, expiresOn: claimTimes.exp };
}
