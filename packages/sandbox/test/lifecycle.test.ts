import { processAlive, waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxSession, tenantStatus } from '../src/index.js';
import { runPwsh, runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

const OPEN = `
Import-Module $In.module
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
$null = Invoke-Command -Session $s { Get-Mailbox -ResultSize 1 }
`;

describe('no leaks: a session holds a server process and a slot only while its client lives', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    // One slot per account makes a leaked slot visible: the next session would be refused.
    tenant = await createTestTenant({ mailboxCount: 5, sessionLimit: 1 });
  });
  afterAll(async () => tenant.dispose());

  const openOnce = () =>
    runPwshOk<{ State: string }>(
      `${OPEN}\n$state = [string]$s.State\nRemove-PSSession $s\nWrite-Result @{ State = $state }`,
      tenant.input(),
      {
        env: tenant.env,
      },
    );

  it('ends the server process when the client pwsh exits without Remove-PSSession', async () => {
    const r = await runPwshOk<{ ServerPid: number; ClientPid: number }>(
      `${OPEN}
$mine = @((Get-ExoSandboxTenant).Sessions)[0]
Write-Result @{ ServerPid = $mine.ProcessId; ClientPid = $mine.ClientProcessId }
exit 0`,
      tenant.input(),
      { env: tenant.env },
    );
    expect(r.ServerPid).toBeGreaterThan(0);
    expect(await waitFor(() => !processAlive(r.ServerPid))).toBe(true);
    expect((await tenantStatus({ directory: tenant.directory })).sessionsByUser).toEqual({});
    expect((await openOnce()).State).toBe('Opened');
  });

  it.skipIf(process.platform === 'win32')(
    "keeps the session when the terminal's Ctrl+C (SIGINT) reaches the server process",
    async () => {
      // A real session's server is on another machine; this one shares the user's terminal and its signals.
      const r = await runPwshOk<{ Alive: boolean; Count: number; State: string }>(
        `${OPEN}
$mine = @((Get-ExoSandboxTenant).Sessions)[0]
& kill -INT $mine.ProcessId
Start-Sleep -Milliseconds 1500
$count = @(Invoke-Command -Session $s { Get-Mailbox -ResultSize 2 }).Count
$alive = $null -ne (Get-Process -Id $mine.ProcessId -ErrorAction SilentlyContinue)
$state = [string]$s.State
Remove-PSSession $s
Write-Result @{ Alive = $alive; Count = $count; State = $state }`,
        tenant.input(),
        { env: tenant.env },
      );
      expect(r).toEqual({ Alive: true, Count: 2, State: 'Opened' });
      expect((await tenantStatus({ directory: tenant.directory })).sessions).toEqual([]);
    },
  );

  async function waitForSession() {
    let session: SandboxSession | undefined;
    const found = await waitFor(
      async () => {
        session = (await tenantStatus({ directory: tenant.directory })).sessions[0];
        return session !== undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    if (!found || !session) throw new Error('The client never opened its session.');
    return session;
  }

  it('frees the slot of a client pwsh killed with SIGKILL', async () => {
    const run = runPwsh(`${OPEN}\nStart-Sleep -Seconds 300`, tenant.input(), { env: tenant.env });
    const session = await waitForSession();
    expect((await tenantStatus({ directory: tenant.directory })).sessionsByUser).toEqual({
      'admin@sandbox.exo.localhost': 1,
    });
    process.kill(session.clientProcessId, 'SIGKILL');
    await run;
    // The server process sees its stdin close and ends; the slot was counted from it, so it is free.
    expect(await waitFor(() => !processAlive(session.processId))).toBe(true);
    expect((await tenantStatus({ directory: tenant.directory })).sessions).toEqual([]);
    expect((await openOnce()).State).toBe('Opened');
  });

  it('counts a slot only while its server process lives: a killed server frees it', async () => {
    const run = runPwsh(`${OPEN}\nStart-Sleep -Seconds 300`, tenant.input(), { env: tenant.env });
    const session = await waitForSession();
    process.kill(session.processId, 'SIGKILL');
    expect(await waitFor(() => !processAlive(session.processId))).toBe(true);
    // The client still holds its (dead) session object, yet the slot is already free.
    expect((await openOnce()).State).toBe('Opened');
    process.kill(session.clientProcessId, 'SIGKILL');
    await run;
    expect((await tenantStatus({ directory: tenant.directory })).sessions).toEqual([]);
  });
});
