import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import * as sandbox from '@exo-connect/sandbox';
import { makeTempDir, waitFor } from '@exo-connect/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../src/connect/events.js';
import type { Credential } from '../src/connect/options.js';
import { ExoError } from '../src/errors/exo-error.js';
import type { RestHttp, TokenSource, TokenSourceContext } from '../src/rest/contracts.js';
import { createRestHttp } from '../src/rest/http/rest-http.js';
import { createTokenSource } from '../src/rest/tokens/index.js';
import { countingHttp, expiryOf, type SeenRequest } from './rest-helpers.js';
import { type TestTenant, testTenant } from './sandbox-helpers.js';

// rest/tokens/ against the sandbox's real identity platform over HTTPS (127.0.0.1 only): every grant MSAL
// speaks, the managed identity endpoint, Entra's refusals as stable codes, and the cache's refresh rules.

const ADMIN = sandbox.SANDBOX_DEMO_CREDENTIAL;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const T = 60_000;

let tenant: TestTenant;
let server: sandbox.SandboxServer;
let pemDir: string;

beforeAll(async () => {
  tenant = await testTenant(5);
  // No auto-approval: the device code tests approve their codes themselves.
  server = await sandbox.startSandboxServer({ directory: tenant.directory, env: tenant.env, workers: 1 });
  pemDir = await makeTempDir('exo-core-rest-tokens-');
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await tenant?.remove();
});

const sources: TokenSource[] = [];
const stacks: RestHttp[] = [];

afterEach(async () => {
  for (const source of sources.splice(0)) source.close();
  await Promise.all(stacks.splice(0).map((http) => http.close()));
});

/** A POST to a token endpoint (the device code's /devicecode and discovery GETs are not). */
const isTokenRequest = (seen: SeenRequest) =>
  seen.method === 'POST' && (seen.path.split('?')[0] ?? '').endsWith('/oauth2/v2.0/token');

/** A context on the sandbox as the brief's connection would build it, with every request (and grant) recorded. */
function setup(extra: Partial<TokenSourceContext> = {}) {
  const counting = countingHttp(server);
  const grants: string[] = [];
  const dispatcher = counting.dispatcher.compose((dispatch) => (options, handler) => {
    if (typeof options.body === 'string' && isTokenRequest({ ...options, done: false } as SeenRequest)) {
      grants.push(new URLSearchParams(options.body).get('grant_type') ?? '');
    }
    return dispatch(options, handler);
  });
  const http: RestHttp = { dispatcher, close: counting.close };
  stacks.push(http);
  const events: ConnectionEvent[] = [];
  const ctx: TokenSourceContext = {
    authority: server.authorityUrl,
    scope: server.scope,
    tenant: server.tenantId,
    http,
    env: {},
    emit: (event) => events.push(event),
    ...extra,
  };
  const open = (credential: Credential) => {
    const source = createTokenSource(credential, ctx);
    sources.push(source);
    return source;
  };
  return {
    ctx,
    seen: counting.seen,
    grants,
    events,
    open,
    tokenRequests: () => counting.seen.filter(isTokenRequest).length,
    information: () =>
      events
        .filter((e): e is Extract<ConnectionEvent, { type: 'information' }> => e.type === 'information')
        .map((e) => e.message),
  };
}

/** What `work` failed with, whether it threw at once or rejected. */
async function failureOf(work: () => unknown): Promise<ExoError> {
  try {
    await work();
  } catch (error) {
    expect(ExoError.is(error), `not an ExoError: ${inspect(error)}`).toBe(true);
    return error as ExoError;
  }
  throw new Error('It succeeded; a failure was expected.');
}

/** Every text an error carries, down its cause chain: JSON, message, stack, and what inspect() shows. */
function everyTextOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    try {
      parts.push(JSON.stringify(current) ?? '');
    } catch {
      // A cycle: inspect() below still shows it.
    }
    parts.push(inspect(current, { depth: 10, showHidden: true }));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

const password = (
  userPrincipalName: string = ADMIN.userPrincipalName,
  secret: string = ADMIN.password,
): Credential => ({
  kind: 'password',
  userPrincipalName,
  password: secret,
});

