import { type FindPwshOptions, findPwsh, pwshCandidates } from '@exo-connect/pwsh';
import { SandboxError } from './errors/sandbox-error.js';

export interface ResolvePwshOptions extends FindPwshOptions {
  /** The pwsh executable to use; skips the search. */
  pwsh?: string;
}

/**
 * The pwsh the tenant API runs: `options.pwsh`, else @exo-connect/pwsh's search (EXO_PWSH, else `pwsh` on
 * PATH, else the .NET global tool in ~/.dotnet/tools). Explicit choices are taken as given; only the search
 * checks that a file is executable.
 */
export function resolvePwsh(options: ResolvePwshOptions = {}): string {
  if (options.pwsh) return options.pwsh;
  const found = findPwsh(options);
  if (found) return found.path;
  throw new SandboxError(
    'PWSH_NOT_FOUND',
    'PowerShell 7 (pwsh) was not found on PATH or in ~/.dotnet/tools.',
    {
      details: { searched: pwshCandidates(options).map((c) => c.path) },
    },
  );
}
