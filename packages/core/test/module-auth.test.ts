import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_DEMO_CREDENTIAL } from '@exo-connect/sandbox';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParameterValue } from '../src/bridge/encode-request.js';
import type { BridgeRequestOptions } from '../src/bridge/pwsh-bridge.js';
import { connect } from '../src/connect/connect.js';
import type { Connection } from '../src/connect/connection.js';
import type { ConnectionEvent } from '../src/connect/events.js';
import { type HostFactory, pwshHostFactory } from '../src/connect/host-port.js';
import type { ConnectOptions, Credential } from '../src/connect/options.js';
import { locatePwsh } from '../src/pwsh/locate-pwsh.js';
import { runPwshScript } from './pwsh-script.js';
import { type TestTenant, testTenant } from './sandbox-helpers.js';

// The sandbox tenant's registered application and the client id of the machine's system-assigned managed
// identity (packages/sandbox README, "Stand-in ExchangeOnlineManagement").
const SANDBOX_APP_ID = '6f1c2a8e-3b5d-4e7f-9a0b-5c8d2e4f6a1b';
const SYSTEM_MANAGED_IDENTITY = '2b7e4c9a-1d3f-4a5b-8c6d-0e9f1a2b3c4d';
const ORGANIZATION = 'sandbox.onmicrosoft.localhost';

interface ConnectionInfo {
  SandboxAuthenticationMethod: string;
  UserPrincipalName: string | null;
  AppId: string | null;
  Organization: string;
  CertificateAuthentication: boolean;
  TokenStatus: string;
  TokenExpiryTimeUTC: string;
  State: string;
}

interface Certificates {
  /** A .pfx valid now, its password, and its thumbprint (also installed in `home`'s CurrentUser\My store). */
  pfx: string;
  expiredPfx: string;
  password: string;
  thumbprint: string;
  /** A HOME whose .NET certificate store (~/.dotnet/corefx/cryptography/x509stores/my) holds the certificate. */
  home: string;
}

/** Makes the certificates with .NET in pwsh; the password goes on stdin, never on a command line. */
async function makeCertificates(dir: string): Promise<Certificates> {
  const home = join(dir, 'home');
  const password = randomBytes(12).toString('base64url');
  const script = `
$in = [Console]::In.ReadToEnd() | ConvertFrom-Json
function New-TestCertificate([DateTimeOffset]$From, [DateTimeOffset]$To) {
  $rsa = [System.Security.Cryptography.RSA]::Create(2048)
  $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=exo-connect module-auth test', $rsa, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
  $request.CreateSelfSigned($From, $To)
}
$now = [DateTimeOffset]::Now
$valid = New-TestCertificate $now.AddDays(-1) $now.AddDays(30)
$expired = New-TestCertificate $now.AddDays(-30) $now.AddDays(-1)
[IO.File]::WriteAllBytes($in.pfx, $valid.Export('Pfx', $in.password))
[IO.File]::WriteAllBytes($in.expiredPfx, $expired.Export('Pfx', $in.password))
$stored = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($valid.Export('Pfx'), [string]$null, 'Exportable,PersistKeySet')
$store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
$store.Open('ReadWrite'); $store.Add($stored); $store.Dispose()
$valid.Thumbprint
`;
  const input = { pfx: join(dir, 'app.pfx'), expiredPfx: join(dir, 'expired.pfx'), password };
  const thumbprint = await runPwshScript(script, input, { ...process.env, HOME: home });
  return { ...input, thumbprint, home };
}

/** An unsigned JWT with these claims: the sandbox reads claims; it cannot check Microsoft's signature. */
function accessToken(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}

const inMinutes = (minutes: number) => Math.floor(Date.now() / 1000) + minutes * 60;

/** The host port, recording every request the engine sends and the secrets it offers with each. */
function recordingHosts(log: Array<{ command: string; parameters: string; secrets: string[] }>): HostFactory {
  return {
    async start(options) {
      const host = await pwshHostFactory.start(options);
      return {
        get pid() {
          return host.pid;
        },
        get alive() {
          return host.alive;
        },
        request(command: string, parameters?: Record<string, ParameterValue>, opts?: BridgeRequestOptions) {
          log.push({
            command,
            parameters: JSON.stringify(parameters ?? {}),
            secrets: Object.keys(opts?.secrets ?? {}),
          });
          return host.request(command, parameters, opts);
        },
        kill: () => host.kill(),
        close: (graceMs?: number) => host.close(graceMs),
      };
    },
  };
}

let tenant: TestTenant;
let certs: Certificates;
let certDir: string;
let pwshPath: string;
const open: Connection[] = [];

