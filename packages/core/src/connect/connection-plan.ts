import type { EnvironmentDefinition } from '@exo-connect/env-endpoints';
import { getEnvironment, validateEnvironment } from '@exo-connect/env-endpoints';
import type { ProxyOptionsInput } from '@exo-connect/proxy-config';
import { type Credential, parseCredential } from './options.js';
import { type PlannedCommand, STRATEGIES, type StrategyName } from './strategies/index.js';

export interface ConnectionPlanInput {
  /** An environment id or alias, or a definition. */
  environment: string | EnvironmentDefinition;
  strategy?: StrategyName;
  connectionUri?: string;
  allowRetired?: boolean;
  credential?: Credential;
  proxy?: ProxyOptionsInput;
  commandNames?: string[];
  prefix?: string;
  skipLoadingFormatData?: boolean;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

/** A step's command, and which step it belongs to. */
export interface PlanStep extends PlannedCommand {
  step: 'session' | 'import';
}

/**
 * A connection's steps as data, for every host that runs them: the engine's pwsh host, and `exo shell`'s
 * interactive pwsh. Each command is one of the fixed functions of `connectionStepsScript()`; its parameters
 * are values, and secrets appear in them only as references (`{ $exoSecret: name }`) whose values are in
 * `secrets`. A plan that has a credential holds it: never log or print one.
 */
export interface ConnectionPlan {
  environment: string;
  strategy: StrategyName;
  /** The environment's remote PowerShell endpoint is retired: "Access is denied" then means RPS_RETIRED. */
  rpsRetired: boolean;
  /** Modules to load before the session step (an environment's prelude, e.g. the sandbox). */
  prelude: string[];
  /** The session and import steps, in order. */
  connect: PlanStep[];
  /** What removes the session. */
  disconnect: PlannedCommand[];
  /** Found while planning (a proxy setting that does not apply, …): show them to the user. */
  warnings: string[];
}

/** Plans a connection without starting anything; throws the same INVALID_ARGUMENT as connect() would. */
export function connectionPlan(input: ConnectionPlanInput): ConnectionPlan {
  const environment =
    typeof input.environment === 'string'
      ? getEnvironment(input.environment, { allowRetired: input.allowRetired })
      : validateEnvironment(input.environment);
  const strategyName = input.strategy ?? environment.defaultStrategy;
  const ctx = {
    environment,
    strategy: strategyName,
    connectionUri: input.connectionUri,
    credential: input.credential === undefined ? undefined : parseCredential(input.credential),
    proxy: input.proxy,
    commandNames: input.commandNames,
    prefix: input.prefix,
    skipLoadingFormatData: input.skipLoadingFormatData,
    env: input.env ?? (process.env as Record<string, string | undefined>),
    platform: input.platform ?? process.platform,
  };
  const strategy = STRATEGIES[strategyName];
  const session = strategy.session(ctx);
  const imported = strategy.import(ctx);
  const disconnect = strategy.disconnect(ctx);
  return {
    environment: environment.id,
    strategy: strategyName,
    rpsRetired: environment.rps?.status.state === 'retired',
    prelude: [...(environment.prelude?.modules ?? [])],
    connect: [
      ...session.commands.map((c) => ({ ...c, step: 'session' as const })),
      ...imported.commands.map((c) => ({ ...c, step: 'import' as const })),
    ],
    disconnect: disconnect.commands,
    warnings: [...session.warnings, ...imported.warnings, ...disconnect.warnings],
  };
}