async function appWithCertificate(name: string) {
  const app = await sandbox.createSandboxApp({
    directory: tenant.directory,
    displayName: name,
    withCertificate: true,
  });
  const path = join(pemDir, `${name}-${randomUUID()}.pem`);
  await writeFile(path, `${app.certificatePem!.trim()}\n${app.privateKeyPem!.trim()}\n`, { mode: 0o600 });
  return { app, path };
}

describe('password', () => {
  it(
    'signs the demo admin in, hands out the cached token, and refresh() redeems the refresh token',
    async () => {
      const { open, tokenRequests, grants } = setup();
      const source = open(password());
      expect(tokenRequests()).toBe(0);

      const first = await source.get();
      expect(first.tenantId).toBe(server.tenantId);
      expect(first.userPrincipalName).toBe(ADMIN.userPrincipalName);
      expect(first.appId).toBeUndefined();
      expect(first.expiresOnMs).toBe(expiryOf(first.token) * 1000);
      expect(first.expiresOnMs).toBeGreaterThan(Date.now() + 10 * 60_000);
      expect(claimsOf(first.token)).toMatchObject({ upn: ADMIN.userPrincipalName, tid: server.tenantId });
      expect(tokenRequests()).toBe(1);
      expect(grants).toEqual(['password']);

      const again = await source.get();
      expect(again.token).toBe(first.token);
      expect(tokenRequests()).toBe(1);

      const renewed = await source.refresh();
      expect(tokenRequests()).toBe(2);
      expect(grants).toEqual(['password', 'refresh_token']);
      expect(renewed.token).not.toBe(first.token);
      expect(renewed.userPrincipalName).toBe(ADMIN.userPrincipalName);
      expect(renewed.tenantId).toBe(server.tenantId);
      // The new token is the one handed out from now on.
      expect((await source.get()).token).toBe(renewed.token);
      expect(tokenRequests()).toBe(2);
    },
    T,
  );

  it(
    'signs in to "organizations" and to the tenant by its domain too',
    async () => {
      for (const name of ['organizations', server.organization]) {
        const { open } = setup({ tenant: name });
        const token = await open(password()).get();
        expect(token.tenantId).toBe(server.tenantId);
        expect(token.userPrincipalName).toBe(ADMIN.userPrincipalName);
      }
    },
    T,
  );

  it(
    'a wrong password is AUTH_FAILED with AADSTS50126, and the password is nowhere in the error',
    async () => {
      const wrong = `Wrong-${randomUUID()}`;
      const { open } = setup();
      const error = await failureOf(() => open(password(ADMIN.userPrincipalName, wrong)).get());
      expect(error.code).toBe('AUTH_FAILED');
      expect(error.message).toMatch(/AADSTS50126/);
      expect(error.message).not.toMatch(/Trace ID/);
      expect(error.details).toMatchObject({ aadsts: 50126, error: 'invalid_grant' });
      expect(error.remediation).toMatch(/password/);
      expect(JSON.stringify(error)).not.toContain(wrong);
      expect(everyTextOf(error)).not.toContain(wrong);
    },
    T,
  );

  it(
    'an unknown user is AUTH_FAILED with AADSTS50034',
    async () => {
      const { open } = setup();
      const error = await failureOf(() => open(password('nobody-4711@sandbox.exo.localhost')).get());
      expect(error.code).toBe('AUTH_FAILED');
      expect(error.details).toMatchObject({ aadsts: 50034 });
      expect(everyTextOf(error)).not.toContain(ADMIN.password);
    },
    T,
  );

  it(
    'the MFA persona is MFA_REQUIRED, the federated one FEDERATED_AUTH_UNAVAILABLE',
    async () => {
      const { open } = setup();
      const mfa = await failureOf(() => open(password(sandbox.SANDBOX_PERSONAS.mfa.userPrincipalName)).get());
      expect(mfa.code).toBe('MFA_REQUIRED');
      expect(mfa.message).toMatch(/AADSTS50076/);
      expect(mfa.remediation).toMatch(/device code/);
      expect(everyTextOf(mfa)).not.toContain(ADMIN.password);

      const federated = await failureOf(() =>
        open(password(sandbox.SANDBOX_PERSONAS.federated.userPrincipalName)).get(),
      );
      expect(federated.code).toBe('FEDERATED_AUTH_UNAVAILABLE');
      expect(federated.message).toMatch(/AADSTS40008/);
      expect(everyTextOf(federated)).not.toContain(ADMIN.password);
    },
    T,
  );
});

