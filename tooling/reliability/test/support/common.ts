/**
 * Shared fixtures for the reliability suite: result files for the report, the spawned `exo` bin, a temporary
 * sandbox tenant, and /proc and file scans. Every suite may import this file; keep its exports stable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectOptions } from '@exo-connect/core';
import * as sandbox from '@exo-connect/sandbox';
import {
  createTestTenant as createSandboxTenant,
  type TenantView as SandboxTenantView,
  type TestTenant as SandboxTestTenant,
  tenantAt as sandboxTenantAt,
  testPwsh,
} from '@exo-connect/test-utils';

/** tooling/reliability/results: one JSON file per suite, read by the report generator (src/report.ts). */
export const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

/** Writes results/<name>.json (pretty JSON plus a newline) and returns its path. */
export async function writeResult(name: string, data: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`, 'utf8');
  return file;
}

/** The `exo` bin of apps/exo, run with this Node as a user would run it. */
export const EXO_BIN = join(
  dirname(createRequire(import.meta.url).resolve('@exo-connect/exo/package.json')),
  'bin',
  'run.js',
);

/**
 * An environment for a spawned `exo` (and the pwsh processes under it) that touches nothing of the real
 * user's: HOME, the XDG directories, the config directory and the sandbox tenant all live under `home`.
 * EXO_PWSH is fixed first, because the dotnet global tool is found through the real HOME.
 */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const pwsh = testPwsh();
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'LANG', 'LC_ALL', 'TZ', 'DOTNET_ROOT', 'SYSTEMROOT', 'TERM']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return {
    ...base,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TMPDIR: join(home, 'tmp'),
    EXO_PWSH: pwsh,
    EXO_CONFIG_DIR: join(home, 'config'),
    EXO_SANDBOX_DIR: join(home, 'tenant'),
    NO_COLOR: '1',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    POWERSHELL_TELEMETRY_OPTOUT: '1',
    ...extra,
  };
}

/** Creates the directories isolatedEnv() names (TMPDIR must exist before Node or pwsh use it). */
export async function prepareIsolatedHome(home: string): Promise<void> {
  await mkdir(join(home, 'tmp'), { recursive: true });
}

export interface ExoResult {
  /** Exit code; null when the process ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
  /** True when the process had to be killed after timeoutMs. */
  timedOut: boolean;
}

export interface ExoRunOptions {
  env: Record<string, string>;
  /** Written to stdin, which is then closed. Default: stdin closed at once. */
  input?: string | Buffer;
  /** Killed (SIGKILL) after this long. Default 120 s. */
  timeoutMs?: number;
  /** Called once the process is spawned, e.g. to watch /proc while it runs. */
  onSpawn?: (child: ChildProcess) => void;
  /** Another Node script to run the same way instead of the exo bin (e.g. a library user). */
  script?: string;
}

/** Spawns `node bin/run.js …args` (or `node <script> …args`) with exactly `env` and no shell. */
export function spawnExo(
  args: readonly string[],
  env: Record<string, string>,
  script = EXO_BIN,
): ChildProcess {
  return spawn(process.execPath, [script, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs `exo …args` to completion and collects its output. */
export function runExo(args: readonly string[], options: ExoRunOptions): Promise<ExoResult> {
  return new Promise((resolve, reject) => {
    const child = spawnExo(args, options.env, options.script);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin?.on('error', () => undefined);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        pid: child.pid ?? -1,
        timedOut,
      });
    });
    options.onSpawn?.(child);
    child.stdin?.end(options.input ?? '');
  });
}

// ---- /proc (the scans live in @exo-connect/test-utils) ----

export {
  allPids,
  descendantsOf,
  processArgv,
  processEnviron,
  processesWithEnv,
  readProc,
  waitFor,
} from '@exo-connect/test-utils';

// ---- byte scans ----

export type SecretEncoding = 'utf8' | 'utf16le';

/** The encodings in which `needle` occurs in `haystack` (UTF-8 and UTF-16LE, as Windows and .NET write). */
export function findSecret(haystack: Buffer | string, needle: string): SecretEncoding[] {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  const found: SecretEncoding[] = [];
  if (bytes.includes(Buffer.from(needle, 'utf8'))) found.push('utf8');
  if (bytes.includes(Buffer.from(needle, 'utf16le'))) found.push('utf16le');
  return found;
}

export interface TreeScan {
  files: number;
  bytes: number;
  /** Files that contain the needle, with the encodings found. */
  hits: Array<{ file: string; encodings: SecretEncoding[] }>;
}

/** Scans every regular file under `dir` (following no symlinks) for `needle`. A missing dir scans nothing. */
export async function scanTree(dir: string, needle: string): Promise<TreeScan> {
  const result: TreeScan = { files: 0, bytes: 0, hits: [] };
  const walk = async (path: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        let data: Buffer;
        try {
          data = await readFile(full);
        } catch {
          continue; // removed meanwhile (a lock or temporary file)
        }
        result.files++;
        result.bytes += data.length;
        const encodings = findSecret(data, needle);
        if (encodings.length) result.hits.push({ file: full, encodings });
      }
    }
  };
  if (await stat(dir).catch(() => undefined)) await walk(dir);
  return result;
}

// ---- sandbox tenant (the harness lives in @exo-connect/test-utils) ----

export type TestTenant = SandboxTestTenant<typeof sandbox, ConnectOptions>;
export type TenantView = SandboxTenantView<typeof sandbox, ConnectOptions>;

/** A view of the sandbox tenant in `directory`: connect options, status, and the pwsh processes using it. */
export const tenantAt = (directory: string): TenantView =>
  sandboxTenantAt<typeof sandbox, ConnectOptions>(sandbox, directory);

/** A fresh sandbox tenant in a temporary directory (remove() deletes it). */
export const createTestTenant = (mailboxCount = 10): Promise<TestTenant> =>
  createSandboxTenant<typeof sandbox, ConnectOptions>(sandbox, { mailboxCount, prefix: 'exo-rel-tenant-' });
