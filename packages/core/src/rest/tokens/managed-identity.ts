import { request } from 'undici';
import { ExoError } from '../../errors/exo-error.js';
import type { TokenSourceContext } from '../contracts.js';
import type { TokenLoader } from './cached-source.js';
import { refusedSignIn, unreachableIdentity } from './sign-in-errors.js';
import { accessTokenOf } from './token-claims.js';

/** App Service's (and Functions', Container Apps') managed identity endpoint version. */
export const MANAGED_IDENTITY_API_VERSION = '2019-08-01';

/**
 * A managed identity in the App Service style: IDENTITY_ENDPOINT answers with a token for `resource` to whoever
 * sends IDENTITY_HEADER. A user-assigned identity is named by its client id (`accountId`).
 */
export function managedIdentityLoader(ctx: TokenSourceContext, accountId: string | undefined): TokenLoader {
  const endpoint = ctx.env.IDENTITY_ENDPOINT;
  const header = ctx.env.IDENTITY_HEADER;
  if (!endpoint || !header) {
    throw new ExoError(
      'CREDENTIAL_MISSING',
      'No managed identity is available here: IDENTITY_ENDPOINT and IDENTITY_HEADER are not set.',
      {
        remediation:
          'Run where Azure gives the process a managed identity in the App Service style (App Service, Functions, Container Apps), ' +
          'or sign in another way. Virtual machines (IMDS) are not supported by the rest strategy yet: use the module strategy there.',
      },
    );
  }
  if (!URL.canParse(endpoint)) {
    throw new ExoError('INVALID_ARGUMENT', 'IDENTITY_ENDPOINT is not a URL.', {
      details: { field: 'IDENTITY_ENDPOINT' },
      remediation: 'IDENTITY_ENDPOINT is set by Azure; do not set it by hand.',
    });
  }
  const resource = ctx.scope.replace(/\/\.default$/, '');
  return async () => {
    const url = new URL(endpoint);
    url.searchParams.set('api-version', MANAGED_IDENTITY_API_VERSION);
    url.searchParams.set('resource', resource);
    if (accountId) url.searchParams.set('client_id', accountId);
    let status: number;
    let body: Record<string, unknown>;
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher: ctx.http.dispatcher,
        headers: { 'x-identity-header': header, metadata: 'true' },
      });
      status = response.statusCode;
      const text = await response.body.text();
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch (error) {
      throw unreachableIdentity(url.origin, error, error);
    }
    if (status !== 200 || typeof body.access_token !== 'string') {
      const message =
        typeof body.message === 'string'
          ? body.message
          : typeof body.error_description === 'string'
            ? body.error_description
            : `The managed identity endpoint answered ${status}.`;
      throw refusedSignIn({ message, status, ...(typeof body.error === 'string' && { error: body.error }) });
    }
    const expiresOn = Number(body.expires_on);
    return accessTokenOf(
      body.access_token,
      {
        ...(Number.isFinite(expiresOn) && { expiresOnMs: expiresOn * 1000 }),
        ...(typeof body.client_id === 'string' && { appId: body.client_id }),
      },
      ctx.tenant,
    );
  };
}
