import type { Credential } from '../../connect/options.js';
import { ExoError } from '../../errors/exo-error.js';
import type { TokenSource, TokenSourceContext } from '../contracts.js';
import { cachedTokenSource, type TokenLoader } from './cached-source.js';
import { readClientCertificate, readStoredCertificate } from './certificate.js';
import { managedIdentityLoader } from './managed-identity.js';
import { confidentialClientLoader, deviceCodeLoader, passwordLoader } from './msal-sources.js';
import { accessTokenOf } from './token-claims.js';

export { REFRESH_SKEW_MS } from './cached-source.js';
export { EXO_PUBLIC_CLIENT_ID } from './msal-sources.js';

/** A token given by the caller: used until it expires; there is nothing to refresh it with. */
function givenTokenLoader(
  ctx: TokenSourceContext,
  token: string,
  userPrincipalName: string | undefined,
): TokenLoader {
  let handedOut = false;
  const now = ctx.now ?? Date.now;
  return async (forced) => {
    const value = accessTokenOf(token, { ...(userPrincipalName && { userPrincipalName }) }, ctx.tenant);
    const expired = value.expiresOnMs !== 0 && value.expiresOnMs <= now();
    if ((handedOut && forced) || expired) {
      throw new ExoError(
        'AUTH_FAILED',
        expired ? 'The access token has expired.' : 'The service refused the access token.',
        {
          remediation:
            'An access token cannot be renewed by exo-connect: get a new one and connect again, or sign in another way so it can be.',
        },
      );
    }
    handedOut = true;
    return value.expiresOnMs === 0 ? { ...value, expiresOnMs: now() + 3_600_000 } : value;
  };
}

/**
 * Tokens for the environment's admin API from one credential: delegated (password, device code) or app-only
 * (certificate, client secret, managed identity), or a token the caller got elsewhere. Sends nothing yet:
 * the first get() signs in.
 */
export function createTokenSource(credential: Credential, ctx: TokenSourceContext): TokenSource {
  const withClose = (loader: { load: TokenLoader; close(): void }) =>
    cachedTokenSource(loader.load, { now: ctx.now, onClose: loader.close });
  switch (credential.kind) {
    case undefined:
    case 'password':
      return withClose(passwordLoader(ctx, credential.userPrincipalName, credential.password));
    case 'device':
      return withClose(deviceCodeLoader(ctx, credential.userPrincipalName));
    case 'certificate': {
      // A .pfx or PEM file, or a thumbprint in the current user's store (.NET's, on Linux).
      const certificate = credential.certificateFilePath
        ? readClientCertificate(credential.certificateFilePath, credential.certificatePassword)
        : readStoredCertificate(credential.certificateThumbprint ?? '', ctx.env);
      return withClose(confidentialClientLoader(ctx, credential.appId, { clientCertificate: certificate }));
    }
    case 'clientSecret':
      return withClose(
        confidentialClientLoader(ctx, credential.appId, { clientSecret: credential.clientSecret }),
      );
    case 'managedIdentity':
      return cachedTokenSource(managedIdentityLoader(ctx, credential.accountId), { now: ctx.now });
    case 'accessToken':
      return cachedTokenSource(givenTokenLoader(ctx, credential.accessToken, credential.userPrincipalName), {
        now: ctx.now,
      });
  }
}
