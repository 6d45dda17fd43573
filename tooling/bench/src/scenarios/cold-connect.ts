import { locatePwsh, type ParameterValue, PwshBridge } from '@exo-connect/core';
import { SANDBOX_EXO_MODULE_PATH, SANDBOX_MODULE_PATH } from '@exo-connect/sandbox';
import type { BenchContext, Tenant } from '../context.js';
import { formatRatio } from '../format.js';
import { FLOOR_CONNECT_SCRIPT, RAW_CONNECT_SCRIPT } from '../runtime/paths.js';
import { assertSucceeded, runProcess } from '../runtime/run-process.js';
import { evaluateTarget } from '../targets.js';
import {
  compare,
  inTurn,
  measurement,
  medianOf,
  now,
  type ScenarioRun,
  type TimedConnect,
  timedConnect,
} from './common.js';

interface RawRun {
  readyMs: number;
  exitMs: number;
  /** The script's own stopwatch: pwsh start until the script ran, then each step. */
  startup: number;
  credentialAndModule: number;
  session: number;
  import: number;
  remove: number;
}

/** The documented steps in `pwsh -NoProfile -File`, timed by Node (spawn → "ready" line, spawn → exit). */
export async function rawScript(ctx: BenchContext, tenant: Tenant, resultSize = 0) {
  const args = ['-NoProfile', '-File', RAW_CONNECT_SCRIPT, '-SandboxModule', SANDBOX_MODULE_PATH];
  if (resultSize > 0) args.push('-ResultSize', String(resultSize));
  const run = await runProcess(ctx.resources, ctx.pwsh.executable, args, {
    env: tenant.env,
    input: `${ctx.credential.userPrincipalName}\n${ctx.credential.password}\n`,
    timeoutMs: 180_000,
  });
  assertSucceeded(run, 'the raw pwsh script');
  return run;
}

function rawTimings(run: Awaited<ReturnType<typeof rawScript>>): RawRun {
  const { marks, inner } = run;
  const need = (name: string) => {
    const v = inner[name];
    if (v === undefined || marks[name] === undefined)
      throw new Error(`the raw script printed no "${name}" mark`);
    return v;
  };
  return {
    readyMs: marks.ready ?? Number.NaN,
    exitMs: run.wallMs,
    // Node saw "start" this long after spawning; the script's clock started just before.
    startup: (marks.start ?? 0) - need('start'),
    credentialAndModule: need('module') - need('start'),
    session: need('session') - need('module'),
    import: need('ready') - need('session'),
    remove: need('removed') - need('ready'),
  };
}

async function drain(bridge: PwshBridge, command: string, parameters: Record<string, ParameterValue> = {}) {
  const requests = bridge.request(command, parameters);
  let step = await requests.next();
  while (!step.done) {
    if (step.value.t === 'e') throw new Error(`${command}: ${step.value.message}`);
    step = await requests.next();
  }
}

/**
 * The engine's policy step taken apart with the exported PwshBridge: start the host (node-powershell
 * spawn, bridge script, side channel), the policy query, then the sandbox prelude's two Import-Modules.
 */
async function policyParts(ctx: BenchContext, tenant: Tenant) {
  const t0 = now();
  const bridge = await PwshBridge.start({ info: ctx.pwsh, env: tenant.env });
  const undo = ctx.resources.defer(() => bridge.close());
  try {
    const t1 = now();
    await drain(bridge, 'Get-ExoExecutionPolicy');
    const t2 = now();
    await drain(bridge, 'Import-ExoPrelude', { Module: [SANDBOX_MODULE_PATH] });
    const t3 = now();
    await drain(bridge, 'Import-ExoPrelude', { Module: [SANDBOX_EXO_MODULE_PATH] });
    const t4 = now();
    return { hostStart: t1 - t0, policy: t2 - t1, sandboxModule: t3 - t2, exoModule: t4 - t3 };
  } finally {
    await bridge.close();
    undo();
  }
}

