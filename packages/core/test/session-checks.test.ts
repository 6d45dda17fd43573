import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locatePwsh } from '../src/pwsh/locate-pwsh.js';

const STEPS = fileURLToPath(new URL('../powershell/connection-steps.ps1', import.meta.url));

/**
 * Assert-ExoSessionOpen decides, after the import step failed, whether the session under it broke. A session
 * that breaks at the right instant cannot be had on demand (the reliability suite kills the sandbox's server
 * during import), so the function runs here in a real pwsh against objects with the session's State.
 */
const SCRIPT = `
param([string]$Steps)
$ErrorActionPreference = 'Stop'
. $Steps
function Test-Case([string]$Name, [string]$State, [System.Exception]$Exception, [int]$BreakAfterMs = -1) {
    $session = [pscustomobject]@{ State = $State }
    $record = [System.Management.Automation.ErrorRecord]::new($Exception, 'Test', 'NotSpecified', $null)
    if ($BreakAfterMs -ge 0) {
        $timer = [System.Timers.Timer]::new($BreakAfterMs)
        $timer.AutoReset = $false
        $null = Register-ObjectEvent -InputObject $timer -EventName Elapsed -MessageData $session -Action { $Event.MessageData.State = 'Broken' }
        $timer.Start()
    }
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $message = $null
    try { Assert-ExoSessionOpen $session $record } catch { $message = $_.Exception.Message }
    [Console]::Out.WriteLine((ConvertTo-Json -Compress -InputObject @{ name = $Name; message = $message; ms = $watch.ElapsedMilliseconds }))
}
Test-Case 'opened, cmdlet error' 'Opened' ([System.Management.Automation.ItemNotFoundException]::new('Cannot find Get-Nothing.'))
Test-Case 'broken, cmdlet error' 'Broken' ([System.InvalidOperationException]::new('The pipeline failed.'))
Test-Case 'opened, broken pipe' 'Opened' ([System.IO.IOException]::new('Broken pipe'))
Test-Case 'breaks after the error' 'Opened' ([System.Management.Automation.Remoting.PSRemotingTransportException]::new('The background process closed or ended abnormally.')) 200
`;

interface Outcome {
  name: string;
  message: string | null;
  ms: number;
}

function run(executable: string, script: string): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    execFile(
      executable,
      ['-NoProfile', '-NonInteractive', '-File', script, '-Steps', STEPS],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        resolve(
          stdout
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as Outcome),
        );
      },
    );
  });
}

describe('Assert-ExoSessionOpen (connection-steps.ps1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exo-session-checks-'));
  let outcomes: Map<string, Outcome>;
  beforeAll(async () => {
    const info = await locatePwsh({ cache: true });
    const script = join(dir, 'cases.ps1');
    writeFileSync(script, SCRIPT);
    outcomes = new Map((await run(info.executable, script)).map((o) => [o.name, o]));
    expect([...outcomes.keys()]).toHaveLength(4);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves an ordinary cmdlet error on an open session alone, without waiting', () => {
    const o = outcomes.get('opened, cmdlet error');
    expect(o?.message).toBeNull();
    expect(o?.ms).toBeLessThan(500);
  });

  it('names the state of a session that is no longer open', () => {
    expect(outcomes.get('broken, cmdlet error')?.message).toBe(
      'The session state is Broken: the remote session is no longer open. The pipeline failed.',
    );
  });

  it('reports a broken pipe to the session as a broken connection, after waiting for the state', () => {
    const o = outcomes.get('opened, broken pipe');
    expect(o?.message).toBe(
      'The connection to the remote session broke: the remote session is no longer open. Broken pipe',
    );
    expect(o?.ms).toBeGreaterThanOrEqual(1900);
  });

  it('waits for a session whose transport failed to change its state', () => {
    const o = outcomes.get('breaks after the error');
    expect(o?.message).toMatch(/^The session state is Broken: the remote session is no longer open\./);
    expect(o?.ms).toBeLessThan(1900);
  });
});
