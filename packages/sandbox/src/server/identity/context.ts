import type { AppStore } from './apps.js';
import type { DeviceCodeStore, RefreshTokenStore } from './grant-stores.js';
import type { SigningKey } from './signing-keys.js';

/** What the tenant's user directory says about a password sign-in. */
export type AuthenticateResult =
  | { ok: true; upn: string; objectId?: string; displayName?: string }
  | { ok: false; reason: 'bad-password' | 'unknown-user' | 'mfa-required' | 'federated' };

export interface DirectoryUser {
  upn: string;
  objectId?: string;
  displayName?: string;
}

/** The tenant's users, as the identity platform needs them; the sandbox engine provides the real one. */
export interface IdentityDirectory {
  authenticate(upn: string, password: string): AuthenticateResult | Promise<AuthenticateResult>;
  /**
   * The user an approved device code signs in as (the browser did the password and MFA). Without it, any
   * UPN approved is taken as a user of the tenant.
   */
  findUser?(upn: string): DirectoryUser | undefined | Promise<DirectoryUser | undefined>;
}

export interface Lifetimes {
  accessTokenSeconds: number;
  deviceCodeSeconds: number;
  refreshTokenSeconds: number;
}

/** How a request's `<tenant>` path segment resolved. */
export type ResolvedTenant =
  | { kind: 'tenant'; segment: string }
  | { kind: 'multi'; segment: 'organizations' | 'common' };

/** Everything the endpoint handlers share; built once by createIdentityPlatform. */
export interface PlatformContext {
  tenantId: string;
  organization: string;
  tenantDisplayName: string;
  /** The tenant's names as a path segment may give them (GUID, organization, domains), lower case. */
  tenantNames: Set<string>;
  /** Base URL of the authority, without a trailing slash (https://127.0.0.1:PORT, or with a path prefix). */
  authority: string;
  /** The API's audience, without a trailing slash (https://<api host>). */
  audience: string;
  signingKey: SigningKey;
  apps?: AppStore;
  directory: IdentityDirectory;
  lifetimes: Lifetimes;
  /** Public clients every tenant has (client id, lower case → display name), e.g. the EXO module's. */
  publicClients: Map<string, string>;
  deviceCodes: DeviceCodeStore;
  refreshTokens: RefreshTokenStore;
  deviceCode: {
    intervalSeconds: number;
    verificationUri: string;
    autoApprove: boolean;
    userPrincipalName: string;
  };
  now: () => number;
}

export function resolveTenant(context: PlatformContext, segment: string): ResolvedTenant | undefined {
  const name = segment.toLowerCase();
  if (name === 'organizations' || name === 'common') return { kind: 'multi', segment: name };
  return context.tenantNames.has(name) ? { kind: 'tenant', segment } : undefined;
}

/** The v1 issuer that Exchange's access tokens carry. */
export function accessTokenIssuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

export function v2Issuer(context: PlatformContext): string {
  return `${context.authority}/${context.tenantId}/v2.0`;
}
