#!/usr/bin/env node
// Makes PowerShell 7 (pwsh >= 7.6.5) available for exo-connect.
// Order: EXO_PWSH, then pwsh on PATH, then the .NET global tool in ~/.dotnet/tools; when none is new
// enough and `dotnet` exists, install (or update) the PowerShell global tool; otherwise explain how to
// install PowerShell by hand. Runs before the workspace is built, so it depends on nothing but Node.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MINIMUM = '7.6.5';
export const TOOL_VERSION = '7.6.9';
const exe = process.platform === 'win32' ? 'pwsh.exe' : 'pwsh';
const toolDir = join(homedir(), '.dotnet', 'tools');

export function compareVersions(a, b) {
  const pa = a.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function candidates(env = process.env) {
  if (env.EXO_PWSH) return [{ path: env.EXO_PWSH, source: 'EXO_PWSH' }];
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => ({ path: join(dir, exe), source: 'PATH' }));
  return [...onPath, { path: join(toolDir, exe), source: 'dotnet global tool' }].filter((c) =>
    isExecutable(c.path),
  );
}

/** Asks a pwsh for its version and for the process that really runs it (the dotnet tool shim starts a child). */
export function probe(path) {
  const script =
    "[Console]::Out.WriteLine(($PSVersionTable.PSVersion.ToString(), [Environment]::ProcessPath, $PSHOME) -join '|')";
  const result = spawnSync(path, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', script], {
    encoding: 'utf8',
    env: { ...process.env, TERM: 'dumb', NO_COLOR: '1' },
    timeout: 60_000,
  });
  if (result.status !== 0 || !result.stdout) return undefined;
  const [version, processPath, psHome] = result.stdout.trim().split('|');
  return { version, processPath, psHome };
}

function findUsable() {
  for (const candidate of candidates()) {
    const info = probe(candidate.path);
    if (info && compareVersions(info.version, MINIMUM) >= 0) return { ...candidate, ...info };
    if (info) console.log(`  pwsh ${info.version} at ${candidate.path} is older than ${MINIMUM}`);
    else console.log(`  ${candidate.path} (${candidate.source}) did not answer as pwsh`);
  }
  return undefined;
}

function hasDotnet() {
  return spawnSync('dotnet', ['--version'], { encoding: 'utf8' }).status === 0;
}

const MANUAL = `PowerShell 7 (pwsh >= ${MINIMUM}) is needed and could not be installed automatically.
Install it, then run this step again (or set EXO_PWSH to the pwsh executable):
  Linux:   https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux
           (Debian/Ubuntu: Microsoft's apt repository, package "powershell"), or with the .NET SDK:
           dotnet tool install --global PowerShell --version ${TOOL_VERSION}
  macOS:   brew install --cask powershell
  Windows: winget install --id Microsoft.PowerShell --source winget`;

export function main() {
  console.log(`› checking for PowerShell >= ${MINIMUM}`);
  let found = findUsable();
  if (!found && process.env.EXO_PWSH) {
    console.error(`EXO_PWSH=${process.env.EXO_PWSH} is not a usable pwsh >= ${MINIMUM}.`);
    return 1;
  }
  if (!found) {
    if (!hasDotnet()) {
      console.error(MANUAL);
      return 1;
    }
    const installed = isExecutable(join(toolDir, exe));
    const verb = installed ? 'update' : 'install';
    console.log(`› dotnet tool ${verb} --global PowerShell --version ${TOOL_VERSION}`);
    try {
      execFileSync('dotnet', ['tool', verb, '--global', 'PowerShell', '--version', TOOL_VERSION], {
        stdio: 'inherit',
      });
    } catch {
      console.error(MANUAL);
      return 1;
    }
    found = findUsable();
    if (!found) {
      console.error(MANUAL);
      return 1;
    }
  }
  const real = /dotnet(\.exe)?$/i.test(found.processPath ?? '')
    ? `${found.processPath} (dotnet host; the real pwsh is ${join(found.psHome, exe)})`
    : found.processPath;
  console.log(`✓ pwsh ${found.version} at ${found.path} (${found.source}); process: ${real}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main();
}
