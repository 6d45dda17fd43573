import { moduleStrategy } from './module.js';
import type { ConnectionStrategy, StrategyName } from './plan.js';
import { restStrategy } from './rest.js';
import { rps } from './rps.js';

export const STRATEGIES: Record<StrategyName, ConnectionStrategy> = {
  rps,
  module: moduleStrategy,
  rest: restStrategy,
};
export type { ConnectionStrategy, PlanContext, PlannedCommand, StepPlan, StrategyName } from './plan.js';
