import { processAlive, waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantStatus } from '../src/index.js';
import { EXCHANGE_CMDLETS } from './support/exchange-cmdlets.js';
import { runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

// The documented procedure (REFERENCE.md §1), typed as a user would, after importing the sandbox module. Only the
// credential comes from $In instead of Get-Credential's prompt.
const VERBATIM = (sessionLine: string) => `
Import-Module $In.module
$UserCredential = New-TestCredential $In.user $In.password
${sessionLine}
$listed = @(Get-PSSession | ForEach-Object { @{ Id = $_.InstanceId.ToString(); State = [string]$_.State; Transport = $_.Transport; Availability = [string]$_.Availability } })
$serverPid = @((Get-ExoSandboxTenant).Sessions | Where-Object UserPrincipalName -EQ $In.user)[0].ProcessId
$imported = Import-PSSession $Session -DisableNameChecking
$mailboxes = @(Get-Mailbox)
$commands = @{}
foreach ($name in 'Import-PSSession', 'Get-PSSession', 'Remove-PSSession', 'New-PSSession', 'Get-Mailbox') {
    $c = Get-Command $name
    $commands[$name] = @{ Type = [string]$c.CommandType; Source = $c.Source }
}
Remove-PSSession $Session
Write-Result @{
    SessionId = $Session.InstanceId.ToString(); Listed = $listed; ServerPid = $serverPid
    ImportedCommands = @($imported.ExportedCommands.Keys | Sort-Object)
    Mailboxes = @($mailboxes | ForEach-Object { @{ Name = $_.Name; Type = $_.PSTypeNames[0] } })
    Commands = $commands; After = @(Get-PSSession).Count
}
`;

interface VerbatimResult {
  SessionId: string;
  Listed: { Id: string; State: string; Transport: string; Availability: string }[];
  ServerPid: number;
  ImportedCommands: string[];
  Mailboxes: { Name: string; Type: string }[];
  Commands: Record<string, { Type: string; Source: string }>;
  After: number;
}

describe('the documented procedure, verbatim', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant({ mailboxCount: 20 });
  });
  afterAll(async () => tenant.dispose());

  async function check(result: VerbatimResult) {
    const status = await tenantStatus({ directory: tenant.directory });
    expect(result.Listed).toEqual([
      { Id: result.SessionId, State: 'Opened', Transport: 'Process', Availability: 'Available' },
    ]);
    expect(result.ImportedCommands).toEqual(EXCHANGE_CMDLETS);
    expect(result.Mailboxes).toHaveLength(status.mailboxCount);
    expect(result.Mailboxes.map((m) => m.Name)).toContain('Sandbox Admin');
    expect(new Set(result.Mailboxes.map((m) => m.Type))).toEqual(
      new Set(['Deserialized.Microsoft.Exchange.Data.Directory.Management.Mailbox']),
    );
    // Only New-PSSession is the sandbox's; the other remoting cmdlets are PowerShell's own.
    expect(result.Commands['New-PSSession']).toEqual({ Type: 'Function', Source: 'ExoSandbox' });
    for (const name of ['Import-PSSession', 'Get-PSSession', 'Remove-PSSession']) {
      expect(result.Commands[name]).toEqual({
        Type: 'Cmdlet',
        Source: expect.stringMatching(/^Microsoft\.PowerShell\./),
      });
    }
    expect(result.Commands['Get-Mailbox']?.Type).toBe('Function');
    expect(result.After).toBe(0);
    expect(result.ServerPid).toBeGreaterThan(0);
    // Remove-PSSession ended the session's server process and freed its slot.
    expect(await waitFor(() => !processAlive(result.ServerPid))).toBe(true);
    expect((await tenantStatus({ directory: tenant.directory })).sessions).toEqual([]);
  }

  it('runs New-PSSession, Import-PSSession, Get-Mailbox and Remove-PSSession as documented', async () => {
    const line =
      '$Session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri https://sandbox.exo.localhost/powershell-liveid/ -Credential $UserCredential -Authentication Basic -AllowRedirection';
    await check(await runPwshOk<VerbatimResult>(VERBATIM(line), tenant.input(), { env: tenant.env }));
  });

  it('runs the proxy variant with -SessionOption (New-PSSessionOption -ProxyAccessType AutoDetect)', async () => {
    const line =
      '$Session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri https://sandbox.exo.localhost/powershell-liveid/ -Credential $UserCredential -Authentication Basic -AllowRedirection -SessionOption (New-PSSessionOption -ProxyAccessType AutoDetect)';
    await check(await runPwshOk<VerbatimResult>(VERBATIM(line), tenant.input(), { env: tenant.env }));
  });

  it('reports Import-PSSession progress records when they are collected, as a host bridge does', async () => {
    const result = await runPwshOk<{
      Progress: { Activity: string; Status: string; Type: string }[];
      Count: number;
    }>(
      `
Import-Module $In.module
$Session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -AllowRedirection
# A worker runspace, as exo-connect's host bridge uses: its Progress stream keeps what a redirected console drops.
$worker = [powershell]::Create()
$null = $worker.AddCommand('Import-PSSession').AddParameter('Session', $Session).AddParameter('DisableNameChecking')
$null = $worker.Invoke()
$progress = @($worker.Streams.Progress | ForEach-Object { @{ Activity = $_.Activity; Status = $_.StatusDescription; Type = [string]$_.RecordType } })
$worker.Commands.Clear()
$count = @($worker.AddCommand('Get-Mailbox').AddParameter('ResultSize', 3).Invoke()).Count
$worker.Dispose()
Remove-PSSession $Session
Write-Result @{ Progress = $progress; Count = $count }
`,
      tenant.input(),
      { env: tenant.env },
    );
    expect(result.Count).toBe(3);
    expect(result.Progress.length).toBeGreaterThanOrEqual(2);
    expect(new Set(result.Progress.map((p) => p.Activity)).size).toBe(1);
    expect(result.Progress.at(-1)?.Type).toBe('Completed');
    expect(result.Progress.some((p) => /command information/i.test(p.Status))).toBe(true);
  });

  it('passes every other New-PSSession call to the real cmdlet unchanged', async () => {
    const result = await runPwshOk<{
      Cases: { Proxy: string[]; Real: string[] }[];
      ProxyParameters: string[];
      RealParameters: string[];
      ProxySets: string[];
      RealSets: string[];
    }>(
      `
Import-Module $In.module
$credential = New-TestCredential $In.user $In.password
$calls = @(
    @{ ConfigurationName = 'Microsoft.Exchange'; ConnectionUri = 'https://outlook.office365.com/powershell-liveid/'; Credential = $credential; Authentication = 'Basic'; AllowRedirection = $true },
    @{ ConfigurationName = 'Other.Endpoint'; ConnectionUri = $In.uri; Credential = $credential; Authentication = 'Basic' },
    @{ ComputerName = 'localhost' }
)
function Invoke-Both {
    param([scriptblock]$Call)
    try { & $Call; @('no error') } catch { @(($_.FullyQualifiedErrorId -replace ',New-PSSession$', ''), $_.Exception.GetType().FullName, $_.Exception.Message) }
}
$cases = foreach ($p in $calls) {
    @{ Proxy = Invoke-Both { New-PSSession @p -ErrorAction Stop }; Real = Invoke-Both { Microsoft.PowerShell.Core\\New-PSSession @p -ErrorAction Stop } }
}
$proxy = Get-Command New-PSSession
$real = Get-Command Microsoft.PowerShell.Core\\New-PSSession
Write-Result @{
    Cases = @($cases)
    ProxyParameters = @($proxy.Parameters.Keys | Sort-Object); RealParameters = @($real.Parameters.Keys | Sort-Object)
    ProxySets = @($proxy.ParameterSets.Name | Sort-Object); RealSets = @($real.ParameterSets.Name | Sort-Object)
}
`,
      tenant.input(),
      { env: tenant.env },
    );
    expect(result.Cases).toHaveLength(3);
    for (const c of result.Cases) {
      expect(c.Real).not.toEqual(['no error']);
      // The real cmdlet's record is passed through unchanged; a function only adds ",New-PSSession" to its id.
      expect(c.Proxy).toEqual(c.Real);
    }
    expect(result.ProxyParameters).toEqual(result.RealParameters);
    expect(result.ProxySets).toEqual(result.RealSets);
  });
});
