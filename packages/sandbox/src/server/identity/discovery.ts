import { type PlatformContext, type ResolvedTenant, v2Issuer } from './context.js';
import { jwks } from './signing-keys.js';

/** The metadata clients read before they sign in: OpenID configuration, signing keys, instance discovery. */

const CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'nonce',
  'preferred_username',
  'name',
  'tid',
  'ver',
  'at_hash',
  'c_hash',
  'email',
];

function issuerFor(context: PlatformContext, tenant: ResolvedTenant): string {
  // For organizations/common Entra publishes a template: the real issuer names the user's tenant.
  return tenant.kind === 'tenant' ? v2Issuer(context) : `${context.authority}/{tenantid}/v2.0`;
}

/**
 * GET <tenant>/v2.0/.well-known/openid-configuration, with Entra's fields. Endpoints name the tenant by its id
 * whichever name the request used, as Entra's do; those the sandbox does not serve (authorize, logout,
 * userinfo, kerberos) are listed under the sandbox's own authority, never a real Microsoft host.
 */
export function openIdConfiguration(context: PlatformContext, tenant: ResolvedTenant) {
  const base = `${context.authority}/${tenant.kind === 'tenant' ? context.tenantId : tenant.segment}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: issuerFor(context, tenant),
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${context.authority}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: CLAIMS_SUPPORTED,
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: tenant.kind === 'tenant' ? 'NA' : null,
    cloud_instance_name: new URL(context.authority).hostname,
  };
}

/** GET <tenant>/discovery/v2.0/keys. */
export function signingKeys(context: PlatformContext, tenant: ResolvedTenant) {
  return jwks([context.signingKey], issuerFor(context, tenant));
}

/**
 * GET common/discovery/instance, which MSAL asks unless told the authority is known: the sandbox's
 * authority is its own only alias.
 */
export function instanceDiscovery(context: PlatformContext, authorizationEndpoint: string | null) {
  let tenant = 'organizations';
  if (authorizationEndpoint) {
    try {
      const path = new URL(authorizationEndpoint).pathname.slice(new URL(context.authority).pathname.length);
      tenant = path.split('/').find((segment) => segment !== '') ?? tenant;
    } catch {
      // An unparsable endpoint gets the organizations document.
    }
  }
  const host = new URL(context.authority).host;
  return {
    tenant_discovery_endpoint: `${context.authority}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}
