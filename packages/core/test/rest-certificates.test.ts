import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSandboxApp, type SandboxServer, startSandboxServer } from '@exo-connect/sandbox';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from '../src/connect/options.js';
import { ExoError } from '../src/errors/exo-error.js';
import type { RestHttp } from '../src/rest/contracts.js';
import { createRestHttp } from '../src/rest/http/rest-http.js';
import { createTokenSource } from '../src/rest/tokens/index.js';
import { runPwshScript } from './pwsh-script.js';
import { type TestTenant, testTenant } from './sandbox-helpers.js';

// App-only sign-in with the certificate files users have: .pfx files as .NET (and so Windows) writes them,
// in the legacy (3DES, SHA-1 MAC) and the current (AES-256, PBKDF2, SHA-256 MAC) encryption, and a
// thumbprint in .NET's CurrentUser\My store on Linux. .NET makes them, in pwsh, from the app's certificate.

let tenant: TestTenant;
let server: SandboxServer;
let http: RestHttp;
let dir: string;
let app: Awaited<ReturnType<typeof createSandboxApp>>;
const password = randomBytes(12).toString('base64url');
let files: { legacy: string; aes: string; home: string; thumbprint: string };

/** .NET writes the .pfx files and the store entry; the password and the key travel on stdin. */
function makePfxFiles(input: Record<string, string>): Promise<string> {
  const script = `
$in = [Console]::In.ReadToEnd() | ConvertFrom-Json
$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($in.certificatePem, $in.privateKeyPem)
[IO.File]::WriteAllBytes($in.legacy, $cert.Export('Pfx', $in.password))
$aes = [System.Security.Cryptography.PbeParameters]::new('Aes256Cbc', 'SHA256', 2000)
[IO.File]::WriteAllBytes($in.aes, $cert.ExportPkcs12($aes, $in.password))
$stored = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($cert.Export('Pfx'), [string]$null, 'Exportable,PersistKeySet')
$store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
$store.Open('ReadWrite'); $store.Add($stored); $store.Dispose()
$cert.Thumbprint
`;
  return runPwshScript(script, input, { ...process.env, HOME: input.home });
}

beforeAll(async () => {
  tenant = await testTenant(5);
  server = await startSandboxServer({ directory: tenant.directory, env: tenant.env, workers: 1 });
  http = createRestHttp({ caPath: server.caPath });
  dir = await makeTempDir('exo-rest-pfx-');
  app = await createSandboxApp({
    directory: tenant.directory,
    displayName: 'pfx-app',
    withCertificate: true,
  });
  const home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  const paths = { legacy: join(dir, 'legacy.pfx'), aes: join(dir, 'aes.p12'), home };
  const thumbprint = await makePfxFiles({
    ...paths,
    password,
    certificatePem: app.certificatePem!,
    privateKeyPem: app.privateKeyPem!,
  });
  files = { ...paths, thumbprint };
}, 120_000);

afterAll(async () => {
  await http?.close();
  await server?.stop();
  await tenant?.remove();
});

function source(credential: Credential, env: Record<string, string | undefined> = {}) {
  return createTokenSource(credential, {
    authority: server.authorityUrl,
    scope: server.scope,
    tenant: server.organization,
    http,
    env,
    emit: () => undefined,
  });
}

const certificate = (extra: Partial<Extract<Credential, { kind: 'certificate' }>>): Credential =>
  ({ kind: 'certificate', appId: app.clientId, organization: server.organization, ...extra }) as Credential;

function failure(work: () => unknown): ExoError {
  try {
    work();
  } catch (error) {
    if (ExoError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an ExoError');
}

describe('rest: certificate sign-in from .pfx files and the store', () => {
  it.each([
    { which: 'legacy', encryption: '3DES, SHA-1 MAC' },
    { which: 'aes', encryption: 'AES-256-CBC, PBKDF2, SHA-256' },
  ] as const)(
    'signs the app in with a .pfx written by .NET ($which: $encryption)',
    async ({ which }) => {
      const tokens = source(
        certificate({ certificateFilePath: files[which], certificatePassword: password }),
      );
      const token = await tokens.get();
      expect(token).toMatchObject({ appId: app.clientId, tenantId: server.tenantId });
      expect(token.userPrincipalName).toBeUndefined();
      tokens.close();
    },
    60_000,
  );

  it('refuses a .pfx with a wrong or no password as INVALID_ARGUMENT on certificatePassword, never echoing it', () => {
    const wrong = failure(() =>
      source(certificate({ certificateFilePath: files.aes, certificatePassword: 'not-the-pfx-password' })),
    );
    expect(wrong).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'credential.certificatePassword' },
    });
    expect(JSON.stringify(wrong) + wrong.message + String(wrong.stack)).not.toContain('not-the-pfx-password');
    const none = failure(() => source(certificate({ certificateFilePath: files.legacy })));
    expect(none).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'credential.certificatePassword' },
    });
    expect(none.message).toContain('without a password');
  });

  it('refuses a file that is neither PKCS#12 nor PEM, naming the formats it reads', async () => {
    const junk = join(dir, 'junk.pfx');
    await writeFile(junk, Buffer.from('this is not a certificate, nor DER\n'));
    const error = failure(() => source(certificate({ certificateFilePath: junk, certificatePassword: 'x' })));
    expect(error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'credential.certificateFilePath' },
    });
    expect(error.remediation).toMatch(/PKCS#12.*PEM/);
  });

  it("signs in with a thumbprint from .NET's CurrentUser\\My store on Linux; an unknown one is INVALID_ARGUMENT", async () => {
    const tokens = source(certificate({ certificateThumbprint: files.thumbprint }), { HOME: files.home });
    expect(await tokens.get()).toMatchObject({ appId: app.clientId });
    tokens.close();

    const missing = failure(() =>
      source(certificate({ certificateThumbprint: 'AB'.repeat(20) }), { HOME: files.home }),
    );
    expect(missing).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'credential.certificateThumbprint' },
    });
    expect(missing.message).toContain(
      join(files.home, '.dotnet', 'corefx', 'cryptography', 'x509stores', 'my'),
    );
  }, 60_000);
});
