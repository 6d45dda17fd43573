import { fileURLToPath } from 'node:url';

// Resolved from this file, so they hold both from src/ (tests) and from dist/ (the published package).
const at = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/** The directory holding the sandbox's PowerShell modules (shipped in the package as `powershell/`). */
export const SANDBOX_POWERSHELL_DIR = at('../powershell/');

/** The sandbox module: `Import-Module` it, then New-PSSession to the sandbox URI opens a sandbox session. */
export const SANDBOX_MODULE_PATH = at('../powershell/ExoSandbox/ExoSandbox.psd1');

/** The stand-in ExchangeOnlineManagement module, for the `module` strategy against the sandbox. */
export const SANDBOX_EXO_MODULE_PATH = at(
  '../powershell/ExchangeOnlineManagement/ExchangeOnlineManagement.psd1',
);

/** The script the TypeScript API runs: one JSON request on stdin, one JSON envelope on stdout. */
export const SANDBOX_INVOKE_SCRIPT_PATH = at('../powershell/invoke-sandbox.ps1');

/** How the sandbox runs one of its scripts in a fresh pwsh: no profile, no prompts, scripts allowed (Windows). */
export function pwshScriptArgs(script: string, ...args: string[]): string[] {
  return ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', script, ...args];
}