describe('device code', () => {
  const userCodeOf = (message: string) => /enter the code (\S+) to authenticate/.exec(message)?.[1];

  it(
    'says "To sign in, use a web browser" with the code, and signs in once the code is approved',
    async () => {
      const { open, information, tokenRequests } = setup();
      const source = open({ kind: 'device' });
      let settled = false;
      const pending = source.get().finally(() => {
        settled = true;
      });
      expect(await waitFor(() => information().length > 0)).toBe(true);
      const [message] = information();
      expect(message).toMatch(/To sign in, use a web browser/);
      const userCode = userCodeOf(message!);
      expect(userCode).toBeTruthy();
      // Polling, not signed in: the code is not approved yet.
      expect(await waitFor(() => tokenRequests() >= 1)).toBe(true);
      expect(settled).toBe(false);

      server.approveDeviceCode(userCode!);
      const token = await pending;
      expect(token.userPrincipalName).toBe(ADMIN.userPrincipalName);
      expect(token.tenantId).toBe(server.tenantId);
      expect(information()).toHaveLength(1);
      // Later tokens come from the refresh token: no second code.
      const before = tokenRequests();
      const renewed = await source.refresh();
      expect(renewed.userPrincipalName).toBe(ADMIN.userPrincipalName);
      expect(tokenRequests()).toBe(before + 1);
      expect(information()).toHaveLength(1);
    },
    T,
  );

  it(
    'close() while the code is pending ends the sign-in with a rejection, even if the code is approved later',
    async () => {
      const { open, information } = setup();
      const source = open({ kind: 'device' });
      const pending = source.get().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(await waitFor(() => information().length > 0)).toBe(true);
      source.close();
      server.approveDeviceCode(userCodeOf(information()[0]!)!);
      const error = await pending;
      // Closed, not refused: the credential was not at fault.
      expect(ExoError.is(error, 'SESSION_BROKEN')).toBe(true);
      await expect(source.get()).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
    },
    T,
  );

  it(
    'get(signal) rejects with ABORTED the moment its signal aborts (at once if it already has), and close() still ends the source',
    async () => {
      const { open, information } = setup();
      const source = open({ kind: 'device' });
      const controller = new AbortController();
      const pending = source.get(controller.signal).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(await waitFor(() => information().length > 0)).toBe(true);
      controller.abort();
      const error = await pending;
      expect(ExoError.is(error, 'ABORTED')).toBe(true);
      source.close();
      await expect(source.get()).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
      // An already aborted signal fails at once.
      const other = open({ kind: 'device' });
      await expect(other.get(AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' });
    },
    T,
  );
});

describe('certificate', () => {
  it(
    'signs the app in with a PEM file: an app-only token for its appId',
    async () => {
      const { app, path } = await appWithCertificate('rest-tokens-cert');
      const { open, tokenRequests, grants } = setup({ tenant: server.organization });
      const source = open({
        kind: 'certificate',
        appId: app.clientId,
        organization: server.organization,
        certificateFilePath: path,
      });
      const token = await source.get();
      expect(token.appId).toBe(app.clientId);
      expect(token.userPrincipalName).toBeUndefined();
      expect(token.tenantId).toBe(server.tenantId);
      expect(claimsOf(token.token)).toMatchObject({ appid: app.clientId, appidacr: '2' });
      expect(grants).toEqual(['client_credentials']);
      expect((await source.get()).token).toBe(token.token);
      expect(tokenRequests()).toBe(1);
      const renewed = await source.refresh();
      expect(tokenRequests()).toBe(2);
      expect(renewed.token).not.toBe(token.token);
      expect(renewed.appId).toBe(app.clientId);
    },
    T,
  );

  it(
    'reads an encrypted key with certificatePassword; a wrong or missing pass phrase is INVALID_ARGUMENT',
    async () => {
      const { app } = await appWithCertificate('rest-tokens-encrypted');
      const passphrase = `Pass-${randomUUID()}`;
      const encrypted = createPrivateKey(app.privateKeyPem!).export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase,
      });
      expect(String(encrypted)).toMatch(/BEGIN ENCRYPTED PRIVATE KEY/);
      const path = join(pemDir, `encrypted-${randomUUID()}.pem`);
      await writeFile(path, `${app.certificatePem!.trim()}\n${String(encrypted).trim()}\n`);
      const { open } = setup({ tenant: server.organization });
      const credential = {
        kind: 'certificate' as const,
        appId: app.clientId,
        organization: server.organization,
        certificateFilePath: path,
      };

      const token = await open({ ...credential, certificatePassword: passphrase }).get();
      expect(token.appId).toBe(app.clientId);

      const wrongPhrase = `Wrong-${randomUUID()}`;
      const wrong = await failureOf(() => open({ ...credential, certificatePassword: wrongPhrase }));
      expect(wrong.code).toBe('INVALID_ARGUMENT');
      expect(wrong.details).toMatchObject({ field: 'credential.certificatePassword' });
      expect(everyTextOf(wrong)).not.toContain(wrongPhrase);

      const missing = await failureOf(() => open(credential));
      expect(missing.code).toBe('INVALID_ARGUMENT');
      expect(missing.details).toMatchObject({ field: 'credential.certificatePassword' });
    },
    T,
  );

  it(
    'a file that is not PEM (a .pfx) is INVALID_ARGUMENT with the openssl conversion; a missing file too',
    async () => {
      const { app } = await appWithCertificate('rest-tokens-pfx');
      const pfx = join(pemDir, `app-${randomUUID()}.pfx`);
      await writeFile(pfx, randomBytes(2048));
      const { open, seen } = setup({ tenant: server.organization });
      const base = { kind: 'certificate' as const, appId: app.clientId, organization: server.organization };

      const notPem = await failureOf(() => open({ ...base, certificateFilePath: pfx }));
      expect(notPem.code).toBe('INVALID_ARGUMENT');
      expect(notPem.details).toMatchObject({ field: 'credential.certificateFilePath' });
      expect(notPem.remediation).toMatch(/openssl pkcs12/);

      const absent = await failureOf(() =>
        open({ ...base, certificateFilePath: join(pemDir, 'absent.pem') }),
      );
      expect(absent.code).toBe('INVALID_ARGUMENT');
      expect(absent.details).toMatchObject({ field: 'credential.certificateFilePath' });

      // A certificate without its key.
      const certOnly = join(pemDir, `cert-only-${randomUUID()}.pem`);
      await writeFile(certOnly, app.certificatePem!);
      const noKey = await failureOf(() => open({ ...base, certificateFilePath: certOnly }));
      expect(noKey.code).toBe('INVALID_ARGUMENT');
      expect(noKey.message).toMatch(/no private key/);
      expect(seen).toHaveLength(0);
    },
    T,
  );

  it(
    "another app's certificate is AUTH_FAILED (AADSTS700027); an unknown appId AUTH_FAILED (AADSTS700016)",
    async () => {
      const first = await appWithCertificate('rest-tokens-first');
      const second = await appWithCertificate('rest-tokens-second');
      const { open } = setup({ tenant: server.organization });

      const foreign = await failureOf(() =>
        open({
          kind: 'certificate',
          appId: first.app.clientId,
          organization: server.organization,
          certificateFilePath: second.path,
        }).get(),
      );
      expect(foreign.code).toBe('AUTH_FAILED');
      expect(foreign.message).toMatch(/AADSTS700027/);
      expect(foreign.details).toMatchObject({ aadsts: 700027 });
      expect(foreign.remediation).toMatch(/certificate/);
      expect(everyTextOf(foreign)).not.toContain('PRIVATE KEY');

      const unknownApp = randomUUID();
      const unknown = await failureOf(() =>
        open({
          kind: 'certificate',
          appId: unknownApp,
          organization: server.organization,
          certificateFilePath: first.path,
        }).get(),
      );
      expect(unknown.code).toBe('AUTH_FAILED');
      expect(unknown.message).toMatch(/AADSTS700016/);
      expect(unknown.message).toContain(unknownApp);
      expect(unknown.remediation).toMatch(/appId/);
    },
    T,
  );

  it(
    'a thumbprint not in the store is INVALID_ARGUMENT naming where it looked, before any request',
    async () => {
      const { open, seen } = setup({ tenant: server.organization });
      const error = await failureOf(() =>
        open({
          kind: 'certificate',
          appId: randomUUID(),
          organization: server.organization,
          certificateThumbprint: 'A'.repeat(40),
        }),
      );
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.details).toMatchObject({ field: 'credential.certificateThumbprint' });
      expect(error.remediation).toMatch(/certificateFilePath/);
      expect(seen).toHaveLength(0);
    },
    T,
  );
});

