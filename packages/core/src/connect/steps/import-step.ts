import { runPlan } from './run-plan.js';
import type { StepContext, StepResult } from './step-context.js';

/** Imports the session's commands; what the session exported becomes the connection's command surface. */
export async function importStep(ctx: StepContext): Promise<StepResult> {
  const output = await runPlan(ctx, ctx.strategy.import(ctx.plan));
  const commands = ctx.strategy.imported(ctx.plan, output);
  if (!ctx.strategy.importReportsProgress) {
    ctx.emit({
      type: 'progress',
      activity: 'Importing cmdlets',
      status: 'done',
      percent: 100,
      completed: true,
    });
  }
  return { commands, detail: `${commands.length} commands` };
}
