import { runCommand } from '../run-command.js';
import type { StepPlan } from '../strategies/index.js';
import { type StepContext, transportOf } from './step-context.js';

/** Runs a step's planned commands in order; returns the last one's output. */
export async function runPlan(ctx: StepContext, plan: StepPlan): Promise<unknown[]> {
  for (const warning of plan.warnings) ctx.emit({ type: 'warning', message: warning });
  let output: unknown[] = [];
  for (const planned of plan.commands) {
    output = await runCommand(transportOf(ctx), planned.command, planned.parameters, {
      secrets: planned.secrets,
      signal: ctx.signal,
      emit: ctx.emit,
      classify: planned.classify,
    });
  }
  return output;
}