describe('client secret', () => {
  it(
    'the right secret gets an app-only token; a wrong one is AUTH_FAILED (AADSTS7000215), never echoed',
    async () => {
      const app = await sandbox.createSandboxApp({
        directory: tenant.directory,
        displayName: 'rest-tokens-secret',
        withSecret: true,
      });
      const { open, grants } = setup({ tenant: server.organization });
      const base = { kind: 'clientSecret' as const, appId: app.clientId, organization: server.organization };

      const token = await open({ ...base, clientSecret: app.secret! }).get();
      expect(token.appId).toBe(app.clientId);
      expect(token.userPrincipalName).toBeUndefined();
      expect(token.tenantId).toBe(server.tenantId);
      expect(claimsOf(token.token)).toMatchObject({ appid: app.clientId, appidacr: '1' });
      expect(grants).toEqual(['client_credentials']);

      const wrongSecret = `xyz8Q~${randomBytes(24).toString('base64url')}`;
      const wrong = await failureOf(() => open({ ...base, clientSecret: wrongSecret }).get());
      expect(wrong.code).toBe('AUTH_FAILED');
      expect(wrong.message).toMatch(/AADSTS7000215/);
      expect(wrong.remediation).toMatch(/client secret/);
      expect(everyTextOf(wrong)).not.toContain(wrongSecret);
      expect(everyTextOf(wrong)).not.toContain(app.secret!);
    },
    T,
  );
});

