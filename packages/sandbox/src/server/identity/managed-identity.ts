import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { PlatformContext } from './context.js';
import { entraErrors, entraTimestamp } from './entra-errors.js';
import { appAccessToken, stableGuid } from './tokens.js';

/**
 * App Service's managed identity endpoint (api-version 2019-08-01): what a process finds at IDENTITY_ENDPOINT,
 * authenticated by the IDENTITY_HEADER secret in X-IDENTITY-HEADER. A token for the system-assigned identity,
 * or for a user-assigned one named by client_id (or principal_id / object_id / mi_res_id).
 */

export const MANAGED_IDENTITY_API_VERSION = '2019-08-01';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ManagedIdentitySettings {
  /** The secret a caller must send; exposed to whoever starts the child that uses it. */
  header: string;
  systemClientId: string;
}

export interface ManagedIdentityResponse {
  status: number;
  body: Record<string, unknown>;
}

function failure(status: number, message: string): ManagedIdentityResponse {
  return { status, body: { statusCode: status, message, correlationId: randomUUID() } };
}

function headerMatches(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function managedIdentityToken(
  context: PlatformContext,
  settings: ManagedIdentitySettings,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): ManagedIdentityResponse {
  const sent = headers['x-identity-header'];
  if (sent === undefined) return failure(400, 'The X-IDENTITY-HEADER header is required.');
  if (!headerMatches(sent, settings.header))
    return failure(401, 'The X-IDENTITY-HEADER header is not valid.');
  const apiVersion = query.get('api-version');
  if (apiVersion !== MANAGED_IDENTITY_API_VERSION) {
    return failure(
      400,
      `The api-version '${apiVersion ?? ''}' is not supported: use ${MANAGED_IDENTITY_API_VERSION}.`,
    );
  }
  const resource = query.get('resource');
  if (!resource) return failure(400, "The 'resource' query parameter is required.");
  if (resource.replace(/\/+$/, '').toLowerCase() !== context.audience.toLowerCase()) {
    const aad = entraErrors.resourceNotFound(resource, context.tenantDisplayName);
    return failure(
      400,
      `AADSTS${aad.code}: ${aad.message} Timestamp: ${entraTimestamp(new Date(context.now()))}`,
    );
  }

  const clientIdParameter = query.get('client_id');
  if (clientIdParameter !== null && !GUID.test(clientIdParameter)) {
    return failure(400, "The 'client_id' query parameter is not a valid GUID.");
  }
  const otherId = query.get('principal_id') ?? query.get('object_id') ?? query.get('mi_res_id');
  // A user-assigned identity the sandbox does not store gets a client id that always follows from its name.
  const clientId = (
    clientIdParameter ??
    (otherId
      ? stableGuid('user-assigned-identity', context.tenantId, otherId.toLowerCase())
      : settings.systemClientId)
  ).toLowerCase();

  const token = appAccessToken(context, {
    clientId,
    displayName: clientId === settings.systemClientId.toLowerCase() ? 'sandbox-app-service' : clientId,
    credential: 'certificate',
  });
  return {
    status: 200,
    body: {
      access_token: token.accessToken,
      expires_on: String(token.expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: clientId,
    },
  };
}
