import { execFile } from 'node:child_process';
import { access, constants, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ExoError } from '@exo-connect/errors';
import { childEnv } from './child-env.js';
import { type PwshCandidate, type PwshSource, pwshCandidates } from './find-pwsh.js';

const run = promisify(execFile);

/** Oldest pwsh we accept: CVE-2026-50523 is fixed in 7.6.5 (REFERENCE.md §5). */
export const MINIMUM_PWSH_VERSION = '7.6.5';

export interface PwshInfo {
  /** The executable to spawn: the real pwsh, not a launcher shim, whenever it can be found. */
  executable: string;
  /** What was found first (EXO_PWSH, PATH or the .NET tool shim). */
  foundAt: string;
  source: PwshSource;
  version: string;
  psHome: string;
  /** True when `foundAt` was a launcher (the dotnet global tool) that starts pwsh as a child. */
  resolvedFromShim: boolean;
}

export interface LocatePwshOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /**
   * Reuse the last answer while the candidate files are unchanged (same paths, sizes, times and inodes),
   * from memory or from the user's cache directory, instead of starting a probe pwsh (about 0.7 s). The
   * host started from it reports its version again (PwshBridge checks it), so a stale answer cannot slip
   * through. Default false: doctor and explicit calls always probe.
   */
  cache?: boolean;
}

export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => v.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const PROBE =
  "[Console]::Out.WriteLine(($PSVersionTable.PSVersion.ToString(), [Environment]::ProcessPath, $PSHOME) -join '|')";

async function probe(executable: string, env: NodeJS.ProcessEnv) {
  // The probe's pwsh never inherits a secret: its environment is readable in /proc.
  const clean = childEnv(env, { TERM: 'dumb', NO_COLOR: '1' });
  try {
    const { stdout } = await run(
      executable,
      ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', PROBE],
      {
        env: clean,
        timeout: 60_000,
        windowsHide: true,
      },
    );
    const [version = '', processPath = '', psHome = ''] = stdout.trim().split('|');
    return version ? { version, processPath, psHome } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds a pwsh >= 7.6.5: EXO_PWSH when set (and then only it), else `pwsh` on PATH, else the .NET global
 * tool in ~/.dotnet/tools. The global tool is a shim that starts `dotnet pwsh.dll` as a child, so PIDs and
 * signals would reach the wrong process; when the probe reports a dotnet host, the real pwsh apphost in
 * $PSHOME is used instead.
 */
export async function locatePwsh(options: LocatePwshOptions = {}): Promise<PwshInfo> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const exe = platform === 'win32' ? 'pwsh.exe' : 'pwsh';
  const candidates = pwshCandidates({ env, platform, home: options.home });

  const executable = await filterAsync(candidates, (c) => isExecutable(c.path));
  if (!options.cache) return probeCandidates(candidates, executable, env, exe);
  const cacheFile = join(cacheDirectory(env, platform, options.home), 'pwsh.json');
  const key = await signature(
    platform,
    executable.map((c) => c.path),
  );
  const known = remembered.get(key) ?? (await readCached(cacheFile, key));
  if (known && (await signature(platform, [known.executable])) === known.executableSignature) {
    remembered.set(key, known);
    return known.info;
  }
  const info = await probeCandidates(candidates, executable, env, exe);
  const entry = {
    key,
    info,
    executable: info.executable,
    executableSignature: await signature(platform, [info.executable]),
  };
  remembered.set(key, entry);
  await writeCached(cacheFile, entry);
  return info;
}

/** Forgets cached answers (all of them): a host that reported a different version than its cache entry. */
export async function forgetPwshLocations(
  options: Pick<LocatePwshOptions, 'env' | 'platform' | 'home'> = {},
) {
  remembered.clear();
  const env = options.env ?? process.env;
  const file = join(cacheDirectory(env, options.platform ?? process.platform, options.home), 'pwsh.json');
  await writeFile(file, '{}\n', { mode: 0o600 }).catch(() => undefined);
}

interface CacheEntry {
  key: string;
  info: PwshInfo;
  executable: string;
  executableSignature: string;
}

const remembered = new Map<string, CacheEntry>();

/** Where exo-connect keeps caches: EXO_CACHE_DIR, else the platform's per-user cache directory. */
export function cacheDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home = homedir()): string {
  if (env.EXO_CACHE_DIR) return env.EXO_CACHE_DIR;
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'exo-connect');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'exo-connect');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'exo-connect');
}

/** Paths with what identifies their current file: a replaced or upgraded pwsh changes it. */
async function signature(platform: NodeJS.Platform, paths: string[]): Promise<string> {
  const parts = await Promise.all(
    paths.map(async (path) => {
      const s = await stat(path).catch(() => undefined);
      return s ? [path, s.size, s.mtimeMs, s.ino, s.mode] : [path];
    }),
  );
  return JSON.stringify([platform, parts]);
}

async function readCached(file: string, key: string): Promise<CacheEntry | undefined> {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheEntry>;
    const info = entry.info;
    if (entry.key !== key || !info || typeof entry.executableSignature !== 'string') return undefined;
    if (typeof info.executable !== 'string' || typeof info.version !== 'string') return undefined;
    if (compareVersions(info.version, MINIMUM_PWSH_VERSION) < 0) return undefined;
    return entry as CacheEntry;
  } catch {
    return undefined;
  }
}

async function writeCached(file: string, entry: CacheEntry): Promise<void> {
  // Best effort: a read-only home only costs the next process its probe.
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    await rename(temp, file);
  } catch {
    // ignored
  }
}

async function filterAsync<T>(items: T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const flags = await Promise.all(items.map(keep));
  return items.filter((_, i) => flags[i]);
}

async function probeCandidates(
  candidates: PwshCandidate[],
  executables: PwshCandidate[],
  env: NodeJS.ProcessEnv,
  exe: string,
): Promise<PwshInfo> {
  const rejected: string[] = [];
  for (const candidate of candidates) {
    if (!executables.includes(candidate)) {
      if (candidate.source === 'EXO_PWSH') rejected.push(`${candidate.path}: not an executable file`);
      continue;
    }
    const info = await probe(candidate.path, env);
    if (!info) {
      rejected.push(`${candidate.path}: did not answer as pwsh`);
      continue;
    }
    if (compareVersions(info.version, MINIMUM_PWSH_VERSION) < 0) {
      rejected.push(`${candidate.path}: version ${info.version} is older than ${MINIMUM_PWSH_VERSION}`);
      continue;
    }
    let executable = candidate.path;
    let resolvedFromShim = false;
    if (/^dotnet(\.exe)?$/i.test(basename(info.processPath))) {
      const apphost = join(info.psHome, exe);
      if (await isExecutable(apphost)) {
        executable = apphost;
        resolvedFromShim = true;
      }
    }
    return {
      executable,
      foundAt: candidate.path,
      source: candidate.source,
      version: info.version,
      psHome: info.psHome,
      resolvedFromShim,
    };
  }

  const where = env.EXO_PWSH ? `EXO_PWSH (${env.EXO_PWSH})` : 'PATH or ~/.dotnet/tools';
  throw new ExoError(
    'PWSH_NOT_FOUND',
    `No usable PowerShell ${MINIMUM_PWSH_VERSION}+ (pwsh) was found in ${where}.`,
    {
      details: { rejected },
    },
  );
}
