import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureTenant,
  createTenant,
  defaultTenantDir,
  resetTenant,
  SANDBOX_DEMO_CREDENTIAL,
  SANDBOX_MODULE_PATH,
  SANDBOX_PERSONAS,
  SandboxError,
  tenantStatus,
  verifyTenant,
} from '../src/index.js';
import { runPwshOk } from './support/pwsh.js';
import { createTestTenant } from './support/tenant.js';

// Reads every recipient through a session to the tenant in $In.directory.
const READ_ALL = `
$env:EXO_SANDBOX_DIR = $In.directory
Import-Module $In.module
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
$all = @(Invoke-Command -Session $s { Get-Recipient -ResultSize Unlimited } | ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.Name, $_.Guid, $_.WhenCreatedUTC.ToString('o'), $_.RecipientTypeDetails })
Remove-PSSession $s
Write-Result @{ All = $all }
`;

describe('tenant management from TypeScript', () => {
  let root: string;
  beforeAll(async () => {
    root = await makeTempDir('exo-sandbox-api-');
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  const inputFor = (directory: string) => ({
    module: SANDBOX_MODULE_PATH,
    uri: 'https://sandbox.exo.localhost/powershell-liveid/',
    user: SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
    password: SANDBOX_DEMO_CREDENTIAL.password,
    directory,
  });

  it('creates a tenant with the fixed accounts, N generated mailboxes and the given settings', async () => {
    const directory = join(root, 'created');
    const status = await createTenant({
      directory,
      mailboxCount: 40,
      seed: 5,
      sessionLimit: 2,
      sessionLifetimeSeconds: 900,
    });
    expect(status).toMatchObject({
      directory,
      exists: true,
      organization: 'sandbox.onmicrosoft.localhost',
      generation: 1,
      seed: 5,
      generatedMailboxCount: 40,
      mailboxCount: 40 + Object.keys(SANDBOX_PERSONAS).length,
      sessionLimit: 2,
      sessionLifetimeSeconds: 900,
      sessions: [],
      sessionsByUser: {},
    });
    expect(status.recipientCount).toBeGreaterThan(status.mailboxCount);
    await expect(createTenant({ directory })).rejects.toMatchObject({
      reason: 'TENANT_EXISTS',
      code: 'INVALID_ARGUMENT',
    });
    const replaced = await createTenant({ directory, mailboxCount: 3, force: true });
    expect(replaced.tenantId).not.toBe(status.tenantId);
    expect(replaced.generatedMailboxCount).toBe(3);
  });

  it('generates the same tenant from the same seed, another from another seed', async () => {
    const a = join(root, 'seed-a');
    const b = join(root, 'seed-b');
    const c = join(root, 'seed-c');
    await Promise.all([
      createTenant({ directory: a, mailboxCount: 60, seed: 11 }),
      createTenant({ directory: b, mailboxCount: 60, seed: 11 }),
      createTenant({ directory: c, mailboxCount: 60, seed: 12 }),
    ]);
    const [ra, rb, rc] = await Promise.all(
      [a, b, c].map((d) =>
        runPwshOk<{ All: string[] }>(READ_ALL, inputFor(d), { env: { ...process.env, EXO_SANDBOX_DIR: d } }),
      ),
    );
    expect(ra?.All.length).toBeGreaterThan(60);
    expect(rb?.All).toEqual(ra?.All);
    expect(rc?.All).not.toEqual(ra?.All);
  });

  it('resets a tenant to its generated state and reports status, settings and integrity', async () => {
    const tenant = await createTestTenant({ mailboxCount: 15, seed: 2 });
    try {
      const original = await runPwshOk<{ All: string[] }>(READ_ALL, tenant.input(), { env: tenant.env });
      await runPwshOk(
        `
Import-Module $In.module
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
Invoke-Command -Session $s { New-Mailbox -Name 'Added Later' -Shared; Remove-Mailbox -Identity norps -Confirm:$false }
Remove-PSSession $s
Write-Result @{ Done = $true }
`,
        tenant.input(),
        { env: tenant.env },
      );
      const changed = await runPwshOk<{ All: string[] }>(READ_ALL, tenant.input(), { env: tenant.env });
      expect(changed.All).not.toEqual(original.All);
      const before = await tenantStatus({ directory: tenant.directory });
      const reset = await resetTenant({ directory: tenant.directory });
      expect(reset.tenantId).toBe(before.tenantId);
      expect(reset.generation).toBeGreaterThan(before.generation);
      const again = await runPwshOk<{ All: string[] }>(READ_ALL, tenant.input(), { env: tenant.env });
      expect(again.All).toEqual(original.All);

      expect(before.commandLatencyMs).toBe(0);
      const configured = await configureTenant({
        directory: tenant.directory,
        sessionLimit: 7,
        sessionLifetimeSeconds: 120,
        commandLatencyMs: 400,
      });
      expect(configured).toMatchObject({
        sessionLimit: 7,
        sessionLifetimeSeconds: 120,
        commandLatencyMs: 400,
      });
      expect(await resetTenant({ directory: tenant.directory })).toMatchObject({
        sessionLimit: 7,
        sessionLifetimeSeconds: 120,
        commandLatencyMs: 400,
      });
      // Each cmdlet of a session opened now waits the latency before it runs: 5 calls, at least 2 s.
      const timed = await runPwshOk<{ Ms: number }>(
        `Import-Module $In.module
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
$w = [Diagnostics.Stopwatch]::StartNew()
foreach ($i in 1..5) { $null = Invoke-Command -Session $s { Get-Mailbox -ResultSize 1 } }
$ms = $w.ElapsedMilliseconds
Remove-PSSession $s
Write-Result @{ Ms = $ms }`,
        tenant.input(),
        { env: tenant.env },
      );
      expect(timed.Ms).toBeGreaterThanOrEqual(2_000);
      await configureTenant({ directory: tenant.directory, commandLatencyMs: 0 });
      const integrity = await verifyTenant({ directory: tenant.directory });
      expect(integrity).toMatchObject({ recipientCount: reset.recipientCount, unreferencedFileCount: 0 });
    } finally {
      await tenant.dispose();
    }
  });

  it('stores passwords only as salted PBKDF2 hashes', async () => {
    const directory = join(root, 'hashes');
    await createTenant({ directory, mailboxCount: 5 });
    const shards = (await readdir(join(directory, 'recipients'))).map((f) =>
      join(directory, 'recipients', f),
    );
    const texts = await Promise.all(
      [join(directory, 'tenant.json'), ...shards].map((f) => readFile(f, 'utf8')),
    );
    for (const text of texts) {
      expect(text).not.toContain(SANDBOX_DEMO_CREDENTIAL.password);
      expect(JSON.stringify(JSON.parse(text))).not.toContain(SANDBOX_DEMO_CREDENTIAL.password);
    }
    const records = texts.slice(1).flatMap((t) => JSON.parse(t) as { PasswordHash?: string }[]);
    const hashes = records.map((r) => r.PasswordHash).filter((h): h is string => typeof h === 'string');
    expect(hashes).toHaveLength(Object.keys(SANDBOX_PERSONAS).length);
    for (const h of hashes)
      expect(h).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    // Same password, different salts.
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('finds the tenant directory like the module does: EXO_SANDBOX_DIR, else the user state directory', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: root, XDG_STATE_HOME: join(root, 'state') };
    delete env.EXO_SANDBOX_DIR;
    const fromModule = await runPwshOk<{ Default: string; Override: string }>(
      `
Import-Module $In.module
$default = Get-ExoSandboxTenantDirectory
$env:EXO_SANDBOX_DIR = $In.override
Write-Result @{ Default = $default; Override = Get-ExoSandboxTenantDirectory }
`,
      { module: SANDBOX_MODULE_PATH, override: join(root, 'override') },
      { env },
    );
    expect(fromModule.Default).toBe(defaultTenantDir({ env }));
    expect(fromModule.Override).toBe(
      defaultTenantDir({ env: { ...env, EXO_SANDBOX_DIR: join(root, 'override') } }),
    );
    const status = await tenantStatus({ env: { ...process.env, EXO_SANDBOX_DIR: join(root, 'missing') } });
    expect(status).toMatchObject({ directory: join(root, 'missing'), exists: false, sessions: [] });
    await expect(resetTenant({ directory: join(root, 'missing') })).rejects.toSatisfy((e: unknown) =>
      SandboxError.is(e, 'TENANT_NOT_FOUND'),
    );
  });
});
