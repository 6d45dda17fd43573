import { readFileSync } from 'node:fs';
import { APPLY_HTTP_PROXY_SCRIPT, NEW_SESSION_OPTION_SCRIPT } from '@exo-connect/proxy-config';

let steps: string | undefined;

/** Wraps a fixed script that has its own param() block as a named function. */
function asFunction(name: string, script: string): string {
  return `\nfunction ${name} {\n${script}\n}\n`;
}

/**
 * The fixed PowerShell functions a connection plan's commands call (Connect-ExoRps, Import-ExoRps,
 * Connect-ExoModule, …; powershell/connection-steps.ps1, with proxy-config's two scripts as
 * New-ExoSessionOption and Set-ExoHttpProxy). Any pwsh that dot-sources this text can run a plan: the
 * engine's worker runspace does, and so does exo shell. It never contains caller data.
 */
export function connectionStepsScript(): string {
  steps ??=
    readFileSync(new URL('../../powershell/connection-steps.ps1', import.meta.url), 'utf8') +
    asFunction('New-ExoSessionOption', NEW_SESSION_OPTION_SCRIPT) +
    asFunction('Set-ExoHttpProxy', APPLY_HTTP_PROXY_SCRIPT);
  return steps;
}
