import { runPlan } from './run-plan.js';
import type { StepContext, StepResult } from './step-context.js';

/** Opens the remote session (New-PSSession, or Connect-ExchangeOnline) as the strategy plans it. */
export async function sessionStep(ctx: StepContext): Promise<StepResult> {
  await runPlan(ctx, ctx.strategy.session(ctx.plan));
  return {};
}
