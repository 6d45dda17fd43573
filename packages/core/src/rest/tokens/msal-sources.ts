import {
  type AccountInfo,
  AuthError,
  type AuthenticationResult,
  ConfidentialClientApplication,
  type Configuration,
  type DeviceCodeRequest,
  type ICachePlugin,
  LogLevel,
  PublicClientApplication,
  ServerError,
} from '@azure/msal-node';
import type { TokenCacheStore } from '../../connect/options.js';
import { ExoError } from '../../errors/exo-error.js';
import type { AccessToken, TokenSourceContext } from '../contracts.js';
import { lastNetworkFailure, msalNetworkModule } from '../http/msal-network.js';
import type { TokenLoader } from './cached-source.js';
import { refusedSignIn, unreachableIdentity } from './sign-in-errors.js';
import { accessTokenOf } from './token-claims.js';

/** The ExchangeOnlineManagement module's public client id: delegated sign-ins present themselves as it. */
export const EXO_PUBLIC_CLIENT_ID = 'fb78d390-0c51-40cd-8e17-fdbfab77341b';

/** MSAL's errors that mean no answer came back at all. */
const NO_ANSWER = new Set([
  'network_error',
  'endpoints_resolution_error',
  'openid_config_error',
  'untrusted_authority',
]);

/**
 * MSAL's configuration for one connection: its network client on the connection's HTTP stack (proxy, CA),
 * the authority known up front (no instance discovery), and a logger that says nothing (MSAL's verbose lines
 * may name the account).
 */
function configuration(
  ctx: TokenSourceContext,
  clientId: string,
  auth: Partial<Configuration['auth']> = {},
  persist = false,
): Configuration {
  return {
    auth: {
      clientId,
      authority: `${ctx.authority}/${ctx.tenant}`,
      knownAuthorities: [new URL(ctx.authority).host],
      ...auth,
    },
    system: {
      networkClient: msalNetworkModule(ctx.http),
      loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
    },
    ...(persist && ctx.cache && { cache: { cachePlugin: cachePlugin(ctx, ctx.cache) } }),
  };
}

/**
 * MSAL's cache, read from and written back to the caller's store around each access. MSAL needs a cache
 * handed to it before every access, even moments after its own write (given none, a renewal finds no refresh
 * token), so the plugin keeps the last one it read or wrote and hands that over when the store has none or
 * fails: a store that fails (a locked keychain) or was cleared costs only the silent sign-in of the next
 * connect, a warning, never this connection's renewals. A store slow to read should remember its last value
 * itself (`keychainTokenCache` does).
 */
function cachePlugin(ctx: TokenSourceContext, store: TokenCacheStore): ICachePlugin {
  const warn = (what: string, error: unknown) =>
    ctx.emit({
      type: 'warning',
      message: `The token cache could not be ${what} (${error instanceof Error ? error.name : typeof error}); the next connect signs in again.`,
    });
  let last: string | undefined;
  return {
    async beforeCacheAccess(context) {
      try {
        last = (await store.read()) ?? last;
      } catch (error) {
        warn('read', error);
      }
      if (last) context.tokenCache.deserialize(last);
    },
    async afterCacheAccess(context) {
      if (!context.cacheHasChanged) return;
      last = context.tokenCache.serialize();
      try {
        await store.write(last);
      } catch (error) {
        warn('saved', error);
      }
    },
  };
}

