/**
 * The REST face end to end: startSandboxServer() on 127.0.0.1 over HTTPS with the tenant's CA, tokens from its
 * identity platform, the admin API's InvokeCommand over the same data a real PSSession reads and writes.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approveDeviceCode,
  configureTenant,
  createSandboxApp,
  findSandboxServer,
  SANDBOX_DEMO_CREDENTIAL,
  type SandboxServer,
  sandboxEnvironment,
  startSandboxServer,
  verifyTenant,
} from '../src/index.js';
import { signJwt } from '../src/server/identity/index.js';
import { form, httpsRequest } from './support/https-client.js';
import { runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

const EXO_CLIENT = 'fb78d390-0c51-40cd-8e17-fdbfab77341b';
const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
let tenant: TestTenant;
let server: SandboxServer;
let token: string;

async function passwordToken(s: SandboxServer, username: string, password: string) {
  return httpsRequest(`${s.authorityUrl}/${s.tenantId}/oauth2/v2.0/token`, {
    caPath: s.caPath,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'password', client_id: EXO_CLIENT, scope: s.scope, username, password }),
  });
}

function invoke(
  cmdlet: string,
  parameters: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return httpsRequest(`${server.adminUrl}/adminapi/beta/${server.tenantId}/InvokeCommand`, {
    caPath: server.caPath,
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'x-anchormailbox': `UPN:${SANDBOX_DEMO_CREDENTIAL.userPrincipalName}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
  });
}

/** Runs `script` in a real PSSession to the same tenant (Open-TestSession) and returns its Write-Result. */
const inSession = <T>(script: string, extra: Record<string, unknown> = {}) =>
  runPwshOk<T>(`$null = Open-TestSession\n${script}`, tenant.input(extra), { env: tenant.env });

beforeAll(async () => {
  tenant = await createTestTenant({ mailboxCount: 30 });
  server = await startSandboxServer({ directory: tenant.directory, env: tenant.env, workers: 1 });
  const reply = await passwordToken(
    server,
    SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
    SANDBOX_DEMO_CREDENTIAL.password,
  );
  expect(reply.status, reply.text).toBe(200);
  token = reply.json().access_token;
});

afterAll(async () => {
  await server?.stop();
  await tenant?.dispose();
});

