import { spawn } from 'node:child_process';
import { childEnv } from '@exo-connect/pwsh';
import { SandboxError } from './errors/sandbox-error.js';
import { parseEnvelope } from './parse-envelope.js';
import { pwshScriptArgs, SANDBOX_INVOKE_SCRIPT_PATH } from './paths.js';
import { resolvePwsh } from './resolve-pwsh.js';

export type SandboxCommand =
  | 'New-ExoSandboxTenant'
  | 'Reset-ExoSandboxTenant'
  | 'Get-ExoSandboxTenant'
  | 'Set-ExoSandboxTenant'
  | 'Test-ExoSandboxTenant'
  | 'Stop-ExoSandboxSession';

export interface RunSandboxCommandOptions {
  /** The pwsh executable; else EXO_PWSH, else `pwsh` on PATH, else ~/.dotnet/tools/pwsh. */
  pwsh?: string;
  /** Environment for pwsh (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Runs one of the ExoSandbox module's tenant commands in a fresh pwsh. The command and its parameters travel as
 * JSON on stdin and are splatted there: no value ever becomes script text or a command-line argument.
 */
export function runSandboxCommand(
  command: SandboxCommand,
  parameters: Record<string, unknown>,
  options: RunSandboxCommandOptions = {},
): Promise<unknown> {
  const env = options.env ?? process.env;
  const pwsh = resolvePwsh({ pwsh: options.pwsh, env });
  // exo's EXO_PASSWORD (and proxy password) must not reach pwsh: a process's environment is readable in /proc.
  const pwshEnv = childEnv(env, { TERM: 'dumb', NO_COLOR: '1' });
  if (options.signal?.aborted) {
    return Promise.reject(new SandboxError('ABORTED', `${command} was aborted before it started.`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(pwsh, pwshScriptArgs(SANDBOX_INVOKE_SCRIPT_PATH), {
      env: pwshEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        error.code === 'ENOENT'
          ? new SandboxError('PWSH_NOT_FOUND', `pwsh could not be started from ${pwsh}.`, { cause: error })
          : new SandboxError('POWERSHELL_FAILED', `pwsh could not be started: ${error.message}`, {
              cause: error,
            }),
      );
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (aborted) {
        reject(new SandboxError('ABORTED', `${command} was aborted.`));
        return;
      }
      try {
        resolve(
          parseEnvelope(Buffer.concat(stdout).toString('utf8'), Buffer.concat(stderr).toString('utf8'), code),
        );
      } catch (error) {
        reject(error);
      }
    });
    child.stdin.on('error', () => {
      // pwsh may exit before reading stdin (it failed to start); 'close' reports that.
    });
    child.stdin.end(JSON.stringify({ command, parameters }));
  });
}
