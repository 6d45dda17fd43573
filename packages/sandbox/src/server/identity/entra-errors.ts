/**
 * Entra ID's token-endpoint errors: the AADSTS texts Entra writes (gathered from what its clients report),
 * with the HTTP status and OAuth `error` it pairs them with. A value from a request (a tenant, a client id,
 * a scope) may appear in a text, as Entra echoes it; a secret, a password or a token never does.
 */

export interface EntraError {
  status: number;
  error: string;
  code: number;
  message: string;
  /** Extra top-level fields (suberror, claims). */
  extra?: Record<string, unknown>;
}

function error(
  status: number,
  oauthError: string,
  code: number,
  message: string,
  extra?: EntraError['extra'],
) {
  return { status, error: oauthError, code, message, ...(extra && { extra }) } satisfies EntraError;
}

const CERTIFICATE_DOCS =
  'Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .';

function graphHint(clientId: string): string {
  return (
    `Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'. ` +
    'Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding ' +
    'service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http ' +
    `to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${clientId}'`
  );
}

/** `MM/dd/yyyy HH:mm:ss` (UTC), as Entra prints a key's validity. */
function usDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** .NET's round-trip format, seven fraction digits. */
function roundTrip(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export interface KeyFacts {
  thumbprint: string;
  notBefore?: Date;
  notAfter?: Date;
}

function keyReason(reason: string, clientId: string, key: KeyFacts): string {
  const found =
    key.notBefore && key.notAfter
      ? ` Found key 'Start=${usDate(key.notBefore)}, End=${usDate(key.notAfter)}',`
      : '';
  return `[Reason - ${reason}, Thumbprint of key used by client: '${key.thumbprint}',${found} ${graphHint(clientId)}]`;
}

export const entraErrors = {
  tenantNotFound: (tenant: string) =>
    error(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  noTenant: () =>
    error(
      400,
      'invalid_request',
      50059,
      'No tenant-identifying information found in either the request or implied by any provided credentials.',
    ),
  postOnly: (method: string) =>
    error(
      400,
      'invalid_request',
      900561,
      `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`,
    ),
  missingParameter: (name: string) =>
    error(
      400,
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    ),
  malformedRequest: () =>
    error(400, 'invalid_request', 9002313, 'Invalid request. Request is malformed or invalid.'),
  unsupportedGrantType: (grantType: string) =>
    error(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    ),
  appNotFound: (clientId: string, tenant: string) =>
    error(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  invalidScope: (scope: string) =>
    error(
      400,
      'invalid_scope',
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
    ),
  clientCredentialsScope: (scope: string) =>
    error(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  resourceNotFound: (resource: string, tenantName: string) =>
    error(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  authorizationPending: () =>
    error(
      400,
      'authorization_pending',
      70016,
      'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
    ),
  deviceCodeExpired: () =>
    error(
      400,
      'expired_token',
      70020,
      "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
    ),
  codeRedeemed: () =>
    error(
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  malformedGrant: () =>
    error(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'),
  invalidGrant: () => error(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.'),
  refreshTokenExpired: () =>
    error(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  badPassword: () =>
    error(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  unknownUser: (tenantId: string) =>
    error(
      400,
      'invalid_grant',
      50034,
      `The user account {EUII Hidden} does not exist in the '${tenantId}' directory. To sign into this application, the account must be added to the directory.`,
    ),
  mfaRequired: (policyId: string) =>
    error(
      400,
      'invalid_grant',
      50076,
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'.",
      {
        suberror: 'basic_action',
        claims: JSON.stringify({ access_token: { capolids: { essential: true, values: [policyId] } } }),
      },
    ),
  /** The sandbox's federated persona: its identity provider cannot be reached (README, personas). */
  federatedUnavailable: (domain: string) =>
    error(
      400,
      'invalid_grant',
      40008,
      `There's an issue with your federated Identity Provider. Contact your IDP to resolve this issue. Federated service at https://sts.${domain}/adfs/services/trust/2005/usernamemixed returned error: The remote name could not be resolved: 'sts.${domain}'.`,
    ),
  clientCredentialRequired: () =>
    error(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  badClientSecret: (clientId: string) =>
    error(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  malformedAssertion: () => error(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.'),
  assertionWithoutThumbprint: () =>
    error(
      401,
      'invalid_client',
      50027,
      'Invalid JWT token. No certificate thumbprint specified in token header.',
    ),
  assertionKeyNotFound: (clientId: string, key: KeyFacts) =>
    error(
      401,
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. ${keyReason('The key was not found.', clientId, { thumbprint: key.thumbprint })}. Alternatively, SNI may be configured on the app. Please ensure that client assertion is being sent with the x5c claim in the JWT header using MSAL's WithSendX5C() method so that Azure Active Directory can validate the certificate being used.`,
    ),
  assertionSignatureInvalid: (clientId: string, key: KeyFacts) =>
    error(
      401,
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. ${keyReason('Key was found, but use of the key to verify the signature failed.', clientId, key)}.`,
    ),
  assertionKeyExpired: (clientId: string, key: KeyFacts) =>
    error(
      401,
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. ${keyReason('The key used is expired.', clientId, key)}.`,
    ),
  assertionAudience: () =>
    error(
      401,
      'invalid_client',
      700023,
      `Client assertion audience claim does not match Realm issuer. ${CERTIFICATE_DOCS}`,
    ),
  assertionSubject: () =>
    error(
      401,
      'invalid_client',
      700021,
      `Client assertion application identifier doesn't match 'client_id' parameter. ${CERTIFICATE_DOCS}`,
    ),
  assertionTimeRange: (now: Date, validFrom: Date, expiry: Date) =>
    error(
      401,
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${roundTrip(now)}, assertion valid from ${roundTrip(validFrom)}, expiry time of assertion ${roundTrip(expiry)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
    ),
  serverError: () => error(500, 'server_error', 90033, 'A transient error has occurred. Please try again.'),
} as const;

export interface RequestIds {
  traceId: string;
  correlationId: string;
}

/** `yyyy-MM-dd HH:mm:ssZ`, Entra's error timestamp. */
export function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** The JSON body Entra sends with an error. `errorUriBase` is the authority's origin (and path prefix). */
export function entraErrorBody(failure: EntraError, ids: RequestIds, errorUriBase: string, now = new Date()) {
  const timestamp = entraTimestamp(now);
  return {
    error: failure.error,
    error_description: `AADSTS${failure.code}: ${failure.message} Trace ID: ${ids.traceId} Correlation ID: ${ids.correlationId} Timestamp: ${timestamp}`,
    error_codes: [failure.code],
    timestamp,
    trace_id: ids.traceId,
    correlation_id: ids.correlationId,
    error_uri: `${errorUriBase}/error?code=${failure.code}`,
    ...failure.extra,
  };
}
