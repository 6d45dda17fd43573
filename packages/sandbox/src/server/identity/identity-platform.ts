import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxError } from '../../errors/sandbox-error.js';
import type { AppStore } from './apps.js';
import { type IdentityDirectory, type Lifetimes, type PlatformContext, resolveTenant } from './context.js';
import { instanceDiscovery, openIdConfiguration, signingKeys } from './discovery.js';
import { type EntraError, entraErrors } from './entra-errors.js';
import { DeviceCodeStore, RefreshTokenStore } from './grant-stores.js';
import { BodyTooLargeError, readForm, requestIds, sendEntraError, sendJson } from './http.js';
import { managedIdentityToken } from './managed-identity.js';
import { type Jwk, jwks, type SigningKey } from './signing-keys.js';
import { deviceAuthorization, type EndpointResult, tokenGrant } from './token-endpoint.js';
import {
  type AccessTokenVerification,
  type ExpectedToken,
  verifyAccessToken,
} from './verify-access-token.js';

/**
 * The sandbox's Entra ID: the v2 endpoints (discovery, device code, token) under `<authority>/<tenant>/`, and
 * App Service's managed identity endpoint, as one request handler for a node:http(s) server to mount.
 */

export const EXO_MODULE_CLIENT_ID = 'fb78d390-0c51-40cd-8e17-fdbfab77341b';
/** The sandbox machine's system-assigned managed identity (README: stand-in ExchangeOnlineManagement). */
export const SANDBOX_MANAGED_IDENTITY_CLIENT_ID = '2b7e4c9a-1d3f-4a5b-8c6d-0e9f1a2b3c4d';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface IdentityPlatformOptions {
  tenantId: string;
  /** The initial domain, e.g. sandbox.onmicrosoft.localhost. */
  organization: string;
  /** Other domains of the tenant, also accepted as the `<tenant>` of a URL. */
  domains?: string[];
  /** Default: the organization. */
  tenantDisplayName?: string;
  /** The authority's public base URL, e.g. https://127.0.0.1:PORT (a path prefix is allowed). */
  authority: string;
  /** The API's audience, https://<api host>. */
  audience: string;
  signingKey: SigningKey;
  directory: IdentityDirectory;
  /** App registrations for client credentials (and as public clients). */
  apps?: AppStore;
  /** Seconds; defaults 3600 (access token), 900 (device code), 7,776,000 (refresh token: 90 days). */
  lifetimes?: Partial<Lifetimes>;
  deviceCode?: {
    /** Approve every device code at once (tests): as if the user signed in in a browser. */
    autoApprove?: boolean;
    /** Who an auto-approved code, or approveDeviceCode without a UPN, signs in as. Default admin@sandbox.exo.localhost. */
    userPrincipalName?: string;
    /** Default 5. */
    intervalSeconds?: number;
    /** Default <authority>/devicelogin. */
    verificationUri?: string;
  };
  /** Public clients by client id → display name; default the EXO module's. */
  publicClients?: Record<string, string>;
  managedIdentity?: { path?: string; clientId?: string };
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
  /** Told of an unexpected error (a bug); the client got a 500 with Entra's transient-error text. */
  onError?: (error: unknown) => void;
}

export interface IdentityPlatform {
  /** Serves the request when its path is one of the platform's (true); otherwise leaves it alone (false). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Completes a pending device code's sign-in as `upn` (default: the deviceCode option's user). */
  approveDeviceCode(userCode: string, upn?: string): void;
  /** Checks a bearer token the platform issued: signature, expiry, issuer, audience and tenant. */
  verifyAccessToken(token: string, expected?: ExpectedToken): AccessTokenVerification;
  /** The OpenID configuration a client may be given up front (MSAL's authorityMetadata). */
  openIdConfiguration(tenant?: string): Record<string, unknown>;
  readonly jwks: { keys: Jwk[] };
  /** For a child process: IDENTITY_ENDPOINT and IDENTITY_HEADER. */
  readonly managedIdentity: { endpoint: string; header: string };
  /** Changes the lifetimes of what is issued from now on (what was issued keeps its own). */
  setLifetimes(lifetimes: Partial<Lifetimes>): void;
}

const GET_ROUTES = new Set([
  'v2.0/.well-known/openid-configuration',
  'discovery/v2.0/keys',
  'discovery/keys',
]);
const POST_ROUTES = new Set(['oauth2/v2.0/token', 'oauth2/v2.0/devicecode']);

function invalid(option: string, message: string): SandboxError {
  return new SandboxError('INVALID_OPTION', message, { details: { option } });
}

