import type { ChildProcess } from 'node:child_process';
import { SANDBOX_CONNECTION_URI, SANDBOX_MODULE_PATH } from '@exo-connect/sandbox';
import { PowerShell } from 'node-powershell';
import { serveCredential } from './credential-socket.js';
import { BENCH_MODULE_PATH } from './paths.js';

export interface NaiveShellOptions {
  executable: string;
  /** Environment for pwsh (EXO_SANDBOX_DIR of the tenant). */
  env: NodeJS.ProcessEnv;
  credential: { userPrincipalName: string; password: string };
  /** Open and import a sandbox session (the remote variants); the bridge-only variant needs none. */
  session: boolean;
}

/**
 * The baseline a Node user would write with node-powershell: one `PowerShell` instance, the documented
 * steps sent through `invoke`, and each result read back as `<command> | ConvertTo-Json`, parsed with
 * JSON.parse. Fixed script text only: paths come from environment variables, the password over a
 * one-shot socket (see credential-socket.ts).
 */
export class NaiveShell {
  private constructor(
    private readonly shell: PowerShell,
    readonly pid: number,
    private session: boolean,
  ) {}

  static async open(options: NaiveShellOptions): Promise<NaiveShell> {
    // Listening before pwsh starts, so the socket's path can travel in its environment, not in script text.
    const socket = options.session
      ? await serveCredential(options.credential.userPrincipalName, options.credential.password)
      : undefined;
    const shell = new PowerShell({
      executable: options.executable,
      executableOptions: { '-NoProfile': true, '-NonInteractive': true },
      spawnOptions: {
        env: {
          ...options.env,
          // Without these pwsh may write terminal escapes into the JSON; the engine sets them too.
          TERM: 'dumb',
          NO_COLOR: '1',
          EXO_BENCH_SANDBOX_MODULE: SANDBOX_MODULE_PATH,
          EXO_BENCH_MODULE: BENCH_MODULE_PATH,
          EXO_BENCH_URI: SANDBOX_CONNECTION_URI,
          ...(socket ? { EXO_BENCH_CREDENTIAL_SOCKET: socket.path } : {}),
        },
      },
    });
    const child = (shell as unknown as { process: ChildProcess }).process;
    const naive = new NaiveShell(shell, child.pid ?? 0, false);
    try {
      await naive.run('Import-Module $env:EXO_BENCH_MODULE');
      if (options.session) {
        await naive.run('Import-Module $env:EXO_BENCH_SANDBOX_MODULE');
        await naive.run('$UserCredential = Read-BenchCredential');
        await naive.run(
          '$Session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $env:EXO_BENCH_URI -Credential $UserCredential -Authentication Basic -AllowRedirection',
        );
        naive.session = true;
        await naive.run('$null = Import-PSSession $Session -DisableNameChecking');
      }
      return naive;
    } catch (error) {
      await naive.close();
      throw error;
    } finally {
      await socket?.close();
    }
  }

  /** Runs one command through node-powershell; its raw stdout, or an error with what pwsh said. */
  async run(command: string): Promise<string> {
    const result = await this.shell.invoke(command);
    if (result.hadErrors) throw new Error(`node-powershell: ${result.raw.slice(0, 800)}`);
    return result.raw;
  }

  /** `<command> | ConvertTo-Json`, parsed: the README's way of getting objects out. */
  async json<T = unknown>(pipeline: string): Promise<{ rows: T[]; chars: number }> {
    const raw = await this.run(
      `${pipeline} | ConvertTo-Json -Depth 4 -Compress -WarningAction SilentlyContinue`,
    );
    if (raw.trim() === '') return { rows: [], chars: 0 };
    const parsed = JSON.parse(raw) as T | T[];
    return { rows: Array.isArray(parsed) ? parsed : [parsed], chars: raw.length };
  }

  async close(): Promise<void> {
    try {
      if (this.session) await this.run('Remove-PSSession $Session');
    } catch {
      // The process is ended below either way.
    }
    this.session = false;
    await this.shell.dispose().catch(() => undefined);
  }
}