describe('managed identity', () => {
  const identityEnv = () => ({
    IDENTITY_ENDPOINT: server.managedIdentity.endpoint,
    IDENTITY_HEADER: server.managedIdentity.header,
  });

  it(
    'gets an app-only token from IDENTITY_ENDPOINT, for the system identity or a user-assigned one',
    async () => {
      const { open, seen } = setup({ env: identityEnv() });
      const system = await open({ kind: 'managedIdentity', organization: server.organization }).get();
      expect(system.appId).toMatch(GUID);
      expect(system.userPrincipalName).toBeUndefined();
      expect(system.tenantId).toBe(server.tenantId);
      expect(system.expiresOnMs).toBe(expiryOf(system.token) * 1000);
      expect(claimsOf(system.token)).toMatchObject({ appid: system.appId, idtyp: 'app' });
      expect(seen.filter((s) => s.path.startsWith('/msi/token'))).toHaveLength(1);

      const accountId = randomUUID();
      const user = await open({
        kind: 'managedIdentity',
        organization: server.organization,
        accountId,
      }).get();
      expect(user.appId).toBe(accountId);
    },
    T,
  );

  it(
    'no IDENTITY_ENDPOINT is CREDENTIAL_MISSING; a wrong IDENTITY_HEADER is AUTH_FAILED',
    async () => {
      const missing = await failureOf(() =>
        setup().open({ kind: 'managedIdentity', organization: server.organization }),
      );
      expect(missing.code).toBe('CREDENTIAL_MISSING');
      expect(missing.message).toMatch(/IDENTITY_ENDPOINT/);

      const wrongHeader = `wrong-${randomUUID()}`;
      const { open } = setup({ env: { ...identityEnv(), IDENTITY_HEADER: wrongHeader } });
      const refused = await failureOf(() =>
        open({ kind: 'managedIdentity', organization: server.organization }).get(),
      );
      expect(refused.code).toBe('AUTH_FAILED');
      expect(refused.message).toMatch(/X-IDENTITY-HEADER/);
      expect(everyTextOf(refused)).not.toContain(wrongHeader);
    },
    T,
  );
});