beforeAll(async () => {
  tenant = await testTenant(30);
  certDir = await makeTempDir('exo-core-certs-');
  certs = await makeCertificates(certDir);
  pwshPath = (await locatePwsh()).executable;
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect()));
});
afterAll(async () => {
  await tenant?.remove();
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

async function noLeaks() {
  await expect.poll(() => tenant.processes(), { interval: 200 }).toEqual([]);
  expect(await tenant.liveSessions()).toBe(0);
}

/** The module strategy against the sandbox; with a certificate store, pwsh runs with that HOME. */
function moduleOptions(credential: Credential, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return tenant.options({ strategy: 'module', credential, ...extra });
}

function storeOptions(): Partial<ConnectOptions> {
  // pwsh by path, as its dotnet-tool shim lives under the real HOME; the sandbox's compiled engine stays cached.
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return { pwsh: pwshPath, env: { ...tenant.env, HOME: certs.home, XDG_CACHE_HOME: cache } };
}

/** Connects, runs Get-Mailbox, reads what the stand-in saw, disconnects and checks nothing is left. */
async function signIn(options: ConnectOptions, events: ConnectionEvent[] = []) {
  const exo = await connect({ ...options, onEvent: (e) => events.push(e) });
  open.push(exo);
  expect(await exo.invoke('Get-Mailbox', { ResultSize: 3 })).toHaveLength(3);
  const [info] = await exo.invoke<ConnectionInfo>('Get-ConnectionInformation');
  expect(info).toMatchObject({ State: 'Connected', TokenStatus: 'Active' });
  expect(await tenant.liveSessions()).toBe(1);
  await exo.disconnect();
  await noLeaks();
  return info!;
}

// Each test connects (and disconnects) once or twice with real pwsh; the machine may be busy.
describe('each credential kind connects through the module strategy', () => {
  it('a user name and password: -Credential', async () => {
    const info = await signIn(moduleOptions(SANDBOX_DEMO_CREDENTIAL));
    expect(info).toMatchObject({
      SandboxAuthenticationMethod: 'Credential',
      UserPrincipalName: SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
      CertificateAuthentication: false,
    });
  });

  it('device code: -Device, and the sign-in message reaches onEvent', async () => {
    const events: ConnectionEvent[] = [];
    const info = await signIn(moduleOptions({ kind: 'device' }), events);
    expect(info).toMatchObject({
      SandboxAuthenticationMethod: 'DeviceCode',
      UserPrincipalName: 'admin@sandbox.exo.localhost',
    });
    expect(events).toContainEqual({
      type: 'information',
      message: expect.stringMatching(
        /^To sign in, use a web browser to open the page https:\/\/microsoft\.com\/devicelogin and enter the code [A-Z0-9]{9} to authenticate\.$/,
      ),
    });
  });

  it('device code for an account that needs MFA (the remedy MFA_REQUIRED gives)', async () => {
    const credential = { kind: 'device', userPrincipalName: 'mfa@sandbox.exo.localhost' } as const;
    const password = await connect(
      moduleOptions({
        userPrincipalName: 'mfa@sandbox.exo.localhost',
        password: SANDBOX_DEMO_CREDENTIAL.password,
      }),
    ).catch((e) => e);
    expect(password).toMatchObject({ code: 'MFA_REQUIRED' });
    const info = await signIn(moduleOptions(credential));
    expect(info).toMatchObject({
      SandboxAuthenticationMethod: 'DeviceCode',
      UserPrincipalName: 'mfa@sandbox.exo.localhost',
    });
  });

  it('a certificate file with its password: -CertificateFilePath -CertificatePassword -AppId -Organization', async () => {
    const log: Array<{ command: string; parameters: string; secrets: string[] }> = [];
    const events: ConnectionEvent[] = [];
    const credential = {
      kind: 'certificate',
      appId: SANDBOX_APP_ID,
      organization: ORGANIZATION,
      certificateFilePath: certs.pfx,
      certificatePassword: certs.password,
    } as const;
    const exo = await connect(
      { ...moduleOptions(credential), onEvent: (e) => events.push(e) },
      { hosts: recordingHosts(log) },
    );
    open.push(exo);
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 3 })).toHaveLength(3);
    const [info] = await exo.invoke<ConnectionInfo>('Get-ConnectionInformation');
    expect(info).toMatchObject({
      SandboxAuthenticationMethod: 'CertificateFile',
      AppId: SANDBOX_APP_ID,
      Organization: ORGANIZATION,
      CertificateAuthentication: true,
      UserPrincipalName: null,
    });
    // The password travelled as a secret ({ $exoSecret }, read by Read-ExoSecret), never in a request line,
    // the host's command line or environment, or an event.
    const connectRequest = log.find((r) => r.command === 'Connect-ExoModule')!;
    expect(connectRequest.secrets).toEqual(['certificatePassword']);
    expect(connectRequest.parameters).toContain('"CertificatePassword":{"$exoSecret":"certificatePassword"}');
    const hostPid = exo.hostPid!;
    const visible = [
      JSON.stringify(log),
      JSON.stringify(events),
      readFileSync(`/proc/${hostPid}/cmdline`, 'utf8'),
      readFileSync(`/proc/${hostPid}/environ`, 'utf8'),
    ].join('\n');
    expect(visible).not.toContain(certs.password);
    await exo.disconnect();
    await noLeaks();
  });

  it("a certificate thumbprint: -CertificateThumbprint, found in the user's CurrentUser\\My store", async () => {
    const credential = {
      kind: 'certificate',
      appId: SANDBOX_APP_ID,
      organization: ORGANIZATION,
      certificateThumbprint: certs.thumbprint,
    } as const;
    const info = await signIn(moduleOptions(credential, storeOptions()));
    expect(info).toMatchObject({
      SandboxAuthenticationMethod: 'CertificateThumbprint',
      AppId: SANDBOX_APP_ID,
      CertificateAuthentication: true,
    });
  });

  it('a managed identity: -ManagedIdentity, system-assigned or user-assigned (-ManagedIdentityAccountId)', async () => {
    const system = await signIn(moduleOptions({ kind: 'managedIdentity', organization: ORGANIZATION }));
    expect(system).toMatchObject({
      SandboxAuthenticationMethod: 'ManagedIdentity',
      AppId: SYSTEM_MANAGED_IDENTITY,
      UserPrincipalName: null,
    });
    const accountId = '0c4e8a6f-2d1b-4f3a-9e7c-5b6a8d0f1e2c';
    const user = await signIn(
      moduleOptions({ kind: 'managedIdentity', organization: ORGANIZATION, accountId }),
    );
    expect(user).toMatchObject({ SandboxAuthenticationMethod: 'ManagedIdentity', AppId: accountId });
  });

  it('an access token: -AccessToken -Organization, delegated (a user) or app-only', async () => {
    const log: Array<{ command: string; parameters: string; secrets: string[] }> = [];
    const exp = inMinutes(45);
    const token = accessToken({
      aud: 'https://outlook.office365.com',
      exp,
      upn: 'admin@sandbox.exo.localhost',
    });
    const exo = await connect(
      moduleOptions({ kind: 'accessToken', accessToken: token, organization: ORGANIZATION }),
      {
        hosts: recordingHosts(log),
      },
    );
    open.push(exo);
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 3 })).toHaveLength(3);
    const [delegated] = await exo.invoke<ConnectionInfo>('Get-ConnectionInformation');
    expect(delegated).toMatchObject({
      SandboxAuthenticationMethod: 'AccessToken',
      UserPrincipalName: 'admin@sandbox.exo.localhost',
    });
    // The token's own lifetime, as the real module reports it.
    expect(Math.round(Date.parse(delegated!.TokenExpiryTimeUTC) / 1000)).toBe(exp);
    expect(log.find((r) => r.command === 'Connect-ExoModule')?.secrets).toEqual(['accessToken']);
    expect(JSON.stringify(log)).not.toContain(token);
    expect(readFileSync(`/proc/${exo.hostPid}/environ`, 'utf8')).not.toContain(token);
    await exo.disconnect();
    await noLeaks();

    const appOnly = accessToken({
      aud: 'https://outlook.office365.com',
      exp: inMinutes(45),
      appid: SANDBOX_APP_ID,
      roles: ['Exchange.ManageAsApp'],
    });
    const app = await signIn(
      moduleOptions({ kind: 'accessToken', accessToken: appOnly, organization: ORGANIZATION }),
    );
    expect(app).toMatchObject({
      SandboxAuthenticationMethod: 'AccessToken',
      AppId: SANDBOX_APP_ID,
      UserPrincipalName: null,
    });
  });
});

