import { rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTenant,
  SANDBOX_CONNECTION_URI,
  SANDBOX_DEMO_CREDENTIAL,
  SANDBOX_MODULE_PATH,
  type TenantStatus,
  tenantStatus,
} from '../src/index.js';
import { runPwshOk } from './support/pwsh.js';

const MAILBOXES = 100_000;

describe('a 100,000-mailbox tenant', () => {
  let directory: string;
  let created: TenantStatus;
  let createSeconds = 0;
  beforeAll(async () => {
    directory = await makeTempDir('exo-sandbox-100k-');
    const started = performance.now();
    created = await createTenant({ directory, mailboxCount: MAILBOXES, seed: 100 });
    createSeconds = (performance.now() - started) / 1000;
  });
  afterAll(async () => rm(directory, { recursive: true, force: true }));

  it('is created, then read back in full with Get-Mailbox -ResultSize Unlimited', async () => {
    expect(created.generatedMailboxCount).toBe(MAILBOXES);
    expect(created.mailboxCount).toBeGreaterThan(MAILBOXES);
    const r = await runPwshOk<{ Count: number; Unique: number; Seconds: number; Warnings: number }>(
      `
Import-Module $In.module
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
$null = Import-PSSession $s -DisableNameChecking
$names = [System.Collections.Generic.HashSet[string]]::new()
$count = 0
$watch = [Diagnostics.Stopwatch]::StartNew()
Get-Mailbox -ResultSize Unlimited | ForEach-Object { $count++; $null = $names.Add($_.ExternalDirectoryObjectId) }
$seconds = $watch.Elapsed.TotalSeconds
Remove-PSSession $s
Write-Result @{ Count = $count; Unique = $names.Count; Seconds = $seconds }
`,
      {
        module: SANDBOX_MODULE_PATH,
        uri: SANDBOX_CONNECTION_URI,
        user: SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
        password: SANDBOX_DEMO_CREDENTIAL.password,
      },
      { env: { ...process.env, EXO_SANDBOX_DIR: directory }, timeoutMs: 280_000 },
    );
    expect(r.Count).toBe(created.mailboxCount);
    expect(r.Unique).toBe(created.mailboxCount);
    expect((await tenantStatus({ directory })).sessions).toEqual([]);
    console.log(
      `[sandbox scale] ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}: created ${MAILBOXES.toLocaleString('en-US')} mailboxes in ${createSeconds.toFixed(1)} s; ` +
        `read ${r.Count.toLocaleString('en-US')} with Get-Mailbox -ResultSize Unlimited in ${r.Seconds.toFixed(1)} s ` +
        `(${Math.round(r.Count / r.Seconds).toLocaleString('en-US')} mailboxes/s)`,
    );
  });
});
