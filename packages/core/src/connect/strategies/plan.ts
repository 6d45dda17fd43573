import type { EnvironmentDefinition } from '@exo-connect/env-endpoints';
import type { ProxyOptionsInput } from '@exo-connect/proxy-config';
import type { ParameterValue } from '../../bridge/encode-request.js';
import type { SecretValue } from '../../bridge/pwsh-bridge.js';
import type { ClassifyContext } from '../../errors/classify-error.js';
import type { Credential } from '../options.js';

export type StrategyName = 'rps' | 'module' | 'rest';

/** What a strategy needs to know to plan a step: the connection's settings, never its live state. */
export interface PlanContext {
  environment: EnvironmentDefinition;
  strategy: StrategyName;
  connectionUri?: string;
  credential?: Credential;
  proxy?: ProxyOptionsInput;
  commandNames?: string[];
  prefix?: string;
  skipLoadingFormatData?: boolean;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** rest: where delegated sign-ins persist their token cache between processes. */
  tokenCache?: import('../options.js').TokenCacheStore;
}

/**
 * One command of a step as data: a fixed bridge function, its parameters (secrets only as references,
 * `{ $exoSecret: name }`), the secrets' values to hand over when the host asks, and how to read its errors.
 */
export interface PlannedCommand {
  command: string;
  parameters: Record<string, ParameterValue>;
  secrets: Record<string, SecretValue>;
  classify?: ClassifyContext;
}

/** A step's commands, run in order, and the warnings found while planning them (proxy settings, say). */
export interface StepPlan {
  commands: PlannedCommand[];
  warnings: string[];
}

export interface ConnectionStrategy {
  /** False when the import reports no progress of its own, so the step reports its end. */
  readonly importReportsProgress: boolean;
  /** False for rest: no PowerShell host, so no execution policy and no prelude modules. */
  readonly runsPowerShell: boolean;
  /** What the credential step runs once it has the credential (rest: get the first token). */
  credential?(ctx: PlanContext): StepPlan;
  session(ctx: PlanContext): StepPlan;
  import(ctx: PlanContext): StepPlan;
  /** The command surface: what the import's last command says the session exported. */
  imported(ctx: PlanContext, output: unknown[]): string[];
  disconnect(ctx: PlanContext): StepPlan;
}

export function planOf(...commands: PlannedCommand[]): StepPlan {
  return { commands, warnings: [] };
}
