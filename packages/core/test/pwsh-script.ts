import { spawn } from 'node:child_process';
import { testPwsh } from '@exo-connect/test-utils';

/**
 * Runs a fixed script in a fresh pwsh with `input` as JSON on stdin (secrets never on a command line) and
 * resolves with the last line it printed; rejects with its stderr when it fails.
 */
export function runPwshScript(
  script: string,
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(testPwsh(), ['-NoProfile', '-NonInteractive', '-Command', script], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(out.trim().split('\n').at(-1)!.trim()) : reject(new Error(err)),
    );
    child.stdin.end(JSON.stringify(input));
  });
}
