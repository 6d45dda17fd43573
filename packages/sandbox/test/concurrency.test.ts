import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, processAlive, waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantStatus, verifyTenant } from '../src/index.js';
import { runPwsh, runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

describe('data safety: atomic writes under a lock', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant({ mailboxCount: 2000, seed: 3 });
  });
  afterAll(async () => tenant.dispose());

  it('loses no change when three sessions write at once', async () => {
    const before = await tenantStatus({ directory: tenant.directory });
    const writes = 12;
    // Each writer creates its own mailboxes and keeps rewriting the same shared mailbox's attribute.
    const writer = (k: number) =>
      runPwshOk<{ Created: number }>(
        `
Import-Module $In.module
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
$created = 0
for ($i = 0; $i -lt $In.writes; $i++) {
    $name = 'Writer {0} Mailbox {1}' -f $In.k, $i
    $null = Invoke-Command -Session $s { param($n) New-Mailbox -Name $n -Shared } -ArgumentList $name
    $created++
    $attribute = @{ Identity = 'admin'; ('CustomAttribute' + $In.k) = ('writer-{0}-{1}' -f $In.k, $i) }
    Invoke-Command -Session $s { param($p) Set-Mailbox @p } -ArgumentList $attribute
}
Remove-PSSession $s
Write-Result @{ Created = $created }
`,
        tenant.input({ k, writes }),
        { env: tenant.env },
      );
    const results = await Promise.all([1, 2, 3].map(writer));
    expect(results.map((r) => r.Created)).toEqual([writes, writes, writes]);

    const check = await runPwshOk<{ Writers: string[]; Attributes: string[] }>(
      `
Import-Module $In.module
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
$writers = @(Invoke-Command -Session $s { Get-Mailbox -Anr 'Writer' -ResultSize Unlimited } | ForEach-Object Name | Sort-Object)
$admin = Invoke-Command -Session $s { Get-Mailbox -Identity admin }
Remove-PSSession $s
Write-Result @{ Writers = $writers; Attributes = @($admin.CustomAttribute1, $admin.CustomAttribute2, $admin.CustomAttribute3) }
`,
      tenant.input(),
      { env: tenant.env },
    );
    const expected = [1, 2, 3]
      .flatMap((k) => Array.from({ length: writes }, (_, i) => `Writer ${k} Mailbox ${i}`))
      .sort();
    expect(check.Writers).toEqual(expected);
    expect(check.Attributes).toEqual([1, 2, 3].map((k) => `writer-${k}-${writes - 1}`));
    const after = await tenantStatus({ directory: tenant.directory });
    expect(after.mailboxCount).toBe(before.mailboxCount + 3 * writes);
    const integrity = await verifyTenant({ directory: tenant.directory });
    expect(integrity.recipientCount).toBe(after.recipientCount);
    expect(integrity.unreferencedFileCount).toBe(0);
  });

  it('leaves every data file whole when writing sessions are killed mid-stream', async () => {
    const before = await tenantStatus({ directory: tenant.directory });
    const progressDir = await makeTempDir('exo-sandbox-progress-');
    try {
      // Each round kills the writer after a different number of committed writes, so the kill lands while it
      // writes, at whatever point of a write, on a fast machine or a busy one.
      for (const writesBeforeKill of [1, 3, 6]) {
        const progress = join(progressDir, `round-${writesBeforeKill}`);
        const run = runPwsh(
          `
Import-Module $In.module
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
Write-Result @{ Ready = $true }
for ($i = 1; ; $i++) {
    Invoke-Command -Session $s { param($v) Set-Mailbox -Identity admin -CustomAttribute5 $v } -ArgumentList "loop-$i"
    [System.IO.File]::WriteAllText($In.progress, [string]$i)
}
`,
          tenant.input({ progress }),
          { env: tenant.env },
        );
        const committed = () => Number(existsSync(progress) ? readFileSync(progress, 'utf8') : 0);
        const wrote = await waitFor(() => committed() >= writesBeforeKill, { timeoutMs: 120_000 });
        if (!wrote) throw new Error(`The writer never committed ${writesBeforeKill} writes.`);
        // It has written, so its session is registered; it keeps writing while the status is read.
        const session = (await tenantStatus({ directory: tenant.directory })).sessions[0];
        if (!session) throw new Error('The writer has no session.');
        // The server process does the writes: kill it (and its client) without warning.
        process.kill(session.processId, 'SIGKILL');
        process.kill(session.clientProcessId, 'SIGKILL');
        await run;
        expect(await waitFor(() => !processAlive(session.processId))).toBe(true);

        // Every file the manifest names parses, and no record was lost or doubled.
        const integrity = await verifyTenant({ directory: tenant.directory });
        expect(integrity.recipientCount).toBe(before.recipientCount);
      }
    } finally {
      await rm(progressDir, { recursive: true, force: true });
    }
    // The next write takes the lock at once (the kernel released the dead writer's) and sweeps its leftovers.
    // "At once" is the lock itself found free (the exclusive open the sandbox takes, without its retries), not
    // a bound on how long pwsh takes to start.
    const after = await runPwshOk<{ LockFree: boolean; Value: string }>(
      `
$lockFree = try { ([System.IO.File]::Open((Join-Path $In.directory '.lock'), 'OpenOrCreate', 'ReadWrite', 'None')).Dispose(); $true } catch { $false }
Import-Module $In.module
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
Invoke-Command -Session $s { Set-Mailbox -Identity admin -CustomAttribute5 'after the kills' }
$value = (Invoke-Command -Session $s { Get-Mailbox -Identity admin }).CustomAttribute5
Remove-PSSession $s
Write-Result @{ LockFree = $lockFree; Value = $value }
`,
      tenant.input(),
      { env: tenant.env },
    );
    expect(after).toEqual({ LockFree: true, Value: 'after the kills' });
    const integrity = await verifyTenant({ directory: tenant.directory });
    expect(integrity.unreferencedFileCount).toBe(0);
    const leftovers = (await readdir(tenant.directory)).filter((f) => f.startsWith('.tmp-'));
    expect(leftovers).toEqual([]);
    expect((await readdir(join(tenant.directory, 'recipients'))).length).toBe(integrity.shardCount);
  });
});
