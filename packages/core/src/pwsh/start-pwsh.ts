import type { ChildProcess } from 'node:child_process';
import { PowerShell } from 'node-powershell';
import { ExoError } from '../errors/exo-error.js';
import { locatePwsh, type PwshInfo } from './locate-pwsh.js';

export interface PwshHost {
  readonly info: PwshInfo;
  /** PID of the pwsh process itself (never a launcher shim's when the real process could be resolved). */
  readonly pid: number;
  /** Runs a fixed script (no caller data in it) and returns what it wrote to stdout. */
  run(fixedScript: string): Promise<string>;
  /** The version pwsh reports about itself ($PSVersionTable.PSVersion). */
  version(): Promise<string>;
  dispose(): Promise<void>;
}

export interface StartPwshOptions {
  info?: PwshInfo;
  env?: NodeJS.ProcessEnv;
}

/** node-powershell keeps its ChildProcess private; the PID is what leak checks and signals need. */
function childOf(shell: PowerShell): ChildProcess {
  return (shell as unknown as { process: ChildProcess }).process;
}

/**
 * Starts one pwsh through node-powershell with the flags every exo-connect host uses. The request
 * protocol (framed results, splatted JSON parameters) is built on top of this in the bridge.
 */
export async function startPwsh(options: StartPwshOptions = {}): Promise<PwshHost> {
  const info = options.info ?? (await locatePwsh({ env: options.env }));
  const shell = new PowerShell({
    executable: info.executable,
    executableOptions: { '-NoProfile': true, '-NonInteractive': true },
    spawnOptions: {
      env: { ...(options.env ?? process.env), TERM: 'dumb', NO_COLOR: '1' },
      windowsHide: true,
    },
    throwOnInvocationError: true,
  });
  const pid = childOf(shell).pid;
  if (pid === undefined) {
    await shell.dispose().catch(() => undefined);
    throw new ExoError('PWSH_NOT_FOUND', `pwsh could not be started from ${info.executable}.`);
  }

  const run = async (fixedScript: string) => {
    try {
      const result = await shell.invoke(fixedScript);
      return result.raw;
    } finally {
      // node-powershell records every command and its output; nothing of ours may linger there.
      shell.history.length = 0;
    }
  };

  return {
    info,
    pid,
    run,
    async version() {
      return (await run('[Console]::Out.WriteLine($PSVersionTable.PSVersion.ToString())')).trim();
    },
    async dispose() {
      await shell.dispose().catch(() => undefined);
    },
  };
}
