import type { Connection } from '@exo-connect/core';
import { SANDBOX_MODULE_PATH } from '@exo-connect/sandbox';
import { formatMs, formatRatio } from '../format.js';
import { LineProcess } from '../runtime/line-process.js';
import { NaiveShell } from '../runtime/naive-shell.js';
import { FLOOR_WARM_SCRIPT } from '../runtime/paths.js';
import { cpuTimeMs, serverOf } from '../runtime/procs.js';
import { median, ratio } from '../stats.js';
import { evaluateTarget } from '../targets.js';
import { compare, measurement, now, type ScenarioRun, timedConnect } from './common.js';

const SAFE_IDENTITY = /^[A-Za-z0-9._-]{1,64}$/;

/** An alias from the middle of the tenant, checked to be plain (it is passed to scripts as data anyway). */
export async function pickIdentity(connection: Connection, index = 10): Promise<string> {
  const rows = await connection.invoke<{ Alias: string }>('Get-Mailbox', { ResultSize: index + 1 });
  const alias = rows[index]?.Alias;
  if (!alias || !SAFE_IDENTITY.test(alias)) throw new Error(`unexpected mailbox alias: ${String(alias)}`);
  return alias;
}

/** CPU ms used by Node, the host pwsh and the session server across `fn`, divided by `calls`. */
async function cpuPerCall(pids: { host?: number; server?: number }, calls: number, fn: () => Promise<void>) {
  const node0 = process.cpuUsage();
  const host0 = pids.host ? cpuTimeMs(pids.host) : undefined;
  const server0 = pids.server ? cpuTimeMs(pids.server) : undefined;
  const t = now();
  await fn();
  const wall = now() - t;
  const node = process.cpuUsage(node0);
  const host1 = pids.host ? cpuTimeMs(pids.host) : undefined;
  const server1 = pids.server ? cpuTimeMs(pids.server) : undefined;
  return {
    wall: wall / calls,
    node: (node.user + node.system) / 1000 / calls,
    host: host0 !== undefined && host1 !== undefined ? (host1 - host0) / calls : undefined,
    server: server0 !== undefined && server1 !== undefined ? (server1 - server0) / calls : undefined,
  };
}

/** The in-pwsh floor as a long-running process: connects once, then runs blocks of timed calls on request. */
async function startFloor(ctx: Parameters<ScenarioRun>[0], env: NodeJS.ProcessEnv, identity: string) {
  const floor = LineProcess.start(
    ctx.resources,
    ctx.pwsh.executable,
    ['-NoProfile', '-File', FLOOR_WARM_SCRIPT, '-SandboxModule', SANDBOX_MODULE_PATH, '-Identity', identity],
    env,
  );
  floor.write(ctx.credential.userPrincipalName);
  floor.write(ctx.credential.password);
  const ready = await floor.next().catch((error: Error) => {
    throw new Error(`the in-pwsh floor script ${error.message}`);
  });
  if (ready !== '{"ready":true}') throw new Error(`the in-pwsh floor script said: ${ready.slice(0, 200)}`);
  return {
    async block(n: number): Promise<Record<'console' | 'hostless', { calls: number[]; cpuMs: number }>> {
      floor.write(String(n));
      return JSON.parse(await floor.next());
    },
    close: () => floor.close(),
  };
}

/**
 * Scenario 2: 200 × Get-Mailbox -Identity on an open connection vs node-powershell vs the in-pwsh floor.
 * The three run in alternating blocks of calls, so each block of one meets the same moment of the machine
 * as the neighbouring blocks of the others, without a switch between processes before every call.
 */
