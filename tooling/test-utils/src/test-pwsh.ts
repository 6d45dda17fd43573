import { findPwsh } from '@exo-connect/pwsh';

/**
 * The pwsh that tests run. It never returns "skip": tests that need PowerShell fail loudly
 * when it is missing, in CI and locally alike. It is @exo-connect/pwsh's search without a probe
 * (EXO_PWSH, PATH, ~/.dotnet/tools): the product's full check (version, dotnet-tool shim → real
 * process) is locatePwsh; tests of packages below core only need an executable.
 */
export function testPwsh(): string {
  const found = findPwsh();
  if (!found) {
    throw new Error(
      'PowerShell 7 (pwsh) was not found on PATH or in ~/.dotnet/tools. Run `bash tooling/setup/bootstrap.sh` ' +
        'from the repository root, or set EXO_PWSH to the pwsh executable.',
    );
  }
  return found.path;
}
