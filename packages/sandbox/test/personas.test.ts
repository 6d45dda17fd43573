import { processAlive, waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTenant, SANDBOX_PERSONAS, tenantStatus } from '../src/index.js';
import { runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

const HOST = 'sandbox.exo.localhost';
const connecting = (message: string) =>
  `Connecting to remote server ${HOST} failed with the following error message : ${message} For more information, see the about_Remote_Troubleshooting Help topic.`;
const ACCESS_DENIED = connecting('Access is denied.');
const maxConcurrency = (limit: number) =>
  connecting(
    `Fail to create a runspace because you have exceeded the maximum number of connections allowed : ${limit} for the policy party : MaxConcurrency. Please close existing runspace and try again.`,
  );
const reported = (message: string) =>
  `The background process reported an error with the following message: ${message}.`;

interface OpenError {
  Message: string;
  Details: string;
  FullyQualifiedErrorId: string;
  Category: string;
  Reason: string;
  ExceptionType: string;
  Inner: string | null;
  RecommendedAction: string | null;
  ErrorCode: number;
  Target: string;
}

// Opens a session for each of $In.attempts (user, password) and reports each New-PSSession error.
const ATTEMPTS = `
Import-Module $In.module
$results = foreach ($a in $In.attempts) {
    $s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $a.user $a.password) -Authentication Basic -AllowRedirection -ErrorVariable e -ErrorAction SilentlyContinue
    if ($s) { Remove-PSSession $s; @{ Opened = $true } } else {
        $r = ConvertTo-TestError $e[0]
        $r.ErrorCode = $e[0].Exception.ErrorCode
        $r.Target = $e[0].TargetObject.GetType().FullName
        $r
    }
}
Write-Result @($results)
`;

describe('failure personas reproduce the documented cases with the real texts', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant({ mailboxCount: 10 });
  });
  afterAll(async () => tenant.dispose());

  const run = <T>(script: string, extra: Record<string, unknown> = {}) =>
    runPwshOk<T>(script, tenant.input(extra), { env: tenant.env });

  it('refuses a wrong password, an unknown account and Basic auth for an MFA account with "Access is denied"', async () => {
    const password = tenant.input().password as string;
    const [wrong, unknown, mfa] = await run<OpenError[]>(ATTEMPTS, {
      attempts: [
        { user: SANDBOX_PERSONAS.admin.userPrincipalName, password: `${password}x` },
        { user: 'nobody@sandbox.exo.localhost', password },
        { user: SANDBOX_PERSONAS.mfa.userPrincipalName, password },
      ],
    });
    for (const e of [wrong, unknown, mfa]) {
      expect(e).toMatchObject({
        Message: ACCESS_DENIED,
        Details: `[${HOST}] ${ACCESS_DENIED}`,
        FullyQualifiedErrorId: 'AccessDenied,PSSessionOpenFailed,New-PSSession',
        Category: 'OpenError',
        Reason: 'PSRemotingTransportException',
        ExceptionType: 'System.Management.Automation.Remoting.PSRemotingTransportException',
        Inner: null,
        ErrorCode: 5,
        Target: 'System.Management.Automation.RemoteRunspace',
      });
    }
  });

  it('refuses an account not enabled for remote PowerShell with Access is denied, telling it apart in the inner error', async () => {
    const [e] = await run<OpenError[]>(ATTEMPTS, {
      attempts: [{ user: SANDBOX_PERSONAS.norps.userPrincipalName, password: tenant.input().password }],
    });
    expect(e).toMatchObject({
      Message: ACCESS_DENIED,
      Details: `[${HOST}] ${ACCESS_DENIED}`,
      FullyQualifiedErrorId: 'AccessDenied,PSSessionOpenFailed,New-PSSession',
      Inner:
        "The user 'norps@sandbox.exo.localhost' is not enabled for remote PowerShell (RemotePowerShellEnabled is False).",
      RecommendedAction:
        'An administrator can run: Set-User -Identity norps@sandbox.exo.localhost -RemotePowerShellEnabled $true',
    });
  });

  it('fails a federated account whose identity provider cannot be reached', async () => {
    const [e] = await run<OpenError[]>(ATTEMPTS, {
      attempts: [{ user: SANDBOX_PERSONAS.federated.userPrincipalName, password: 'any password at all' }],
    });
    const text = connecting(
      "Federated service at https://sts.federated.sandbox.exo.localhost/adfs/services/trust/2005/usernamemixed returned error: The remote name could not be resolved: 'sts.federated.sandbox.exo.localhost'.",
    );
    expect(e).toMatchObject({
      Message: text,
      Details: `[${HOST}] ${text}`,
      FullyQualifiedErrorId: '-2144108477,PSSessionOpenFailed,New-PSSession',
      Category: 'OpenError',
      ErrorCode: -2144108477,
    });
  });

  it('opens 3 sessions, refuses the 4th with MaxConcurrency, accepts it once one is removed; the limit is configurable', async () => {
    const r = await run<{
      Opened: number;
      Fourth: OpenError;
      Accepted: string;
      Live: number;
      Refused: boolean;
    }>(`
Import-Module $In.module
$c = New-TestCredential $In.user $In.password
$open = { New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential $c -Authentication Basic -AllowRedirection }
$sessions = @(1..3 | ForEach-Object { & $open })
$fourth = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential $c -Authentication Basic -AllowRedirection -ErrorVariable e -ErrorAction SilentlyContinue
$error4 = ConvertTo-TestError $e[0]; $error4.ErrorCode = $e[0].Exception.ErrorCode
Remove-PSSession $sessions[0]
$accepted = & $open
$acceptedState = [string]$accepted.State
$live = (Get-ExoSandboxTenant).SessionsByUser[$In.user]
Get-PSSession | Remove-PSSession
Write-Result @{ Opened = $sessions.Count; Fourth = $error4; Accepted = $acceptedState; Live = $live; Refused = $null -eq $fourth }
`);
    expect(r.Opened).toBe(3);
    expect(r.Refused).toBe(true);
    expect(r.Fourth).toMatchObject({
      Message: maxConcurrency(3),
      Details: `[${HOST}] ${maxConcurrency(3)}`,
      FullyQualifiedErrorId: '-2144108477,PSSessionOpenFailed,New-PSSession',
      Category: 'OpenError',
      ErrorCode: -2144108477,
    });
    expect(r.Accepted).toBe('Opened');
    expect(r.Live).toBe(3);

    await configureTenant({ directory: tenant.directory, sessionLimit: 1 });
    try {
      const limited = await run<{ Second: OpenError }>(`
Import-Module $In.module
$c = New-TestCredential $In.user $In.password
$first = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential $c -Authentication Basic
$null = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential $c -Authentication Basic -ErrorVariable e -ErrorAction SilentlyContinue
Remove-PSSession $first
Write-Result @{ Second = ConvertTo-TestError $e[0] }
`);
      expect(limited.Second.Message).toBe(maxConcurrency(1));
    } finally {
      await configureTenant({ directory: tenant.directory, sessionLimit: 3 });
    }
  });

  it('expires sessions after their lifetime: the next command fails with InvalidShellID and the runspace breaks', async () => {
    // The expiring persona lives 30 seconds; the tenant's lifetime setting applies to everyone else. Each
    // session runs its first command as soon as it is open (its clock runs from the sign-in, before its server
    // process has started: 10 seconds were not enough on a loaded 2-core machine), and the script then waits
    // until both have passed their expiry, however long opening them took on this machine.
    await configureTenant({ directory: tenant.directory, sessionLifetimeSeconds: 40 });
    try {
      const r = await run<{
        Before: number[];
        Errors: { Message: string; FullyQualifiedErrorId: string; ExceptionType: string; ShellId: string }[];
        States: string[];
        ServerPids: number[];
      }>(
        `
Import-Module $In.module
$sessions = @(); $before = @()
foreach ($u in $In.expiring, $In.user) {
    $s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $u $In.password) -Authentication Basic -ErrorAction Stop
    $sessions += $s
    $before += @(Invoke-Command -Session $s { Get-Mailbox -ResultSize 2 } -WarningAction SilentlyContinue).Count
}
$status = Get-ExoSandboxTenant
$mine = foreach ($s in $sessions) { $status.Sessions | Where-Object SessionId -EQ $s.InstanceId.ToString() }
$pids = @($mine | ForEach-Object { $_.ProcessId })
$expiry = ($mine | ForEach-Object { [DateTime]::Parse([string]$_.ExpiresUtc, $null, 'RoundtripKind').ToUniversalTime() } | Measure-Object -Maximum).Maximum
while ([DateTime]::UtcNow -lt $expiry.AddSeconds(1)) { Start-Sleep -Milliseconds 200 }
$errors = foreach ($s in $sessions) {
    try { Invoke-Command -Session $s { Get-Mailbox -ResultSize 2 } -ErrorAction Stop; @{ Message = 'no error' } }
    catch { $r = ConvertTo-TestError $_; $r.ShellId = $s.InstanceId.ToString(); $r }
}
$deadline = [DateTime]::UtcNow.AddSeconds(60)
while (@($sessions | Where-Object State -NE 'Broken').Count -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
$states = @($sessions | ForEach-Object { [string]$_.State })
$sessions | Remove-PSSession
Write-Result @{ Before = @($before); Errors = @($errors); States = $states; ServerPids = @($pids) }
`,
        { expiring: SANDBOX_PERSONAS.expiring.userPrincipalName },
      );
      expect(r.Before).toEqual([2, 2]);
      for (const e of r.Errors) {
        expect(e.ExceptionType).toBe('System.Management.Automation.Remoting.PSRemotingTransportException');
        expect(e.Message).toMatch(
          new RegExp(
            `^${escapeRegExp(
              reported(
                'Processing data for a remote command failed with the following error message: [ClientAccessServer=SBXPR01MB0001,BackEndServer=sbxpr01mb0001.sandbox.exo.localhost,RequestId=GUID,TimeStamp=TIME] [FailureCategory=WSMan-InvalidShellID] The request for the Windows Remote Shell with ShellId SHELL failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation. For more information, see the about_Remote_Troubleshooting Help topic',
              ),
            )
              .replace('GUID', '[0-9a-f-]{36}')
              .replace('TIME', '[^\\]]+')
              .replace('SHELL', e.ShellId.toUpperCase())}$`,
          ),
        );
      }
      expect(r.States).toEqual(['Broken', 'Broken']);
      expect(r.ServerPids).toHaveLength(2);
      for (const pid of r.ServerPids) {
        expect(pid).toBeGreaterThan(0);
        expect(await waitFor(() => !processAlive(pid))).toBe(true);
      }
      expect((await tenantStatus({ directory: tenant.directory })).sessions).toEqual([]);
    } finally {
      await configureTenant({ directory: tenant.directory, sessionLifetimeSeconds: 3600 });
    }
  });

  it('drops a session: the command fails, the runspace goes Broken and the server process ends', async () => {
    const dropped = reported(
      `The background process closed or ended abnormally: the connection to ${HOST} was lost`,
    );
    const r = await run<{
      Persona: { Message: string; State: string; ServerPid: number; Later: string };
      Stopped: { Message: string; State: string; ServerPid: number; Marked: number };
    }>(
      `
Import-Module $In.module
function Wait-Broken { param($s) $d = [DateTime]::UtcNow.AddSeconds(60); while ($s.State -ne 'Broken' -and [DateTime]::UtcNow -lt $d) { Start-Sleep -Milliseconds 100 }; [string]$s.State }
# The persona drops at its first Exchange cmdlet, here through the imported command.
$p = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.dropped $In.password) -Authentication Basic -ErrorAction Stop
$pPid = ((Get-ExoSandboxTenant).Sessions | Where-Object SessionId -EQ $p.InstanceId.ToString()).ProcessId
$m = Import-PSSession $p -DisableNameChecking -AllowClobber
$personaError = try { Get-Mailbox -ErrorAction Stop; 'no error' } catch { $_.Exception.Message }
$personaState = Wait-Broken $p
$later = try { Invoke-Command -Session $p { Get-Mailbox } -ErrorAction Stop; 'no error' } catch { $_.Exception.Message }
Remove-Module $m
# Any account's session, dropped on request while idle.
$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $In.user $In.password) -Authentication Basic -ErrorAction Stop
$marked = @(Stop-ExoSandboxSession -UserPrincipalName $In.user)
$stoppedError = try { Invoke-Command -Session $s { Get-Mailbox } -ErrorAction Stop; 'no error' } catch { $_.Exception.Message }
$stoppedState = Wait-Broken $s
Get-PSSession | Remove-PSSession
Write-Result @{
    Persona = @{ Message = $personaError; State = $personaState; ServerPid = $pPid; Later = $later }
    Stopped = @{ Message = $stoppedError; State = $stoppedState; ServerPid = $marked[0].ProcessId; Marked = $marked.Count }
}
`,
      { dropped: SANDBOX_PERSONAS.dropped.userPrincipalName },
    );
    expect(r.Persona.Message).toBe(dropped);
    expect(r.Persona.State).toBe('Broken');
    expect(r.Persona.Later).toMatch(/The session state is Broken/);
    expect(r.Stopped.Marked).toBe(1);
    expect(r.Stopped.Message).toBe(dropped);
    expect(r.Stopped.State).toBe('Broken');
    for (const pid of [r.Persona.ServerPid, r.Stopped.ServerPid]) {
      expect(pid).toBeGreaterThan(0);
      expect(await waitFor(() => !processAlive(pid))).toBe(true);
    }
    expect((await tenantStatus({ directory: tenant.directory })).sessions).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