export const warmCall: ScenarioRun = async (ctx, result) => {
  const { warmup, calls } = ctx.options.warm;
  const blockSize = Math.max(1, Math.min(20, Math.ceil(calls / 10)));
  const rounds = Math.ceil(calls / blockSize);
  result.parameters = { calls, warmup, 'blocks of': blockSize };
  // Four sessions for one account: the engine's, node-powershell's and the floor's two.
  const tenant = await ctx.tenant('warm', 50, 4);
  const exo = await timedConnect(ctx, tenant, { allowCommands: ['Get-Random'] });
  let naive: NaiveShell | undefined;
  let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
  const undo = ctx.resources.defer(async () => {
    await naive?.close();
    await floor?.close();
  });
  try {
    const identity = await pickIdentity(exo.connection);
    result.parameters.identity = identity;
    naive = await NaiveShell.open({
      executable: ctx.pwsh.executable,
      env: { ...tenant.env, EXO_BENCH_IDENTITY: identity },
      credential: ctx.credential,
      session: true,
    });
    floor = await startFloor(ctx, tenant.env, identity);
    const shell = naive;
    const pwshFloor = floor;

    const exoCall = async () => {
      const rows = await exo.connection.invoke('Get-Mailbox', { Identity: identity });
      if (rows.length !== 1) throw new Error(`invoke returned ${rows.length} mailboxes, expected 1`);
    };
    const naiveCall = async () => {
      const { rows } = await shell.json('Get-Mailbox -Identity $env:EXO_BENCH_IDENTITY');
      if (rows.length !== 1) throw new Error(`node-powershell returned ${rows.length} mailboxes, expected 1`);
    };
    const timed = async (call: () => Promise<void>, n: number) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = now();
        await call();
        ms.push(now() - t);
      }
      return ms;
    };
    await timed(exoCall, warmup);
    await timed(naiveCall, warmup);
    await pwshFloor.block(warmup);

    type Side = 'exo' | 'naive' | 'floor';
    const exoMs: number[] = [];
    const naiveMs: number[] = [];
    const consoleMs: number[] = [];
    const hostlessMs: number[] = [];
    const floorCpu = { console: 0, hostless: 0 };
    const perRound: Array<{ exo: number; naive: number; console: number; hostless: number }> = [];
    for (let round = 0; round < rounds; round++) {
      const n = Math.min(blockSize, calls - round * blockSize);
      const got: { exo?: number[]; naive?: number[]; console?: number[]; hostless?: number[] } = {};
      const blocks: Record<Side, () => Promise<void>> = {
        exo: async () => {
          got.exo = await timed(exoCall, n);
        },
        naive: async () => {
          got.naive = await timed(naiveCall, n);
        },
        floor: async () => {
          const b = await pwshFloor.block(n);
          got.console = b.console.calls;
          got.hostless = b.hostless.calls;
          floorCpu.console += b.console.cpuMs;
          floorCpu.hostless += b.hostless.cpuMs;
        },
      };
      // Each side takes each position in turn.
      const sides: Side[] = ['exo', 'naive', 'floor'];
      for (let i = 0; i < sides.length; i++) await blocks[sides[(i + round) % sides.length]!]();
      exoMs.push(...got.exo!);
      naiveMs.push(...got.naive!);
      consoleMs.push(...got.console!);
      hostlessMs.push(...got.hostless!);
      perRound.push({
        exo: median(got.exo!),
        naive: median(got.naive!),
        console: median(got.console!),
        hostless: median(got.hostless!),
      });
    }

    // Where an engine call's time goes: CPU of Node, of the host pwsh and of the session server, per call,
    // over a separate pass of engine calls only; and the bridge alone (a local cmdlet, no remote hop).
    const hostPid = exo.connection.hostPid;
    const passCalls = Math.min(calls, 100);
    const split = await cpuPerCall(
      { host: hostPid, server: hostPid ? serverOf(hostPid) : undefined },
      passCalls,
      async () => {
        await timed(exoCall, passCalls);
      },
    );
    const bridgeOnly = await timed(async () => {
      await exo.connection.invoke('Get-Random');
    }, passCalls);

    result.measurements.push(
      measurement('exo', 'invoke() (engine)', 'ms', 'lower', exoMs),
      measurement('naive', 'node-powershell invoke + ConvertTo-Json', 'ms', 'lower', naiveMs),
      measurement(
        'floor-console',
        'floor: the call inside pwsh, console runspace',
        'ms',
        'lower',
        consoleMs,
        {
          note: 'a stopwatch around each call in the pwsh script itself, as a user would run it',
        },
      ),
      measurement(
        'floor-hostless',
        'floor: the call inside pwsh, runspace without a host',
        'ms',
        'lower',
        hostlessMs,
        {
          note: "the same loop in a runspace like the engine's worker: no console host handling remoting's host calls",
        },
      ),
      measurement(
        'bridge',
        'invoke("Get-Random"): the bridge alone, no remote hop',
        'ms',
        'lower',
        bridgeOnly,
      ),
    );
    // The floor a target is judged on is the faster of the two, block by block.
    const floorRounds = perRound.map((r) => Math.min(r.console, r.hostless));
    const exoRounds = perRound.map((r) => r.exo);
    const vsNaive = compare(
      'invoke() ÷ node-powershell (block medians)',
      { id: 'exo', rounds: exoRounds },
      { id: 'naive', rounds: perRound.map((r) => r.naive) },
    );
    vsNaive.ratioOfMedians = ratio(median(exoMs), median(naiveMs));
    const vsConsole = compare(
      'invoke() ÷ console floor (block medians)',
      { id: 'exo', rounds: exoRounds },
      { id: 'floor-console', rounds: perRound.map((r) => r.console) },
    );
    vsConsole.ratioOfMedians = ratio(median(exoMs), median(consoleMs));
    const vsHostless = compare(
      'invoke() ÷ hostless floor (block medians)',
      { id: 'exo', rounds: exoRounds },
      { id: 'floor-hostless', rounds: perRound.map((r) => r.hostless) },
    );
    vsHostless.ratioOfMedians = ratio(median(exoMs), median(hostlessMs));
    result.comparisons.push(vsNaive, vsConsole, vsHostless);

    const exoMedian = median(exoMs);
    const naiveMedian = median(naiveMs);
    const overFloor = median(perRound.map((r, i) => r.exo - floorRounds[i]!));
    result.targets.push(
      evaluateTarget(
        'median ≤ floor + 3 ms',
        overFloor,
        'atMost',
        3,
        (d) =>
          `floor ${d < 0 ? '−' : '+'} ${formatMs(Math.abs(d))} (median over blocks of engine − the faster floor; medians: engine ${formatMs(exoMedian)}, console floor ${formatMs(median(consoleMs))}, hostless floor ${formatMs(median(hostlessMs))})`,
      ),
      evaluateTarget(
        'faster than naive node-powershell',
        vsNaive.medianRatio,
        'below',
        1,
        (v) => `${formatRatio(v)} (${formatMs(exoMedian)} vs ${formatMs(naiveMedian)})`,
      ),
    );
    result.profile.push(
      {
        label: 'engine call, wall (a separate pass of engine calls only)',
        value: split.wall,
        unit: 'ms/call',
      },
      { label: 'Node CPU (encode, socket, frames, JSON.parse)', value: split.node, unit: 'ms/call' },
      {
        label: 'host pwsh CPU (bridge loop, worker runspace, ConvertTo-Json, client side of remoting)',
        value: split.host,
        unit: 'ms/call',
      },
      {
        label: 'session server CPU (the sandbox cmdlet, remoting server side)',
        value: split.server,
        unit: 'ms/call',
      },
      {
        label: 'console floor: its pwsh CPU (client side of remoting)',
        value: consoleMs.length ? floorCpu.console / consoleMs.length : undefined,
        unit: 'ms/call',
      },
      {
        label: 'hostless floor: its pwsh CPU (client side of remoting)',
        value: hostlessMs.length ? floorCpu.hostless / hostlessMs.length : undefined,
        unit: 'ms/call',
        note: 'compare with the host pwsh CPU above: the difference is the bridge in pwsh',
      },
      { label: 'bridge round trip with no remote hop (Get-Random)', value: median(bridgeOnly), unit: 'ms' },
    );
  } finally {
    await exo.close();
    await naive?.close();
    await floor?.close();
    undo();
  }
};
