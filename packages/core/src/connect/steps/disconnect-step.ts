import { runPlan } from './run-plan.js';
import type { StepContext, StepResult } from './step-context.js';

/**
 * Removes the session when one is held, then ends the host. A failed removal is a warning: ending the host
 * drops the session with it.
 */
export async function disconnectStep(ctx: StepContext): Promise<StepResult> {
  ctx.stopCommands();
  const host = ctx.transport;
  if (ctx.holdsSession && host?.alive) {
    try {
      await runPlan(ctx, ctx.strategy.disconnect(ctx.plan));
    } catch (error) {
      ctx.emit({ type: 'warning', message: `Removing the session failed: ${(error as Error).message}` });
    }
  }
  await host?.close(5_000);
  return {};
}
