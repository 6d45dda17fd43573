import { randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { SandboxError } from '../errors/sandbox-error.js';
import { createTenant } from '../tenant.js';
import { defaultTenantDir } from '../tenant-dir.js';
import {
  type AdminApi,
  createAdminApi,
  type FaultPolicy,
  type TokenFailure,
  type TokenVerification,
} from './admin-api/index.js';
import { type ControlRequest, handleControl, SERVER_STATE_FILE, type ServerState } from './control.js';
import { startEnginePool } from './engine/index.js';
import { writeFileAtomic } from './identity/atomic-file.js';
import {
  type AccessTokenVerification,
  createIdentityPlatform,
  type IdentityPlatform,
  type JwtFailureReason,
  type Lifetimes,
  loadOrCreateSigningKey,
  openAppStore,
} from './identity/index.js';
import { type RestSettings, watchRestSettings } from './rest-settings.js';
import { ensureTenantAuthority, restDirectory } from './tenant-authority.js';
import { engineDirectory, readTenantIdentity } from './tenant-identity.js';

export interface StartSandboxServerOptions {
  /** The tenant directory to serve; defaults to defaultTenantDir(). A missing tenant is created, as the first New-PSSession does. */
  directory?: string;
  /** TCP port on 127.0.0.1; 0 (the default) takes any free one. */
  port?: number;
  /** Warm pwsh workers that run the cmdlets (default 2). */
  workers?: number;
  /** Token lifetimes in seconds (default 3600 / 900 / 90 days), short ones to test expiry. */
  lifetimes?: Partial<Lifetimes>;
  /** Approve every device code at once, as if its user signed in in a browser (tests and demos). */
  autoApproveDeviceCodes?: boolean;
  /** The pwsh the workers run; else EXO_PWSH, PATH, ~/.dotnet/tools. */
  pwsh?: string;
  /** Environment for the workers (secrets are removed). */
  env?: NodeJS.ProcessEnv;
}

export interface SandboxServer {
  /** The REST admin API's base URL, e.g. https://127.0.0.1:41234 (InvokeCommand is under /adminapi/beta/<tenant>/). */
  adminUrl: string;
  /** The identity platform's authority: tokens at `<authorityUrl>/<tenant>/oauth2/v2.0/token`. */
  authorityUrl: string;
  /** The tenant CA's certificate (PEM file): trust it, and only it, to reach the server. */
  caPath: string;
  tenantId: string;
  /** The tenant's initial domain, e.g. sandbox.onmicrosoft.localhost. */
  organization: string;
  /** The token scope for the admin API: `<adminUrl>/.default`. */
  scope: string;
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER for a managed identity (App Service style). */
  managedIdentity: { endpoint: string; header: string };
  /** Faults of the REST face (throttling, 503, resets, slow pages), changeable while it runs. */
  faults: FaultPolicy;
  /** Completes a pending device code's sign-in (as the admin, or `upn`). */
  approveDeviceCode(userCode: string, upn?: string): void;
  /** Stops listening, ends every worker and removes the state file; safe to call twice. */
  stop(): Promise<void>;
}

const TOKEN_FAILURES: Readonly<Record<JwtFailureReason, TokenFailure>> = {
  malformed: 'malformed',
  'unsupported-algorithm': 'signature',
  'unknown-key': 'signature',
  'bad-signature': 'signature',
  expired: 'expired',
  'not-yet-valid': 'malformed',
  'wrong-issuer': 'tenant',
  'wrong-audience': 'audience',
  'wrong-tenant': 'tenant',
};

/** The identity platform's verdict in the admin API's terms (its 401 texts follow from the reason). */
function tokenVerification(result: AccessTokenVerification): TokenVerification {
  return result.ok
    ? { ok: true, caller: result.caller }
    : { ok: false, reason: TOKEN_FAILURES[result.reason], message: result.message };
}

function definedLifetimes(settings: RestSettings): Partial<Lifetimes> {
  const lifetimes: Partial<Lifetimes> = {};
  if (settings.accessTokenLifetimeSeconds) lifetimes.accessTokenSeconds = settings.accessTokenLifetimeSeconds;
  if (settings.deviceCodeLifetimeSeconds) lifetimes.deviceCodeSeconds = settings.deviceCodeLifetimeSeconds;
  if (settings.refreshTokenLifetimeSeconds)
    lifetimes.refreshTokenSeconds = settings.refreshTokenLifetimeSeconds;
  return lifetimes;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Serves the tenant in `directory` as Exchange Online's REST admin API and Entra ID's token endpoints, on
 * 127.0.0.1 over HTTPS (REFERENCE §8). Both faces share the data: the workers run the PSSession face's cmdlets.
 */
export async function startSandboxServer(options: StartSandboxServerOptions = {}): Promise<SandboxServer> {
  const directory = options.directory ?? defaultTenantDir();
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new SandboxError(
      'INVALID_OPTION',
      `port must be a whole number from 0 to 65535; got ${String(port)}.`,
    );
  }
  let identity = await readTenantIdentity(directory);
  if (!identity) {
    await createTenant({
      directory,
      ...(options.pwsh ? { pwsh: options.pwsh } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    identity = await readTenantIdentity(directory);
    if (!identity)
      throw new SandboxError('TENANT_NOT_FOUND', `No sandbox tenant could be made in ${directory}.`);
  }
  const rest = restDirectory(directory);
  const [authority, signingKey] = await Promise.all([
    ensureTenantAuthority(directory),
    loadOrCreateSigningKey(rest),
  ]);
  const engine = await startEnginePool({
    directory,
    ...(options.workers !== undefined ? { size: options.workers } : {}),
    ...(options.pwsh ? { pwsh: options.pwsh } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const sockets = new Set<Socket>();
  const server = createServer({ cert: authority.serverCertificatePem, key: authority.serverKeyPem });
  // An idle connection stays open 120 s, as IIS's default connection timeout (Exchange's front end) keeps it:
  // longer than any client holds one idle, so a client never writes onto a socket the server already closed
  // (Node's 5 s default raced a client whose event loop stalled, and reset a write that was never seen).
  server.keepAliveTimeout = 120_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let listening: number;
  try {
    listening = await listen(server, port);
  } catch (error) {
    await engine.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new SandboxError(
      'INVALID_OPTION',
      code === 'EADDRINUSE'
        ? `Port ${port} on 127.0.0.1 is in use; pass another, or 0 for any free one.`
        : `The server could not listen on 127.0.0.1:${port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const origin = `https://127.0.0.1:${listening}`;
  const tenant = identity;
  const platform: IdentityPlatform = createIdentityPlatform({
    tenantId: tenant.tenantId,
    organization: tenant.organization,
    domains: tenant.domains,
    tenantDisplayName: tenant.displayName,
    authority: origin,
    audience: origin,
    signingKey,
    directory: engineDirectory(engine),
    apps: openAppStore(rest),
    ...(options.lifetimes ? { lifetimes: options.lifetimes } : {}),
    deviceCode: { autoApprove: options.autoApproveDeviceCodes ?? false },
  });
  const api: AdminApi = createAdminApi({
    engine,
    tenants: [{ tenantId: tenant.tenantId, domains: [tenant.organization, ...tenant.domains] }],
    baseUrl: origin,
    verifyToken: (token) => tokenVerification(platform.verifyAccessToken(token, { audience: origin })),
  });
  // configureTenant({ rest }) changes take effect at the next request; the caller's lifetimes win over the file's.
  const checkSettings = watchRestSettings(directory, (settings) => {
    platform.setLifetimes({
      ...definedLifetimes(settings),
      ...(options.lifetimes ?? {}),
    });
    api.faults.clear(tenant.tenantId);
    if (settings.faults) api.faults.configure(tenant.tenantId, settings.faults);
  });
  const state: ServerState = {
    pid: process.pid,
    adminUrl: origin,
    authorityUrl: origin,
    caPath: authority.caPath,
    tenantId: tenant.tenantId,
    organization: tenant.organization,
    controlToken: randomBytes(32).toString('base64url'),
  };
  const control: ControlRequest = { state, approve: (code, upn) => platform.approveDeviceCode(code, upn) };
  server.on('request', (req, res) => {
    const serve = async () => {
      checkSettings();
      if (await platform.handle(req, res)) return;
      if (await api.handle(req, res)) return;
      if (await handleControl(control, req, res)) return;
      res.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'NotFound', message: `No resource was found at ${req.url ?? '/'}.` },
        }),
      );
    };
    serve().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'InternalServerError', message: 'The sandbox failed to serve this request.' },
        }),
      );
      process.emitWarning(`exo-connect sandbox server: ${(error as Error)?.stack ?? String(error)}`);
    });
  });
  const statePath = join(rest, SERVER_STATE_FILE);
  await writeFileAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await engine.close();
      // Remove the state file only while it is still ours (another server may have started on the tenant since).
      const current = await readFile(statePath, 'utf8').catch(() => '');
      if (current.includes(state.controlToken)) await unlink(statePath).catch(() => undefined);
    })();
    return stopping;
  };
  return {
    adminUrl: origin,
    authorityUrl: origin,
    caPath: authority.caPath,
    tenantId: tenant.tenantId,
    organization: tenant.organization,
    scope: `${origin}/.default`,
    managedIdentity: platform.managedIdentity,
    faults: api.faults,
    approveDeviceCode: (code, upn) => platform.approveDeviceCode(code, upn),
    stop,
  };
}