describe('a given access token', () => {
  it(
    'is handed out with its claims decoded, sends nothing, and cannot be refreshed',
    async () => {
      const signIn = setup();
      const real = await signIn.open(password()).get();

      const { open, seen } = setup();
      const source = open({
        kind: 'accessToken',
        accessToken: real.token,
        organization: server.organization,
      });
      const given = await source.get();
      expect(given).toMatchObject({
        token: real.token,
        tenantId: server.tenantId,
        userPrincipalName: ADMIN.userPrincipalName,
        expiresOnMs: expiryOf(real.token) * 1000,
      });
      expect((await source.get()).token).toBe(real.token);
      const refused = await failureOf(() => source.refresh());
      expect(refused.code).toBe('AUTH_FAILED');
      expect(everyTextOf(refused)).not.toContain(real.token);
      expect(seen).toHaveLength(0);
    },
    T,
  );

  it(
    'an app-only token names its app; an expired one is AUTH_FAILED (the clock moved past its exp)',
    async () => {
      const mi = setup({
        env: {
          IDENTITY_ENDPOINT: server.managedIdentity.endpoint,
          IDENTITY_HEADER: server.managedIdentity.header,
        },
      });
      const appToken = await mi.open({ kind: 'managedIdentity', organization: server.organization }).get();
      const given = await setup()
        .open({ kind: 'accessToken', accessToken: appToken.token, organization: server.organization })
        .get();
      expect(given.appId).toBe(appToken.appId);
      expect(given.userPrincipalName).toBeUndefined();

      const past = (expiryOf(appToken.token) + 1) * 1000;
      const { open } = setup({ now: () => past });
      const expired = await failureOf(() =>
        open({ kind: 'accessToken', accessToken: appToken.token, organization: server.organization }).get(),
      );
      expect(expired.code).toBe('AUTH_FAILED');
      expect(expired.message).toMatch(/expired/);
    },
    T,
  );
});

describe('the cache', () => {
  it(
    'loads again only within 5 minutes of expiry (by ctx.now), not before',
    async () => {
      let clock = Date.now();
      const { open, tokenRequests, grants } = setup({ now: () => clock });
      const source = open(password());
      const first = await source.get();
      expect(tokenRequests()).toBe(1);

      clock = first.expiresOnMs - 6 * 60_000;
      expect((await source.get()).token).toBe(first.token);
      expect(tokenRequests()).toBe(1);

      clock = first.expiresOnMs - 4 * 60_000;
      const second = await source.get();
      expect(tokenRequests()).toBe(2);
      expect(grants).toEqual(['password', 'refresh_token']);
      expect(second.token).not.toBe(first.token);
      expect(second.userPrincipalName).toBe(ADMIN.userPrincipalName);
    },
    T,
  );

  it(
    'a token with little life left is loaded again half-way through it',
    async () => {
      const app = await sandbox.createSandboxApp({
        directory: tenant.directory,
        displayName: 'rest-tokens-skew',
        withSecret: true,
      });
      // The clock says 8 minutes are left of the token when it arrives: refresh 4 minutes before its end.
      let clock = Date.now() + 52 * 60_000;
      const { open, tokenRequests } = setup({ tenant: server.organization, now: () => clock });
      const source = open({
        kind: 'clientSecret',
        appId: app.clientId,
        organization: server.organization,
        clientSecret: app.secret!,
      });
      const first = await source.get();
      const leftMs = first.expiresOnMs - clock;
      expect(leftMs).toBeGreaterThan(6 * 60_000);
      expect(leftMs).toBeLessThan(10 * 60_000);

      clock = first.expiresOnMs - leftMs / 2 - 30_000;
      expect((await source.get()).token).toBe(first.token);
      expect(tokenRequests()).toBe(1);

      clock = first.expiresOnMs - leftMs / 2 + 30_000;
      const second = await source.get();
      expect(tokenRequests()).toBe(2);
      expect(second.token).not.toBe(first.token);
    },
    T,
  );

  it(
    'five concurrent get() calls on a fresh source make one token request and share its token',
    async () => {
      const { open, tokenRequests } = setup();
      const source = open(password());
      const tokens = await Promise.all(Array.from({ length: 5 }, () => source.get()));
      expect(tokenRequests()).toBe(1);
      expect(new Set(tokens.map((t) => t.token)).size).toBe(1);

      // A burst of refresh() calls (five 401s at once) also signs in once.
      const renewed = await Promise.all(Array.from({ length: 5 }, () => source.refresh()));
      expect(tokenRequests()).toBe(2);
      expect(new Set(renewed.map((t) => t.token)).size).toBe(1);
      expect(renewed[0]!.token).not.toBe(tokens[0]!.token);
    },
    T,
  );

  it(
    'close() drops the token: later calls are SESSION_BROKEN',
    async () => {
      const { open, tokenRequests } = setup();
      const source = open(password());
      await source.get();
      source.close();
      await expect(source.get()).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
      await expect(source.refresh()).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
      expect(tokenRequests()).toBe(1);
    },
    T,
  );
});

