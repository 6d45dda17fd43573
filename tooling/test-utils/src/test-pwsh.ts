import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const exe = process.platform === 'win32' ? 'pwsh.exe' : 'pwsh';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The pwsh that tests run. It never returns "skip": tests that need PowerShell fail loudly
 * when it is missing, in CI and locally alike. The product's own resolution (version check,
 * dotnet-tool shim → real process) lives in @exo-connect/core's locatePwsh; tests of packages
 * below core only need an executable, found the same way the setup step installs it.
 */
export function testPwsh(): string {
  const fromEnv = process.env.EXO_PWSH;
  if (fromEnv) return fromEnv;
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, exe)),
    join(homedir(), '.dotnet', 'tools', exe),
  ];
  const found = candidates.find(executable);
  if (!found) {
    throw new Error(
      'PowerShell 7 (pwsh) was not found on PATH or in ~/.dotnet/tools. Run `bash tooling/setup/bootstrap.sh` ' +
        'from the repository root, or set EXO_PWSH to the pwsh executable.',
    );
  }
  return found;
}
