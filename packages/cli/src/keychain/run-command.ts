import { spawn } from 'node:child_process';

export interface CommandResult {
  /** null when the program was killed (by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCommandOptions {
  /** Written to the program's stdin, which is then closed: the only way a secret reaches a program. */
  input?: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** Runs a program without a shell and collects its output; spawn failures reject. */
export type CommandRunner = (
  file: string,
  args: readonly string[],
  options: RunCommandOptions,
) => Promise<CommandResult>;

export const runCommand: CommandRunner = (file, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // A program that exits without reading its stdin makes the write fail with EPIPE: its exit code says more.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
