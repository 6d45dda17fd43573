import {
  type ConnectionPlan,
  type ConnectionPlanInput,
  connectionPlan,
  connectionStepsScript,
  type ParameterValue,
  type SecretValue,
} from '@exo-connect/core';

/** A plan's command as the shell runs it: a fixed function and its values; secrets only by reference. */
export interface ShellCommand {
  step?: 'session' | 'import';
  command: string;
  parameters: Record<string, ParameterValue>;
}

/**
 * Everything shell-startup.ps1 needs, sent to it once as JSON over the private channel: core's connection
 * plan (the same steps the engine runs), the fixed functions that run it, and the secrets its parameters
 * refer to. Holds the password: never log or print it.
 */
export interface ShellMessage {
  label: string;
  quiet: boolean;
  /** Run stdin as one script instead of prompting (stdin is not a terminal). */
  stdinScript: boolean;
  /** The environment's remote PowerShell endpoint is retired: "Access is denied" then means RPS_RETIRED. */
  rpsRetired: boolean;
  prelude: string[];
  connect: ShellCommand[];
  disconnect: ShellCommand[];
  secrets: Record<string, SecretValue>;
  /** core's connectionStepsScript(): fixed text, the functions the commands name. */
  steps: string;
}

export interface ShellMessageInput extends ConnectionPlanInput {
  label: string;
  quiet: boolean;
  stdinScript?: boolean;
}

/** The shell's start-up message and the plan's warnings (to show before the shell starts). */
export function shellMessage(input: ShellMessageInput): { message: ShellMessage; warnings: string[] } {
  const { label, quiet, stdinScript, ...planInput } = input;
  const plan: ConnectionPlan = connectionPlan(planInput);
  const secrets: Record<string, SecretValue> = {};
  const strip = (c: ConnectionPlan['disconnect'][number]): ShellCommand => {
    Object.assign(secrets, c.secrets);
    return { command: c.command, parameters: c.parameters };
  };
  return {
    message: {
      label,
      quiet,
      stdinScript: stdinScript ?? false,
      rpsRetired: plan.rpsRetired,
      prelude: plan.prelude,
      connect: plan.connect.map((c) => ({ step: c.step, ...strip(c) })),
      disconnect: plan.disconnect.map(strip),
      secrets,
      steps: connectionStepsScript(),
    },
    warnings: plan.warnings,
  };
}
