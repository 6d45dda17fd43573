import { SANDBOX_PERSONAS } from '../../constants.js';
import type { CallerIdentity } from '../contracts.js';

/**
 * The sandbox's small RBAC model. The service exports to each caller only the cmdlets its role groups allow
 * (EXOModuleFile's exportedCmdlets) and answers a bare 403 when one outside them is invoked.
 */
export type SandboxRole = 'Organization Management' | 'View-Only Organization Management' | 'None';

/** Delegated permission of the Exchange Online PowerShell client (`scp`). */
export const DELEGATED_SCOPE = 'Exchange.Manage';
/** Application permission of app-only sign-ins (`roles`). */
export const APP_ROLE = 'Exchange.ManageAsApp';
/**
 * A signed-in admin with only View-Only Organization Management: Get-* cmdlets and nothing else. The tenant's
 * generator gives this account the same role group (RoleGroups.ViewOnly), from which the PSSession face picks
 * ExoSandbox.Server.ViewOnly.pssc, whose visible functions are the Get- ones: both faces follow this rule.
 */
export const VIEW_ONLY_PERSONA = SANDBOX_PERSONAS.viewonly.userPrincipalName;

const includesIgnoringCase = (values: readonly string[], wanted: string) =>
  values.some((value) => value.toLowerCase() === wanted.toLowerCase());

export function callerRole(caller: CallerIdentity): SandboxRole {
  const delegated = caller.userPrincipalName !== undefined && caller.userPrincipalName !== '';
  if (delegated) {
    if (!includesIgnoringCase(caller.scopes, DELEGATED_SCOPE)) return 'None';
    return caller.userPrincipalName!.toLowerCase() === VIEW_ONLY_PERSONA
      ? 'View-Only Organization Management'
      : 'Organization Management';
  }
  return includesIgnoringCase(caller.roles, APP_ROLE) ? 'Organization Management' : 'None';
}

export function roleAllows(role: SandboxRole, cmdlet: string): boolean {
  if (role === 'Organization Management') return true;
  if (role === 'View-Only Organization Management') return /^get-/i.test(cmdlet);
  return false;
}

export function mayInvoke(caller: CallerIdentity, cmdlet: string): boolean {
  return roleAllows(callerRole(caller), cmdlet);
}

/** The given cmdlets this caller may run, in their order. */
export function allowedCmdlets(caller: CallerIdentity, cmdlets: readonly string[]): string[] {
  const role = callerRole(caller);
  return cmdlets.filter((cmdlet) => roleAllows(role, cmdlet));
}