describe('invalid sign-ins', () => {
  it.each([
    [
      'both a certificate file and a thumbprint',
      {
        kind: 'certificate',
        appId: SANDBOX_APP_ID,
        organization: ORGANIZATION,
        certificateFilePath: '/x.pfx',
        certificateThumbprint: 'AB'.repeat(20),
      },
      'credential.certificateFilePath',
    ],
    [
      'a certificate without file or thumbprint',
      { kind: 'certificate', appId: SANDBOX_APP_ID, organization: ORGANIZATION },
      'credential.certificateFilePath',
    ],
    [
      'a certificate password with a thumbprint',
      {
        kind: 'certificate',
        appId: SANDBOX_APP_ID,
        organization: ORGANIZATION,
        certificateThumbprint: 'AB'.repeat(20),
        certificatePassword: 'x',
      },
      'credential.certificatePassword',
    ],
    [
      'a thumbprint that is not 40 hex digits',
      {
        kind: 'certificate',
        appId: SANDBOX_APP_ID,
        organization: ORGANIZATION,
        certificateThumbprint: 'xyz',
      },
      'credential.certificateThumbprint',
    ],
    ['a managed identity without organization', { kind: 'managedIdentity' }, 'credential.organization'],
    [
      'an empty access token',
      { kind: 'accessToken', accessToken: '', organization: ORGANIZATION },
      'credential.accessToken',
    ],
  ])('%s → INVALID_ARGUMENT before anything starts', async (_, credential, field) => {
    const before = tenant.processes().length;
    const error = await connect(moduleOptions(credential as Credential)).catch((e) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field } });
    expect(tenant.processes()).toHaveLength(before);
  });

  it('the same checks apply to a credential from a provider, in the credential step', async () => {
    const provider = () =>
      ({ kind: 'certificate', appId: SANDBOX_APP_ID, organization: ORGANIZATION }) as Credential;
    await expect(connect(moduleOptions(provider as unknown as Credential))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'credential.certificateFilePath' },
    });
    await noLeaks();
  });

  it('remote PowerShell refuses anything but a password', async () => {
    await expect(
      connect(
        tenant.options({
          strategy: 'rps',
          credential: { kind: 'managedIdentity', organization: ORGANIZATION },
        }),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'credential.kind' } });
    await noLeaks();
  });

  const certificate = (extra: object) =>
    ({ kind: 'certificate', appId: SANDBOX_APP_ID, organization: ORGANIZATION, ...extra }) as Credential;
  it.each([
    [
      'a wrong certificate password',
      () => certificate({ certificateFilePath: certs.pfx, certificatePassword: 'not-the-password' }),
      'AUTH_FAILED',
      'The certificate data cannot be read with the provided password',
    ],
    [
      'an application not registered in the tenant',
      () =>
        certificate({
          appId: '11111111-2222-3333-4444-555555555555',
          certificateFilePath: certs.pfx,
          certificatePassword: certs.password,
        }),
      'AUTH_FAILED',
      'AADSTS700016',
    ],
    [
      'an organization that is not the tenant',
      () =>
        certificate({
          organization: 'contoso.onmicrosoft.com',
          certificateFilePath: certs.pfx,
          certificatePassword: certs.password,
        }),
      'AUTH_FAILED',
      "AADSTS90002: Tenant 'contoso.onmicrosoft.com' not found",
    ],
    [
      'an expired certificate',
      () => certificate({ certificateFilePath: certs.expiredPfx, certificatePassword: certs.password }),
      'AUTH_FAILED',
      'AADSTS700027',
    ],
    [
      'a thumbprint not in the certificate store',
      () => certificate({ certificateThumbprint: '0123456789ABCDEF0123456789ABCDEF01234567' }),
      'CMDLET_ERROR',
      "No certificate with thumbprint '0123456789ABCDEF0123456789ABCDEF01234567'",
    ],
    [
      'an expired access token',
      () =>
        ({
          kind: 'accessToken',
          organization: ORGANIZATION,
          accessToken: accessToken({
            aud: 'https://outlook.office365.com',
            exp: inMinutes(-5),
            upn: 'admin@sandbox.exo.localhost',
          }),
        }) as Credential,
      'AUTH_FAILED',
      'invalid_token',
    ],
    [
      'an access token for another resource',
      () =>
        ({
          kind: 'accessToken',
          organization: ORGANIZATION,
          accessToken: accessToken({
            aud: 'https://graph.microsoft.com',
            exp: inMinutes(30),
            upn: 'admin@sandbox.exo.localhost',
          }),
        }) as Credential,
      'AUTH_FAILED',
      'invalid_token',
    ],
    [
      'device code for an account the tenant does not have',
      () => ({ kind: 'device', userPrincipalName: 'nobody@sandbox.exo.localhost' }) as Credential,
      'AUTH_FAILED',
      'AADSTS50034',
    ],
  ] as const)(
    "%s fails with the module's own text, mapped to its code",
    async (_, credential, code, text) => {
      // With the test's certificate store (a temporary HOME), so the thumbprint lookup never reads the user's.
      const error = await connect(moduleOptions(credential(), storeOptions())).catch((e) => e);
      expect(error).toMatchObject({ code, remediation: expect.any(String) });
      expect(error.message).toContain(text);
      expect(JSON.stringify(error)).not.toContain(certs.password);
      await noLeaks();
    },
  );
});