/** An MSAL failure as a stable code: a refused sign-in with Entra's text, an unreachable platform, or a bug. */
export function msalFailure(ctx: TokenSourceContext, error: unknown): ExoError {
  if (ExoError.is(error)) return error;
  if (error instanceof ServerError || (error instanceof AuthError && /^AADSTS\d+/.test(error.errorMessage))) {
    const errorNo = error instanceof ServerError && error.errorNo ? Number(error.errorNo) : undefined;
    return refusedSignIn({
      error: error.errorCode,
      message: error.errorMessage,
      ...(Number.isFinite(errorNo) && { aadsts: errorNo }),
      ...(error instanceof ServerError && error.status !== undefined && { status: error.status }),
    });
  }
  if (error instanceof AuthError && NO_ANSWER.has(error.errorCode))
    return unreachableIdentity(ctx.authority, error, lastNetworkFailure(ctx.http));
  if (error instanceof AuthError && error.errorCode === 'device_code_expired') {
    return refusedSignIn({
      error: 'expired_token',
      message: 'The device code expired before anyone signed in with it.',
    });
  }
  return new ExoError(
    'AUTH_FAILED',
    `The sign-in failed: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
      remediation: "Check the credential and the environment's authority; the cause says what MSAL reported.",
    },
  );
}

function tokenOf(ctx: TokenSourceContext, result: AuthenticationResult | null): AccessToken {
  if (!result?.accessToken)
    throw new ExoError('AUTH_FAILED', 'The identity platform returned no access token.');
  return accessTokenOf(
    result.accessToken,
    {
      expiresOnMs: result.expiresOn?.getTime(),
      tenantId: result.tenantId || undefined,
      userPrincipalName: result.account?.username || undefined,
    },
    ctx.tenant,
  );
}

/**
 * Delegated sign-ins (a password, a device code) as the module's public client. The first token comes from
 * the grant; later ones from MSAL's refresh token, so the user signs in once per connection.
 */
export function publicClientLoader(
  ctx: TokenSourceContext,
  firstSignIn: (app: PublicClientApplication, scopes: string[]) => Promise<AuthenticationResult | null>,
  hint?: string,
): { load: TokenLoader; close(): void } {
  const app = new PublicClientApplication(configuration(ctx, EXO_PUBLIC_CLIENT_ID, {}, true));
  const scopes = [ctx.scope];
  let account: AccountInfo | undefined;
  /** A sign-in kept in the persisted cache, for this user (or the only one there): redeemed silently. */
  const remembered = async (): Promise<AuthenticationResult | undefined> => {
    if (!ctx.cache) return undefined;
    const accounts = await app.getTokenCache().getAllAccounts();
    const match = hint
      ? accounts.find((a) => a.username.toLowerCase() === hint.toLowerCase())
      : accounts.length === 1
        ? accounts[0]
        : undefined;
    if (!match) return undefined;
    try {
      return await app.acquireTokenSilent({ account: match, scopes });
    } catch {
      // Expired or revoked: sign in again, as the credential says.
      return undefined;
    }
  };
  // The cached source loads only when its token is due (by ctx.now) or was refused: MSAL's own cache, on the
  // real clock, would hand that same token back, so a later load always redeems the refresh token.
  const load: TokenLoader = async () => {
    try {
      if (!account) {
        const result = (await remembered()) ?? (await firstSignIn(app, scopes));
        account = result?.account ?? undefined;
        return tokenOf(ctx, result);
      }
      return tokenOf(ctx, await app.acquireTokenSilent({ account, scopes, forceRefresh: true }));
    } catch (error) {
      throw msalFailure(ctx, error);
    }
  };
  return { load, close: () => void app.clearCache() };
}

export function passwordLoader(ctx: TokenSourceContext, username: string, password: string) {
  return publicClientLoader(
    ctx,
    (app, scopes) => app.acquireTokenByUsernamePassword({ scopes, username, password }),
    username,
  );
}

/** Device code: "To sign in, use a web browser…" goes out as an information event; close() stops the polling. */
export function deviceCodeLoader(ctx: TokenSourceContext, userPrincipalName?: string) {
  let request: DeviceCodeRequest | undefined;
  const loader = publicClientLoader(
    ctx,
    (app, scopes) => {
      request = {
        scopes,
        deviceCodeCallback: (response) => ctx.emit({ type: 'information', message: response.message }),
      };
      return app.acquireTokenByDeviceCode(request);
    },
    userPrincipalName,
  );
  return {
    load: loader.load,
    close: () => {
      // MSAL reads `cancel` before each poll: the loop ends at its next interval.
      if (request) request.cancel = true;
      loader.close();
    },
  };
}

/** App-only sign-ins (client credentials): a certificate's signed assertion or a client secret. */
export function confidentialClientLoader(
  ctx: TokenSourceContext,
  appId: string,
  auth: Pick<Configuration['auth'], 'clientSecret' | 'clientCertificate'>,
): { load: TokenLoader; close(): void } {
  const app = new ConfidentialClientApplication(configuration(ctx, appId, auth));
  // As for public clients: asked only when its token is due or refused, never MSAL's cached one.
  const load: TokenLoader = async () => {
    try {
      return tokenOf(ctx, await app.acquireTokenByClientCredential({ scopes: [ctx.scope], skipCache: true }));
    } catch (error) {
      throw msalFailure(ctx, error);
    }
  };
  return { load, close: () => void app.clearCache() };
}