/** Scenario 1: connect() to ready vs the raw script vs the floor, side by side in alternating order. */
export const coldConnect: ScenarioRun = async (ctx, result) => {
  const { warmup, reps } = ctx.options.connect;
  result.parameters = { repetitions: reps, warmup, mailboxes: 50 };
  const tenant = await ctx.tenant('connect', 50);

  const exo: Array<{ ready: number; cycle: number; states: TimedConnect['states']; disconnect: number }> = [];
  const raw: RawRun[] = [];
  for (let round = 0; round < warmup + reps; round++) {
    const measured = round >= warmup;
    const runExo = async () => {
      const c = await timedConnect(ctx, tenant);
      const disconnect = await c.close();
      if (measured)
        exo.push({ ready: c.readyMs, cycle: c.readyMs + disconnect, states: c.states, disconnect });
    };
    const runRaw = async () => {
      const r = rawTimings(await rawScript(ctx, tenant));
      if (measured) raw.push(r);
    };
    // Alternate who goes first, so neither side always follows the other's leftovers.
    await inTurn(round, runExo, runRaw);
    ctx.log(`  round ${round + 1}/${warmup + reps}${measured ? '' : ' (warm-up)'}`);
  }

  const floorRun = await runProcess(
    ctx.resources,
    ctx.pwsh.executable,
    [
      '-NoProfile',
      '-File',
      FLOOR_CONNECT_SCRIPT,
      '-SandboxModule',
      SANDBOX_MODULE_PATH,
      '-Warmup',
      String(warmup),
      '-Repetitions',
      String(reps),
    ],
    {
      env: tenant.env,
      input: `${ctx.credential.userPrincipalName}\n${ctx.credential.password}\n`,
      timeoutMs: 600_000,
    },
  );
  assertSucceeded(floorRun, 'the floor script');
  const floor = JSON.parse(floorRun.stdout.trim().split('\n').pop() ?? '{}') as {
    total: number[];
    session: number[];
    import: number[];
  };

  // What the engine's policy step spends: locating pwsh (a probe that starts pwsh once more; connect() pays
  // it only the first time on a machine, after which the answer is cached), then the host start and the
  // prelude, each measured apart.
  const probes: number[] = [];
  const parts: Array<Awaited<ReturnType<typeof policyParts>>> = [];
  for (let i = 0; i < Math.min(3, reps); i++) {
    const t = now();
    await locatePwsh({ env: tenant.env });
    probes.push(now() - t);
    parts.push(await policyParts(ctx, tenant));
  }

  const exoReady = exo.map((r) => r.ready);
  const rawReady = raw.map((r) => r.readyMs);
  result.measurements.push(
    measurement('exo-ready', 'connect() → ready (engine)', 'ms', 'lower', exoReady),
    measurement('raw-ready', 'raw pwsh -File script → "ready" line', 'ms', 'lower', rawReady, {
      note: 'from spawn until the script printed its mark after Import-PSSession',
    }),
    measurement(
      'floor',
      'floor: New-PSSession + Import-PSSession inside one pwsh',
      'ms',
      'lower',
      floor.total,
      {
        note: 'stopwatch inside a warm pwsh with the module loaded: no process start, no Node',
      },
    ),
    measurement(
      'exo-cycle',
      'connect() + disconnect() (engine)',
      'ms',
      'lower',
      exo.map((r) => r.cycle),
    ),
    measurement(
      'raw-cycle',
      'raw script, spawn → exit (incl. Remove-PSSession)',
      'ms',
      'lower',
      raw.map((r) => r.exitMs),
    ),
  );
  const toReady = compare(
    'connect() ÷ raw script (to ready)',
    { id: 'exo-ready', rounds: exoReady },
    { id: 'raw-ready', rounds: rawReady },
  );
  result.comparisons.push(
    toReady,
    compare(
      'connect() ÷ floor',
      { id: 'exo-ready', rounds: exoReady },
      { id: 'floor', rounds: floor.total },
      false,
    ),
    compare(
      'connect + disconnect ÷ raw script (spawn → exit)',
      { id: 'exo-cycle', rounds: exo.map((r) => r.cycle) },
      { id: 'raw-cycle', rounds: raw.map((r) => r.exitMs) },
    ),
  );
  result.targets.push(
    evaluateTarget(
      'connect() ≤ 1.10× the raw pwsh script (to ready)',
      toReady.medianRatio,
      'atMost',
      1.1,
      formatRatio,
    ),
  );

  result.profile.push(
    {
      label: 'engine: before the first state (options, limiter)',
      value: medianOf(exo, (r) => r.states.start),
      unit: 'ms',
    },
    {
      label: 'engine: policy (locate pwsh, start the host, bridge, prelude Import-Module)',
      value: medianOf(exo, (r) => r.states.policy),
      unit: 'ms',
    },
    {
      label: '  locatePwsh() without its cache: a probe pwsh',
      value: medianOf(probes, (p) => p),
      unit: 'ms',
      note: `measured apart, ${probes.length} runs; connect() uses the cached answer, so only a machine's first connect pays it`,
    },
    {
      label: '  host start: spawn, bridge script, side channel',
      value: medianOf(parts, (p) => p.hostStart),
      unit: 'ms',
      note: 'measured apart',
    },
    {
      label: '  Get-ExoExecutionPolicy',
      value: medianOf(parts, (p) => p.policy),
      unit: 'ms',
      note: 'measured apart; connect() asks the host only on Windows',
    },
    {
      label: '  prelude: Import-Module ExoSandbox',
      value: medianOf(parts, (p) => p.sandboxModule),
      unit: 'ms',
      note: 'measured apart',
    },
    {
      label: '  prelude: Import-Module ExchangeOnlineManagement (stand-in)',
      value: medianOf(parts, (p) => p.exoModule),
      unit: 'ms',
      note: 'measured apart; connect() loads it only for the module strategy',
    },
    { label: 'engine: credential', value: medianOf(exo, (r) => r.states.credential), unit: 'ms' },
    { label: 'engine: session (New-PSSession)', value: medianOf(exo, (r) => r.states.session), unit: 'ms' },
    { label: 'engine: import (Import-PSSession)', value: medianOf(exo, (r) => r.states.import), unit: 'ms' },
    { label: 'engine: disconnect', value: medianOf(exo, (r) => r.disconnect), unit: 'ms' },
    { label: 'raw: pwsh start until the script runs', value: medianOf(raw, (r) => r.startup), unit: 'ms' },
    {
      label: 'raw: read credential + Import-Module ExoSandbox',
      value: medianOf(raw, (r) => r.credentialAndModule),
      unit: 'ms',
    },
    { label: 'raw: New-PSSession', value: medianOf(raw, (r) => r.session), unit: 'ms' },
    { label: 'raw: Import-PSSession', value: medianOf(raw, (r) => r.import), unit: 'ms' },
    { label: 'raw: Remove-PSSession', value: medianOf(raw, (r) => r.remove), unit: 'ms' },
    { label: 'floor: New-PSSession', value: medianOf(floor.session, (p) => p), unit: 'ms' },
    { label: 'floor: Import-PSSession', value: medianOf(floor.import, (p) => p), unit: 'ms' },
  );
};
