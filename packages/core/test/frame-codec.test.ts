import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeFrame, PROTOCOL_VERSION } from '../src/bridge/frames.js';
import { locatePwsh } from '../src/pwsh/locate-pwsh.js';

const bridge = fileURLToPath(new URL('../powershell/bridge.ps1', import.meta.url));

// Every frame bridge.ps1's ExoFrame builds, from text that needs escaping (quotes, backslash, control
// characters, HTML-sensitive and non-ASCII characters) and from nulls.
const SCRIPT = `
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
. '${bridge.replace(/'/g, "''")}'
$s = "q""b\\s\`n\`r\`t$([char]1)<&>' é😀"
[ExoFrame]::Hello('tok_-1', 12, '7.6.9')
[ExoFrame]::Text('w', $s, $false)
[ExoFrame]::Text('i', $s, $true)
[ExoFrame]::Text('v', $null, $false)
try { throw [System.InvalidOperationException]::new($s, [System.Exception]::new('inner')) } catch { [ExoFrame]::Error($_, $true) }
[ExoFrame]::BridgeError([System.Exception]::new($s), 'Fq,Id')
$p = [System.Management.Automation.ProgressRecord]::new(3, 'Act', $s)
$p.PercentComplete = 40; $p.ParentActivityId = 1
[ExoFrame]::Progress($p)
$p.RecordType = 'Completed'; $p.CurrentOperation = 'op'
[ExoFrame]::Progress($p)
[ExoFrame]::Secret($s)
[ExoFrame]::End('id-1', $false, $true)
`;

describe("bridge.ps1's frames (ExoFrame)", () => {
  it('are read back by the TypeScript codec as the values they were built from', async () => {
    const { executable } = await locatePwsh();
    const { stdout } = await promisify(execFile)(
      executable,
      ['-NoProfile', '-NonInteractive', '-Command', SCRIPT],
      { env: { ...process.env, NO_COLOR: '1', TERM: 'dumb' } },
    );
    const s = 'q"b\\s\n\r\t\u0001<&>\' é😀';
    const frames = stdout.trimEnd().split('\n').map(decodeFrame);
    expect(frames).toEqual([
      { t: 'hello', protocol: PROTOCOL_VERSION, token: 'tok_-1', pid: 12, version: '7.6.9' },
      { t: 'w', m: s },
      { t: 'i', m: s, host: true },
      { t: 'v', m: null },
      {
        t: 'e',
        message: s,
        fqid: expect.any(String),
        category: 'OperationStopped',
        reason: 'InvalidOperationException',
        targetName: '',
        exceptionType: 'System.InvalidOperationException',
        details: null,
        inner: ['inner'],
        terminating: true,
      },
      {
        t: 'e',
        message: s,
        fqid: 'Fq,Id',
        category: 'NotSpecified',
        reason: '',
        targetName: '',
        exceptionType: 'System.Exception',
        details: null,
        inner: [],
        terminating: true,
        bridge: true,
      },
      {
        t: 'p',
        activity: 'Act',
        status: s,
        percent: 40,
        operation: null,
        activityId: 3,
        parentId: 1,
        completed: false,
      },
      {
        t: 'p',
        activity: 'Act',
        status: s,
        percent: 40,
        operation: 'op',
        activityId: 3,
        parentId: 1,
        completed: true,
      },
      { t: 'secret', name: s },
      { t: 'end', id: 'id-1', ok: false, stopped: true },
    ]);
  });
});
