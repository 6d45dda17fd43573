import { formatRatio } from '../format.js';
import {
  compare,
  measurement,
  medianOf,
  type ScenarioRun,
  STATES,
  type TimedConnect,
  timedConnect,
} from './common.js';

/** Scenario 6: connect to ready through the stand-in ExchangeOnlineManagement module vs rps. */
export const moduleStrategy: ScenarioRun = async (ctx, result) => {
  const { warmup, reps } = ctx.options.module;
  result.parameters = { repetitions: reps, warmup };
  const tenant = await ctx.tenant('module', 50);
  const runs: Record<
    'rps' | 'module',
    Array<{ ready: number; disconnect: number; states: TimedConnect['states'] }>
  > = {
    rps: [],
    module: [],
  };
  for (let round = 0; round < warmup + reps; round++) {
    const order = round % 2 === 0 ? (['module', 'rps'] as const) : (['rps', 'module'] as const);
    for (const strategy of order) {
      const c = await timedConnect(ctx, tenant, { strategy });
      const disconnect = await c.close();
      if (round >= warmup) runs[strategy].push({ ready: c.readyMs, disconnect, states: c.states });
    }
    ctx.log(`  round ${round + 1}/${warmup + reps}`);
  }
  const ready = (s: 'rps' | 'module') => runs[s].map((r) => r.ready);
  result.measurements.push(
    measurement('module', 'connect({ strategy: "module" }) → ready', 'ms', 'lower', ready('module')),
    measurement('rps', 'connect({ strategy: "rps" }) → ready', 'ms', 'lower', ready('rps')),
    measurement(
      'module-disconnect',
      'module: disconnect()',
      'ms',
      'lower',
      runs.module.map((r) => r.disconnect),
    ),
    measurement(
      'rps-disconnect',
      'rps: disconnect()',
      'ms',
      'lower',
      runs.rps.map((r) => r.disconnect),
    ),
  );
  const c = compare(
    'module ÷ rps (to ready)',
    { id: 'module', rounds: ready('module') },
    { id: 'rps', rounds: ready('rps') },
  );
  result.comparisons.push(c);
  for (const strategy of ['module', 'rps'] as const) {
    for (const state of STATES) {
      result.profile.push({
        label: `${strategy}: ${state}`,
        value: medianOf(runs[strategy], (r) => r.states[state]),
        unit: 'ms',
      });
    }
  }
  result.notes.push(
    `No target in the issue: the module strategy took ${c.medianRatio === undefined ? '–' : formatRatio(c.medianRatio)} the rps time to ready. Its session state is Connect-ExchangeOnline of the stand-in module, which itself opens a sandbox session and imports it.`,
  );
};
