import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPwsh } from '@exo-connect/test-utils';

export interface PwshRun {
  /** The value the script passed to Write-Result (last one wins), parsed from JSON. */
  result: unknown;
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

export interface RunPwshOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called with the child process once it started (to kill it, read its pid). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

// Loaded before every test script: scripts get their values from $In (JSON sent on stdin), never from their text.
const PRELUDE = `
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
$In = [Console]::In.ReadToEnd() | ConvertFrom-Json -AsHashtable
function Write-Result { param($Value) [Console]::Out.WriteLine('@@RESULT ' + (ConvertTo-Json -InputObject $Value -Depth 8 -Compress)) }
function New-TestCredential { param([string]$User, [string]$Password) [pscredential]::new($User, (ConvertTo-SecureString $Password -AsPlainText -Force)) }
# Imports the sandbox module, opens a session as $In.user (or -User) and imports its commands globally.
function Open-TestSession {
    param([string]$User = $In.user, [string]$Password = $In.password)
    Import-Module $In.module
    $session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential $User $Password) -Authentication Basic -AllowRedirection -ErrorAction Stop
    $null = Import-PSSession $session -DisableNameChecking -AllowClobber
    $session
}
# The parts of an error record a caller classifies.
function ConvertTo-TestError {
    param($Record)
    @{
        Message = $Record.Exception.Message; Details = if ($Record.ErrorDetails) { $Record.ErrorDetails.Message } else { $null }
        FullyQualifiedErrorId = $Record.FullyQualifiedErrorId; Category = [string]$Record.CategoryInfo.Category
        Reason = $Record.CategoryInfo.Reason; ExceptionType = $Record.Exception.GetType().FullName
        Inner = if ($Record.Exception.InnerException) { $Record.Exception.InnerException.Message } else { $null }
        RecommendedAction = if ($Record.ErrorDetails) { $Record.ErrorDetails.RecommendedAction } else { $null }
    }
}
`;

/** Runs a fixed PowerShell script in a fresh pwsh (-NonInteractive, stdout a pipe), with `input` as $In. */
export async function runPwsh(
  script: string,
  input: unknown = {},
  options: RunPwshOptions = {},
): Promise<PwshRun> {
  const dir = await mkdtemp(join(tmpdir(), 'exo-sandbox-script-'));
  const file = join(dir, 'test.ps1');
  await writeFile(file, `${PRELUDE}\n${script}\n`, 'utf8');
  try {
    return await new Promise<PwshRun>((resolve, reject) => {
      const child = spawn(testPwsh(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', file], {
        // Import-PSSession writes its generated modules under TMPDIR: keep them in this run's directory.
        env: { ...process.env, ...options.env, TMPDIR: dir, TERM: 'dumb', NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      options.onSpawn?.(child);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', reject);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        const stdout = Buffer.concat(out).toString('utf8');
        const line = stdout
          .split(/\r?\n/)
          .filter((l) => l.startsWith('@@RESULT '))
          .pop();
        resolve({
          result: line ? JSON.parse(line.slice('@@RESULT '.length)) : undefined,
          stdout,
          stderr: Buffer.concat(err).toString('utf8'),
          exitCode,
        });
      });
      child.stdin.end(JSON.stringify(input));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Like runPwsh, but fails with the script's output when it did not exit 0 or wrote no result. */
export async function runPwshOk<T = unknown>(
  script: string,
  input: unknown = {},
  options: RunPwshOptions = {},
): Promise<T> {
  const run = await runPwsh(script, input, options);
  if (run.exitCode !== 0 || run.result === undefined) {
    throw new Error(`pwsh failed (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  }
  return run.result as T;
}
