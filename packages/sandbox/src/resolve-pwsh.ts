import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SandboxError } from './errors/sandbox-error.js';

export interface ResolvePwshOptions {
  /** The pwsh executable to use; skips the search. */
  pwsh?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /** How a candidate is checked; defaults to "exists and is executable". */
  isExecutable?: (path: string) => boolean;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The pwsh the tenant API runs: `options.pwsh`, else EXO_PWSH, else `pwsh` on PATH, else the .NET global tool in
 * ~/.dotnet/tools. Explicit choices are taken as given; only the search checks that a file is executable.
 */
export function resolvePwsh(options: ResolvePwshOptions = {}): string {
  if (options.pwsh) return options.pwsh;
  const env = options.env ?? process.env;
  if (env.EXO_PWSH) return env.EXO_PWSH;
  const platform = options.platform ?? process.platform;
  const isExecutable = options.isExecutable ?? executable;
  const exe = platform === 'win32' ? 'pwsh.exe' : 'pwsh';
  const candidates = [
    ...(env.PATH ?? env.Path ?? '')
      .split(platform === 'win32' ? ';' : delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, exe)),
    join(options.home ?? homedir(), '.dotnet', 'tools', exe),
  ];
  const found = candidates.find(isExecutable);
  if (!found) {
    throw new SandboxError(
      'PWSH_NOT_FOUND',
      'PowerShell 7 (pwsh) was not found on PATH or in ~/.dotnet/tools.',
      {
        details: { searched: candidates },
      },
    );
  }
  return found;
}