function baseUrl(option: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new SandboxError('INVALID_OPTION', `${option} must be an absolute URL.`, {
      cause: error,
      details: { option },
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(option, `${option} must be an http(s) URL.`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function lifetimesOf(options: IdentityPlatformOptions): Lifetimes {
  const lifetimes = {
    accessTokenSeconds: options.lifetimes?.accessTokenSeconds ?? 3600,
    deviceCodeSeconds: options.lifetimes?.deviceCodeSeconds ?? 900,
    refreshTokenSeconds: options.lifetimes?.refreshTokenSeconds ?? 7_776_000,
  };
  for (const [name, seconds] of Object.entries(lifetimes)) {
    if (!Number.isInteger(seconds) || seconds < 1)
      throw invalid(`lifetimes.${name}`, `lifetimes.${name} must be a positive whole number.`);
  }
  return lifetimes;
}

export function createIdentityPlatform(options: IdentityPlatformOptions): IdentityPlatform {
  if (!GUID.test(options.tenantId)) throw invalid('tenantId', 'tenantId must be a GUID.');
  if (!options.organization) throw invalid('organization', 'organization must name the initial domain.');
  const tenantId = options.tenantId.toLowerCase();
  const authority = baseUrl('authority', options.authority);
  const now = options.now ?? Date.now;
  const userPrincipalName = options.deviceCode?.userPrincipalName ?? 'admin@sandbox.exo.localhost';
  const context: PlatformContext = {
    tenantId,
    organization: options.organization,
    tenantDisplayName: options.tenantDisplayName ?? options.organization,
    tenantNames: new Set(
      [tenantId, options.organization, ...(options.domains ?? [])].map((name) => name.toLowerCase()),
    ),
    authority,
    audience: baseUrl('audience', options.audience),
    signingKey: options.signingKey,
    apps: options.apps,
    directory: options.directory,
    lifetimes: lifetimesOf(options),
    publicClients: new Map(
      Object.entries(
        options.publicClients ?? { [EXO_MODULE_CLIENT_ID]: 'Microsoft Exchange REST API Based Powershell' },
      ).map(([id, name]) => [id.toLowerCase(), name]),
    ),
    deviceCodes: new DeviceCodeStore(now),
    refreshTokens: new RefreshTokenStore(now),
    deviceCode: {
      intervalSeconds: options.deviceCode?.intervalSeconds ?? 5,
      verificationUri: options.deviceCode?.verificationUri ?? `${authority}/devicelogin`,
      autoApprove: options.deviceCode?.autoApprove ?? false,
      userPrincipalName,
    },
    now,
  };
  const managedIdentityPath = options.managedIdentity?.path ?? '/msi/token';
  const managedIdentity = {
    header: randomBytes(32).toString('base64url'),
    systemClientId: options.managedIdentity?.clientId ?? SANDBOX_MANAGED_IDENTITY_CLIENT_ID,
  };
  const prefix = new URL(authority).pathname.replace(/\/+$/, '');

  async function route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://request.invalid');
    const ids = requestIds(req);
    const sendResult = (result: EndpointResult) =>
      result.ok ? sendJson(res, 200, result.body, ids) : sendEntraError(res, result.failure, ids, authority);
    const sendFailure = (failure: EntraError) => sendEntraError(res, failure, ids, authority);

    if (url.pathname === managedIdentityPath) {
      if (req.method !== 'GET') {
        sendJson(res, 405, { statusCode: 405, message: 'Only GET is supported.' }, ids, { Allow: 'GET' });
        return true;
      }
      const response = managedIdentityToken(context, managedIdentity, url.searchParams, req.headers);
      sendJson(res, response.status, response.body, ids);
      return true;
    }
    if (!url.pathname.startsWith(`${prefix}/`)) return false;
    const [rawSegment = '', ...rest] = url.pathname.slice(prefix.length + 1).split('/');
    const path = rest.join('/');
    const instance = rawSegment.toLowerCase() === 'common' && path === 'discovery/instance';
    if (!GET_ROUTES.has(path) && !POST_ROUTES.has(path) && !instance) return false;

    if (instance) {
      sendJson(res, 200, instanceDiscovery(context, url.searchParams.get('authorization_endpoint')), ids);
      return true;
    }
    let segment: string;
    try {
      segment = decodeURIComponent(rawSegment);
    } catch {
      segment = rawSegment;
    }
    const tenant = resolveTenant(context, segment);
    if (!tenant) {
      sendFailure(entraErrors.tenantNotFound(segment));
      return true;
    }
    if (GET_ROUTES.has(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { error: 'method_not_allowed' }, ids, { Allow: 'GET' });
      } else {
        sendJson(
          res,
          200,
          path.startsWith('discovery/') ? signingKeys(context, tenant) : openIdConfiguration(context, tenant),
          ids,
        );
      }
      return true;
    }
    if (req.method !== 'POST') {
      sendFailure(entraErrors.postOnly(req.method ?? 'GET'));
      return true;
    }
    const form = await readForm(req);
    const request = { form, tenant, authorization: req.headers.authorization };
    sendResult(
      path === 'oauth2/v2.0/token'
        ? await tokenGrant(context, request)
        : await deviceAuthorization(context, request),
    );
    return true;
  }

  return {
    async handle(req, res) {
      try {
        return await route(req, res);
      } catch (error) {
        const failure =
          error instanceof BodyTooLargeError
            ? { ...entraErrors.malformedRequest(), status: 413 }
            : entraErrors.serverError();
        if (!(error instanceof BodyTooLargeError)) options.onError?.(error);
        if (!res.headersSent) sendEntraError(res, failure, requestIds(req), authority);
        else res.destroy();
        return true;
      }
    },
    approveDeviceCode(userCode, upn = userPrincipalName) {
      if (!context.deviceCodes.approve(userCode, upn)) {
        throw invalid(
          'userCode',
          'No pending device code has that user code: it may have expired or been used.',
        );
      }
    },
    verifyAccessToken: (token, expected) => verifyAccessToken(context, token, expected),
    openIdConfiguration(tenant = tenantId) {
      const resolved = resolveTenant(context, tenant);
      if (!resolved) throw invalid('tenant', 'The tenant is not this platform\u2019s.');
      return openIdConfiguration(context, resolved);
    },
    jwks: jwks([context.signingKey], `${authority}/${tenantId}/v2.0`),
    managedIdentity: {
      endpoint: `${new URL(authority).origin}${managedIdentityPath}`,
      header: managedIdentity.header,
    },
    setLifetimes(lifetimes) {
      context.lifetimes = lifetimesOf({ ...options, lifetimes: { ...context.lifetimes, ...lifetimes } });
    },
  };
}