describe('startSandboxServer', () => {
  it('listens on 127.0.0.1 over HTTPS that only the tenant CA vouches for; the CA key is owner-only', async () => {
    expect(new URL(server.adminUrl).hostname).toBe('127.0.0.1');
    expect(server.organization).toBe('sandbox.onmicrosoft.localhost');
    const key = await stat(join(tenant.directory, 'rest', 'ca-key.pem'));
    expect(key.mode & 0o777).toBe(0o600);
    // A client that trusts the system's CAs (and not the tenant's) refuses the server.
    await expect(
      fetch(`${server.adminUrl}/${server.tenantId}/v2.0/.well-known/openid-configuration`),
    ).rejects.toThrow();
    const config = await httpsRequest(
      `${server.authorityUrl}/${server.tenantId}/v2.0/.well-known/openid-configuration`,
      {
        caPath: server.caPath,
      },
    );
    expect(config.status).toBe(200);
    expect(config.json().token_endpoint).toBe(`${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/token`);
  });

  it('signs in with the PSSession face’s accounts: the demo admin, and the personas’ texts', async () => {
    const wrong = await passwordToken(server, SANDBOX_DEMO_CREDENTIAL.userPrincipalName, 'not-the-password');
    expect(wrong.status).toBe(400);
    expect(wrong.json().error_description).toMatch(/^AADSTS50126: Error validating credentials/);
    const mfa = await passwordToken(server, 'mfa@sandbox.exo.localhost', SANDBOX_DEMO_CREDENTIAL.password);
    expect(mfa.json().error_description).toMatch(/^AADSTS50076: /);
    const federated = await passwordToken(server, 'federated@federated.sandbox.exo.localhost', 'any');
    expect(federated.json().error_description).toMatch(
      /Federated service at https:\/\/sts\.federated\.sandbox\.exo\.localhost/,
    );
  });

  it('answers Get-Mailbox with the objects a PSSession gets, and pages them with nextLink', async () => {
    const first = await invoke('Get-Mailbox', { ResultSize: 1 });
    expect(first.status, first.text).toBe(200);
    const rest = first.json();
    expect(rest.value).toHaveLength(1);
    const viaSession = await inSession<{ Guid: string; PrimarySmtpAddress: string }>(
      '$m = Get-Mailbox -ResultSize 1; Write-Result @{ Guid = [string]$m.Guid; PrimarySmtpAddress = [string]$m.PrimarySmtpAddress }',
    );
    expect(String(rest.value[0].Guid)).toBe(viaSession.Guid);
    expect(String(rest.value[0].PrimarySmtpAddress)).toBe(viaSession.PrimarySmtpAddress);

    const seen = new Set<string>();
    let page = await invoke('Get-Mailbox', { ResultSize: 'Unlimited' }, { prefer: 'odata.maxpagesize=7' });
    let pages = 0;
    for (;;) {
      expect(page.status, page.text).toBe(200);
      const body = page.json();
      pages += 1;
      for (const m of body.value) seen.add(String(m.Guid));
      const next: string | undefined = body['@odata.nextLink'];
      if (!next) break;
      page = await httpsRequest(next, {
        caPath: server.caPath,
        headers: {
          authorization: `Bearer ${token}`,
          'x-anchormailbox': `UPN:${SANDBOX_DEMO_CREDENTIAL.userPrincipalName}`,
        },
      });
    }
    const count = await inSession<number>('Write-Result @(Get-Mailbox -ResultSize Unlimited).Count');
    expect(seen.size).toBe(count);
    expect(pages).toBe(Math.ceil(count / 7));
  });

  it('what REST writes, the PSSession reads, and back', async () => {
    const set = await invoke('Set-Mailbox', { Identity: 'admin', CustomAttribute1: 'from REST' });
    expect(set.status, set.text).toBe(200);
    const read = await inSession<string>(
      'Write-Result ([string](Get-Mailbox -Identity admin).CustomAttribute1)',
    );
    expect(read).toBe('from REST');
    await inSession<boolean>('Set-Mailbox -Identity admin -CustomAttribute2 $In.value; Write-Result $true', {
      value: 'from a PSSession',
    });
    const back = (await invoke('Get-Mailbox', { Identity: 'admin' })).json();
    expect(back.value[0].CustomAttribute2).toBe('from a PSSession');
  });

  it('fails a cmdlet with the PSSession face’s own text in the service’s error body', async () => {
    const missing = await invoke('Get-Mailbox', { Identity: 'nobody-here' });
    expect(missing.status).toBe(404);
    const detail: string = missing.json().error.details[0].message;
    const viaSession = await inSession<string>(
      'try { Get-Mailbox -Identity nobody-here -ErrorAction Stop } catch { Write-Result $_.Exception.Message }',
    );
    expect(detail.split('|').slice(2).join('|')).toBe(viaSession);
  });

  it('signs an app in by its secret or its certificate (client_credentials); the app-only token runs cmdlets', async () => {
    const app = await createSandboxApp({
      directory: tenant.directory,
      displayName: 'exo-connect test app',
      withSecret: true,
      withCertificate: true,
    });
    const tokenUrl = `${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/token`;
    const grant = (fields: Record<string, string>) =>
      httpsRequest(tokenUrl, {
        caPath: server.caPath,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ grant_type: 'client_credentials', scope: server.scope, ...fields }),
      });
    const bySecret = await grant({ client_id: app.clientId, client_secret: app.secret! });
    expect(bySecret.status, bySecret.text).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    const assertion = signJwt(
      { aud: tokenUrl, iss: app.clientId, sub: app.clientId, jti: randomUUID(), nbf: now, exp: now + 600 },
      {
        privateKey: createPrivateKey(app.privateKeyPem!),
        header: { x5t: Buffer.from(app.thumbprintSha1!, 'hex').toString('base64url') },
      },
    );
    const byCertificate = await grant({
      client_id: app.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    expect(byCertificate.status, byCertificate.text).toBe(200);
    const appToken = byCertificate.json().access_token as string;
    const rows = await httpsRequest(`${server.adminUrl}/adminapi/beta/${server.organization}/InvokeCommand`, {
      caPath: server.caPath,
      method: 'POST',
      headers: {
        authorization: `Bearer ${appToken}`,
        'x-anchormailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${server.tenantId}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ CmdletInput: { CmdletName: 'Get-AcceptedDomain', Parameters: {} } }),
    });
    expect(rows.status, rows.text).toBe(200);
    expect(rows.json().value.map((d: { DomainName: string }) => d.DomainName)).toContain(
      'sandbox.exo.localhost',
    );
    const unknown = await grant({ client_id: randomUUID(), client_secret: 'x' });
    expect(unknown.json().error_description).toMatch(/^AADSTS700016: /);
  });

  it('approves a device code from another process through the tenant directory', async () => {
    const started = await httpsRequest(`${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/devicecode`, {
      caPath: server.caPath,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ client_id: EXO_CLIENT, scope: server.scope }),
    });
    const code = started.json();
    const poll = () =>
      httpsRequest(`${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/token`, {
        caPath: server.caPath,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_id: EXO_CLIENT,
          device_code: code.device_code,
        }),
      });
    expect((await poll()).json().error).toBe('authorization_pending');
    await approveDeviceCode(code.user_code, { directory: tenant.directory });
    const granted = await poll();
    expect(granted.status, granted.text).toBe(200);
    expect(granted.json().access_token).toBeTruthy();
  });

  it('applies configureTenant({ rest }) at the next request: throttling, then tokens that expire in seconds', async () => {
    const options = { directory: tenant.directory, env: tenant.env };
    await expect(
      configureTenant({ ...options, rest: { accessTokenLifetimeSeconds: 0 } }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await configureTenant({ ...options, rest: { faults: { throttle: { limit: 1, windowSeconds: 3600 } } } });
    expect((await invoke('Get-OrganizationConfig')).status).toBe(200);
    const throttled = await invoke('Get-OrganizationConfig');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    await configureTenant({ ...options, rest: { faults: null, accessTokenLifetimeSeconds: 2 } });
    const short = await passwordToken(
      server,
      SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
      SANDBOX_DEMO_CREDENTIAL.password,
    );
    expect(short.json().expires_in).toBe(2);
    const saved = token;
    token = short.json().access_token;
    try {
      expect((await invoke('Get-OrganizationConfig')).status).toBe(200);
      // Expiry is the token's own: wait until the service refuses it, however slow this machine is.
      let last = 0;
      await waitFor(
        async () => {
          last = (await invoke('Get-OrganizationConfig')).status;
          return last !== 200;
        },
        { timeoutMs: 60_000 },
      );
      expect(last).toBe(401);
    } finally {
      token = saved;
      await configureTenant({ ...options, rest: { accessTokenLifetimeSeconds: 3600 } });
    }
    expect((await invoke('Get-OrganizationConfig')).status).toBe(200);
  });

  it.skipIf(!hasCurl)(
    'answers bad input from curl with the service’s statuses and keeps the tenant whole',
    async () => {
      // The token goes in a header file only this user can read: never on curl's command line.
      const dir = await mkdtemp(join(tmpdir(), 'exo-curl-'));
      try {
        const headerFile = join(dir, 'headers');
        await writeFile(
          headerFile,
          `Authorization: Bearer ${token}\nX-AnchorMailbox: UPN:${SANDBOX_DEMO_CREDENTIAL.userPrincipalName}\nContent-Type: application/json\n`,
          { mode: 0o600 },
        );
        const curl = (url: string, body: string | Buffer, headers = true) =>
          new Promise<number>((resolve, reject) => {
            const args = [
              '-s',
              '-o',
              '/dev/null',
              '-w',
              '%{http_code}',
              '--cacert',
              server.caPath,
              '--data-binary',
              '@-',
              url,
            ];
            if (headers) args.unshift('-H', `@${headerFile}`);
            // curl may end with a send error when the server answers 413 before the body is through; the
            // status it printed is what counts.
            execFile('curl', args, (error, stdout) =>
              /^\d{3}$/.test(stdout) ? resolve(Number(stdout)) : reject(error),
            ).stdin?.end(body);
          });
        const invokeUrl = `${server.adminUrl}/adminapi/beta/${server.tenantId}/InvokeCommand`;
        const before = await verifyTenant({ directory: tenant.directory, env: tenant.env });
        expect(await curl(invokeUrl, '{"CmdletInput":')).toBe(400);
        expect(await curl(invokeUrl, JSON.stringify({ CmdletInput: { CmdletName: 'Get-Nothing' } }))).toBe(
          400,
        );
        expect(
          await curl(
            invokeUrl,
            JSON.stringify({ CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: { Bogus: 1 } } }),
          ),
        ).toBe(400);
        expect(await curl(invokeUrl, Buffer.alloc(1536 * 1024, 0x20))).toBe(413);
        expect(await curl(`${server.adminUrl}/adminapi/beta/other.example/InvokeCommand`, '{}')).toBe(404);
        expect(
          await curl(invokeUrl, JSON.stringify({ CmdletInput: { CmdletName: 'Get-Mailbox' } }), false),
        ).toBe(401);
        expect(
          await curl(
            invokeUrl,
            JSON.stringify({ CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: { ResultSize: 1 } } }),
          ),
        ).toBe(200);
        const after = await verifyTenant({ directory: tenant.directory, env: tenant.env });
        expect(after).toEqual(before);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('runs a $batch of cmdlets, lists the caller’s cmdlets (EXOModuleFile), and serves a managed identity', async () => {
    const auth = {
      authorization: `Bearer ${token}`,
      'x-anchormailbox': `UPN:${SANDBOX_DEMO_CREDENTIAL.userPrincipalName}`,
      'content-type': 'application/json',
    };
    const item = (id: string, cmdlet: string, parameters: Record<string, unknown>) => ({
      id,
      method: 'POST',
      url: `/adminapi/beta/${server.tenantId}/InvokeCommand`,
      body: { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } },
    });
    const batch = await httpsRequest(`${server.adminUrl}/adminapi/beta/${server.tenantId}/$batch`, {
      caPath: server.caPath,
      method: 'POST',
      headers: { ...auth, prefer: 'odata.continue-on-error' },
      body: JSON.stringify({
        requests: [
          item('1', 'Get-Mailbox', { ResultSize: 2 }),
          item('2', 'Get-Mailbox', { Identity: 'nobody-here' }),
        ],
      }),
    });
    expect(batch.status, batch.text).toBe(200);
    const statuses = Object.fromEntries(
      (batch.json().responses as { id: string; status: number }[]).map((r) => [r.id, r.status]),
    );
    expect(statuses).toEqual({ '1': 200, '2': 404 });
    const eleven = await httpsRequest(`${server.adminUrl}/adminapi/beta/${server.tenantId}/$batch`, {
      caPath: server.caPath,
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        requests: Array.from({ length: 11 }, (_, i) => item(String(i), 'Get-User', {})),
      }),
    });
    expect(eleven.status).toBe(400);

    const moduleFile = await httpsRequest(
      `${server.adminUrl}/adminapi/v1.0/${server.tenantId}/EXOModuleFile?Version=3.7.0`,
      {
        caPath: server.caPath,
        headers: { ...auth, commandname: '*' },
      },
    );
    expect(moduleFile.status, moduleFile.text).toBe(200);
    const exported = String(moduleFile.json().value[0].exportedCmdlets).split(',');
    expect(exported).toEqual(expect.arrayContaining(['Get-Mailbox', 'Set-Mailbox', 'New-Mailbox']));

    const identity = new URL(server.managedIdentity.endpoint);
    identity.searchParams.set('resource', server.adminUrl);
    identity.searchParams.set('api-version', '2019-08-01');
    const mi = await httpsRequest(identity.href, {
      caPath: server.caPath,
      headers: { 'x-identity-header': server.managedIdentity.header },
    });
    expect(mi.status, mi.text).toBe(200);
    const rows = await httpsRequest(`${server.adminUrl}/adminapi/beta/${server.tenantId}/InvokeCommand`, {
      caPath: server.caPath,
      method: 'POST',
      headers: {
        authorization: `Bearer ${mi.json().access_token}`,
        'x-anchormailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${server.tenantId}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ CmdletInput: { CmdletName: 'Get-OrganizationConfig', Parameters: {} } }),
    });
    expect(rows.status, rows.text).toBe(200);
  });

  it('serves a second tenant at the same time, on its own port with its own CA', async () => {
    const other = await createTestTenant({ mailboxCount: 3 });
    const second = await startSandboxServer({ directory: other.directory, env: other.env, workers: 1 });
    try {
      expect(second.adminUrl).not.toBe(server.adminUrl);
      expect(second.tenantId).not.toBe(server.tenantId);
      const signIn = await passwordToken(
        second,
        SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
        SANDBOX_DEMO_CREDENTIAL.password,
      );
      expect(signIn.status).toBe(200);
      // A token from one tenant is refused by the other.
      const crossed = await httpsRequest(
        `${second.adminUrl}/adminapi/beta/${second.tenantId}/InvokeCommand`,
        {
          caPath: second.caPath,
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'x-anchormailbox': 'UPN:admin@sandbox.exo.localhost',
            'content-type': 'application/json',
          },
          body: JSON.stringify({ CmdletInput: { CmdletName: 'Get-OrganizationConfig', Parameters: {} } }),
        },
      );
      expect(crossed.status).toBe(401);
      // Each server presents a certificate only its own tenant's CA vouches for.
      await expect(
        httpsRequest(`${second.authorityUrl}/${second.tenantId}/discovery/v2.0/keys`, {
          caPath: server.caPath,
        }),
      ).rejects.toThrow();
    } finally {
      await second.stop();
      await other.dispose();
    }
  });

  it('is found by its tenant directory (the URLs and CA, never the control token), and not once it stopped', async () => {
    const found = await findSandboxServer(tenant.directory);
    expect(found).toEqual({
      pid: process.pid,
      adminUrl: server.adminUrl,
      authorityUrl: server.authorityUrl,
      caPath: server.caPath,
      tenantId: server.tenantId,
      organization: server.organization,
      scope: server.scope,
    });
    const other = await createTestTenant({ mailboxCount: 1 });
    try {
      expect(await findSandboxServer(other.directory)).toBeUndefined();
      const second = await startSandboxServer({ directory: other.directory, env: other.env, workers: 1 });
      expect((await findSandboxServer(other.directory))?.adminUrl).toBe(second.adminUrl);
      await second.stop();
      expect(await findSandboxServer(other.directory)).toBeUndefined();
    } finally {
      await other.dispose();
    }
  }, 120_000);

  it('gives the environment a rest block pointing at the server', () => {
    const env = sandboxEnvironment({ server });
    expect(env.rest).toMatchObject({
      apiUrl: server.adminUrl,
      authority: server.authorityUrl,
      scope: server.scope,
      caPath: server.caPath,
    });
  });
});

describe('a server in its own process', () => {
  it('killed, it leaves no worker behind and its tenant whole', async () => {
    const own = await createTestTenant({ mailboxCount: 5 });
    try {
      const script = fileURLToPath(new URL('./support/serve-tenant.mjs', import.meta.url));
      const child = spawn(process.execPath, [script, own.directory], {
        env: own.env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
      });
      await waitFor(() => out.includes('\n'), { timeoutMs: 120_000 });
      const url = JSON.parse(out.split('\n')[0]!).adminUrl as string;
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      await waitFor(() => own.processes().length > 0);
      child.kill('SIGKILL');
      await waitFor(() => own.processes().length === 0, { timeoutMs: 60_000 });
      expect((await verifyTenant({ directory: own.directory, env: own.env })).unreferencedFileCount).toBe(0);
    } finally {
      await own.dispose();
    }
  });
});
