import { ExoError } from '../../errors/exo-error.js';
import { runCommand } from '../run-command.js';
import type { StepContext, StepResult } from './step-context.js';

interface PolicyScope {
  Scope: string;
  Policy: string;
}

/** Group Policy's scopes override every other: a Restricted or AllSigned one there cannot be bypassed. */
export function enforcedPolicy(scopes: readonly PolicyScope[]): PolicyScope | undefined {
  return scopes.find(
    (s) =>
      (s.Scope === 'MachinePolicy' || s.Scope === 'UserPolicy') && /^(Restricted|AllSigned)$/i.test(s.Policy),
  );
}

export function groupPolicyError(enforced: PolicyScope): ExoError {
  return new ExoError(
    'EXECUTION_POLICY',
    `Group Policy enforces the execution policy ${enforced.Policy} (${enforced.Scope}): running scripts is disabled on this system.`,
    {
      remediation:
        'Group Policy overrides every other scope, so exo-connect cannot bypass it. Ask your administrator to allow RemoteSigned scripts.',
    },
  );
}

/**
 * Starts the host (with the process-scope policy Bypass on Windows), checks the execution policy, and loads
 * the environment's prelude modules. The host is the step's result: until the step succeeds the machine does
 * not hold it, so a failure here ends it.
 */
export async function policyStep(ctx: StepContext): Promise<StepResult> {
  const { plan, signal } = ctx;
  if (!ctx.strategy.runsPowerShell) {
    const transport = await ctx.transports.start({ env: plan.env, signal });
    const policy = 'not applicable';
    return {
      transport,
      policy,
      detail: policy,
      notApplicable: `not applicable: the ${plan.strategy} strategy runs no PowerShell`,
    };
  }
  const host = await ctx.transports.start({
    info: ctx.pwsh,
    env: plan.env,
    executionPolicy: 'Bypass',
    signal,
  });
  try {
    signal.throwIfAborted();
    // Execution policy exists only on Windows: elsewhere the host need not be asked (a round trip saved).
    const [found] =
      plan.platform === 'win32'
        ? ((await runCommand(host, 'Get-ExoExecutionPolicy', {}, { signal })) as Array<{
            Applicable: boolean;
            Scopes: PolicyScope[];
          }>)
        : [];
    let policy: string;
    let notApplicable: string | undefined;
    if (!found?.Applicable) {
      policy = 'not applicable';
      notApplicable = `not applicable on ${plan.platform}`;
    } else {
      const enforced = enforcedPolicy(found.Scopes);
      if (enforced) throw groupPolicyError(enforced);
      if (ctx.executionPolicy === 'remoteSigned') {
        await runCommand(host, 'Set-ExoExecutionPolicy', {}, { signal });
        policy = 'RemoteSigned (CurrentUser, persisted)';
      } else {
        policy = 'Bypass (this process only)';
      }
    }
    const modules = plan.environment.prelude?.modules ?? [];
    if (modules.length)
      await runCommand(host, 'Import-ExoPrelude', { Module: modules }, { signal, classify: {} });
    return { transport: host, policy, detail: policy, notApplicable };
  } catch (error) {
    host.kill();
    throw error;
  }
}
