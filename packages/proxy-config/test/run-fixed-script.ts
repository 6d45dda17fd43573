import { spawn } from 'node:child_process';
import { testPwsh } from '@exo-connect/test-utils';
import type { ProxyCredentialValue } from '../src/index.js';

// The test's side of what core does, as fixed text: read one base64 JSON request from stdin, build the
// PSCredential from it (core builds it from its secret channel), run the product's fixed script with the JSON
// parameters, then run a probe script on the result and print the probe's answer as JSON. No value is ever
// placed into script text: the scripts arrive as data and run as script blocks.
const DRIVER = [
  "$ErrorActionPreference = 'Stop'",
  "$PSStyle.OutputRendering = 'PlainText'",
  '$line = [Console]::In.ReadLine()',
  '$request = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($line)) | ConvertFrom-Json -AsHashtable',
  '$arguments = @{ ParametersJson = [string]$request.parametersJson }',
  'if ($request.credential) {',
  '  $secure = ConvertTo-SecureString -String $request.credential.password -AsPlainText -Force',
  '  $arguments.ProxyCredential = [pscredential]::new($request.credential.userName, $secure)',
  '}',
  '$result = & ([scriptblock]::Create($request.script)) @arguments',
  '$answer = & ([scriptblock]::Create($request.probe)) $result $request.probeData',
  '[Console]::Out.WriteLine((ConvertTo-Json -InputObject $answer -Compress -Depth 6))',
].join('\n');

const PROXY_VARIABLES = /^(https?_proxy|no_proxy|all_proxy)$/i;

export interface FixedScriptRequest {
  /** The product's fixed script (NEW_SESSION_OPTION_SCRIPT, APPLY_HTTP_PROXY_SCRIPT). */
  script: string;
  /** The rendered data, exactly as core would send it. */
  parametersJson: string;
  /** The secret part, sent the way core's secret channel would deliver it: never in the JSON parameters. */
  credential?: ProxyCredentialValue;
  /** A fixed test script, `param($Result, $Data)`, whose output is returned. */
  probe: string;
  probeData?: unknown;
  /** Extra environment for pwsh; proxy variables of the test runner itself are never passed on. */
  env?: Record<string, string>;
}

export interface PwshRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export function runPwsh(request: FixedScriptRequest): Promise<PwshRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !PROXY_VARIABLES.test(name)));
  const child = spawn(testPwsh(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', DRIVER], {
    env: { ...env, TERM: 'dumb', NO_COLOR: '1', ...request.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const { env: _, ...payload } = request;
  child.stdin.end(`${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64')}\n`);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}

/** Runs the request and returns the probe's answer; a pwsh failure fails the test with pwsh's own message. */
export async function runFixedScript<T>(request: FixedScriptRequest): Promise<T> {
  const run = await runPwsh(request);
  const last = run.stdout.trim().split('\n').pop() ?? '';
  if (run.exitCode !== 0 || last === '') {
    throw new Error(`pwsh exited with ${run.exitCode}:\n${run.stderr}\n${run.stdout}`);
  }
  return JSON.parse(last) as T;
}