describe('an identity platform whose certificate is not trusted', () => {
  it(
    'is NETWORK_UNREACHABLE naming the certificate and rest.caPath, not DNS and port 443 (MSAL keeps no cause)',
    async () => {
      // A self-signed certificate that issued nothing the server presents: the wrong CA to trust.
      const app = await sandbox.createSandboxApp({
        directory: tenant.directory,
        displayName: 'other-ca',
        withCertificate: true,
      });
      const otherCa = join(pemDir, 'other-ca.pem');
      await writeFile(otherCa, app.certificatePem!);
      const http = createRestHttp({ caPath: otherCa });
      stacks.push(http);
      const ctx: TokenSourceContext = {
        authority: server.authorityUrl,
        scope: server.scope,
        tenant: server.tenantId,
        http,
        env: {
          IDENTITY_ENDPOINT: server.managedIdentity.endpoint,
          IDENTITY_HEADER: server.managedIdentity.header,
        },
        emit: () => undefined,
      };
      const credentials: Credential[] = [
        password(),
        {
          kind: 'clientSecret',
          appId: randomUUID(),
          organization: server.organization,
          clientSecret: 'x'.repeat(20),
        },
        { kind: 'managedIdentity', organization: server.organization },
      ];
      for (const credential of credentials) {
        const source = createTokenSource(credential, ctx);
        sources.push(source);
        const error = await failureOf(() => source.get());
        expect(error.code, credential.kind).toBe('NETWORK_UNREACHABLE');
        expect(error.message, credential.kind).toMatch(
          /^The certificate of 127\.0\.0\.1:\d+ is not trusted \(/,
        );
        expect(error.remediation, credential.kind).toContain('rest.caPath');
        expect(everyTextOf(error)).not.toContain(ADMIN.password);
      }
    },
    T,
  );
});

describe('an unreachable identity platform', () => {
  it(
    'is NETWORK_UNREACHABLE for MSAL sign-ins and for the managed identity endpoint',
    async () => {
      const unreachable = 'https://127.0.0.1:9';
      const http = createRestHttp({ caPath: server.caPath });
      stacks.push(http);
      const ctx: TokenSourceContext = {
        authority: unreachable,
        scope: server.scope,
        tenant: server.tenantId,
        http,
        env: { IDENTITY_ENDPOINT: `${unreachable}/msi/token`, IDENTITY_HEADER: 'header' },
        emit: () => undefined,
      };
      const credentials: Credential[] = [
        password(),
        {
          kind: 'clientSecret',
          appId: randomUUID(),
          organization: server.organization,
          clientSecret: 'x'.repeat(20),
        },
        { kind: 'managedIdentity', organization: server.organization },
      ];
      for (const credential of credentials) {
        const source = createTokenSource(credential, ctx);
        sources.push(source);
        const error = await failureOf(() => source.get());
        expect(error.code, credential.kind).toBe('NETWORK_UNREACHABLE');
        expect(error.message).toContain('127.0.0.1:9');
        expect(everyTextOf(error)).not.toContain(ADMIN.password);
      }
    },
    T,
  );
});
