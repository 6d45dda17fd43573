import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type PwshSource = 'EXO_PWSH' | 'PATH' | 'dotnet-tool';

export interface PwshCandidate {
  path: string;
  source: PwshSource;
}

export interface PwshSearchOptions {
  env?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  home?: string;
}

/**
 * Where pwsh is looked for, in order: EXO_PWSH when set (and then only it), else `pwsh` in each PATH
 * directory, else the .NET global tool in ~/.dotnet/tools. The platform decides the file name and the PATH
 * separator (Windows: `pwsh.exe`, `;`, and a copied environment may spell it `Path`).
 */
export function pwshCandidates(options: PwshSearchOptions = {}): PwshCandidate[] {
  const env = options.env ?? process.env;
  if (env.EXO_PWSH) return [{ path: env.EXO_PWSH, source: 'EXO_PWSH' }];
  const platform = options.platform ?? process.platform;
  const exe = platform === 'win32' ? 'pwsh.exe' : 'pwsh';
  return [
    ...(env.PATH ?? env.Path ?? '')
      .split(platform === 'win32' ? ';' : ':')
      .filter(Boolean)
      .map((dir): PwshCandidate => ({ path: join(dir, exe), source: 'PATH' })),
    { path: join(options.home ?? homedir(), '.dotnet', 'tools', exe), source: 'dotnet-tool' },
  ];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FindPwshOptions extends PwshSearchOptions {
  /** How a searched candidate is checked; defaults to "exists and is executable". */
  isExecutable?: (path: string) => boolean;
}

/**
 * The first executable candidate, found without starting anything: no version check and no shim
 * resolution (locatePwsh does both). EXO_PWSH is an explicit choice and is taken as given. Undefined when
 * nothing is found.
 */
export function findPwsh(options: FindPwshOptions = {}): PwshCandidate | undefined {
  const isExecutable = options.isExecutable ?? executable;
  return pwshCandidates(options).find((c) => c.source === 'EXO_PWSH' || isExecutable(c.path));
}
