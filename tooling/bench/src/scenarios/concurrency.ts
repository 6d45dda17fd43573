import { cpus } from 'node:os';
import type { Connection } from '@exo-connect/core';
import { configureTenant, tenantStatus } from '@exo-connect/sandbox';
import { formatRatio } from '../format.js';
import { cpuTimeMs, sandboxSessionCount, sessionServers } from '../runtime/procs.js';
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

/** Watches how many sessions the tenant holds: its session files every 5 ms, its server processes every 100 ms. */
function watchSessions(tenantDir: string) {
  let open = 0;
  let slots = 0;
  let servers = 0;
  let samples = 0;
  const fast = setInterval(() => {
    const count = sandboxSessionCount(tenantDir);
    open = Math.max(open, count.open);
    slots = Math.max(slots, count.slots);
    samples++;
  }, 5);
  const slow = setInterval(() => {
    servers = Math.max(servers, sessionServers(tenantDir).length);
  }, 100);
  return {
    stop() {
      clearInterval(fast);
      clearInterval(slow);
      return { open, slots, servers, samples };
    },
  };
}

/** CPU ms used meanwhile by Node and by the given processes (hosts, servers). */
function cpuMeter(pids: number[]) {
  const node0 = process.cpuUsage();
  const start = pids.map((pid) => cpuTimeMs(pid) ?? 0);
  return () => {
    const node = process.cpuUsage(node0);
    const others = pids.reduce((sum, pid, i) => sum + ((cpuTimeMs(pid) ?? start[i]!) - start[i]!), 0);
    return (node.user + node.system) / 1000 + others;
  };
}

async function serial(connection: Connection, aliases: string[]): Promise<void> {
  for (const identity of aliases) {
    const rows = await connection.invoke('Get-Mailbox', { Identity: identity });
    if (rows.length !== 1)
      throw new Error(`Get-Mailbox -Identity ${identity} returned ${rows.length} objects`);
  }
}

/** All commands at once, spread round-robin over the connections (each runs its share in order). */
async function spread(connections: Connection[], aliases: string[]): Promise<void> {
  await Promise.all(
    aliases.map(async (identity, i) => {
      const rows = await connections[i % connections.length]!.invoke('Get-Mailbox', { Identity: identity });
      if (rows.length !== 1)
        throw new Error(`Get-Mailbox -Identity ${identity} returned ${rows.length} objects`);
    }),
  );
}

/**
 * Scenario 4: 60 small commands for one account, through three connections opened with
 * maxSessionsPerAccount 3, vs one connection running them one after another.
 */
export const concurrency: ScenarioRun = async (ctx, result) => {
  const { warmup, rounds, commands, sessions, latencyMs } = ctx.options.concurrency;
  result.parameters = { commands, sessions, rounds, warmup, 'service latency per command (ms)': latencyMs };
  const tenant = await ctx.tenant('concurrency', Math.max(commands, 60) + 10);
  // Exchange Online answers each call after a network and service round trip; the sandbox adds it on request.
  await configureTenant({
    directory: tenant.dir,
    env: tenant.env,
    pwsh: ctx.pwsh.executable,
    commandLatencyMs: latencyMs,
  });
  const watch = watchSessions(tenant.dir);
  let statusPeak: number | undefined;
  const open: TimedConnect[] = [];
  try {
    const first = await timedConnect(ctx, tenant, { maxSessionsPerAccount: sessions });
    open.push(first);
    const listed = await first.connection.invoke<{ Alias: string }>('Get-Mailbox', {
      ResultSize: commands + 10,
    });
    const aliases = listed.slice(10, 10 + commands).map((m) => m.Alias);
    if (aliases.length < commands) throw new Error(`the tenant has only ${listed.length} mailboxes`);

    // Warm: three ready connections; the commands run on one of them, then over all three.
    const others = await Promise.all(
      Array.from({ length: sessions - 1 }, () =>
        timedConnect(ctx, tenant, { maxSessionsPerAccount: sessions }),
      ),
    );
    open.push(...others);
    const connections = open.map((c) => c.connection);
    // The sandbox's own account of open sessions, once, while all of them are open (it starts a pwsh).
    statusPeak = (await tenantStatus({ directory: tenant.dir, env: tenant.env })).sessions.length;
    const pids = [
      ...connections.map((c) => c.hostPid).filter((p): p is number => p !== undefined),
      ...sessionServers(tenant.dir),
    ];

    const serialMs: number[] = [];
    const spreadMs: number[] = [];
    const serialCpu: number[] = [];
    for (let round = 0; round < warmup + rounds; round++) {
      const measured = round >= warmup;
      const runSerial = async () => {
        const cpu = cpuMeter(pids);
        const t = now();
        await serial(connections[0]!, aliases);
        const wall = now() - t;
        if (measured) {
          serialMs.push(wall);
          serialCpu.push(cpu() / wall);
        }
      };
      const runSpread = async () => {
        const t = now();
        await spread(connections, aliases);
        if (measured) spreadMs.push(now() - t);
      };
      await inTurn(round, runSerial, runSpread);
      ctx.log(`  warm round ${round + 1}/${warmup + rounds}`);
    }
    await Promise.all(open.splice(0).map((c) => c.close()));

    // Cold, end to end: connects and disconnects included.
    const coldSerialMs: number[] = [];
    const coldSpreadMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const runSerial = async () => {
        const t = now();
        const c = await timedConnect(ctx, tenant, { maxSessionsPerAccount: sessions });
        await serial(c.connection, aliases);
        await c.close();
        coldSerialMs.push(now() - t);
      };
      const runSpread = async () => {
        const t = now();
        const cs = await Promise.all(
          Array.from({ length: sessions }, () =>
            timedConnect(ctx, tenant, { maxSessionsPerAccount: sessions }),
          ),
        );
        await spread(
          cs.map((c) => c.connection),
          aliases,
        );
        await Promise.all(cs.map((c) => c.close()));
        coldSpreadMs.push(now() - t);
      };
      await inTurn(round, runSerial, runSpread);
      ctx.log(`  cold round ${round + 1}/${rounds}`);
    }

    const perSecond = (ms: number[]) => ms.map((m) => commands / (m / 1000));
    result.measurements.push(
      measurement(
        'serial',
        `one connection, ${commands} commands in series`,
        'commands/s',
        'higher',
        perSecond(serialMs),
      ),
      measurement(
        'spread',
        `${sessions} connections, ${commands} commands at once`,
        'commands/s',
        'higher',
        perSecond(spreadMs),
      ),
      measurement(
        'cold-serial',
        'cold: connect + commands + disconnect, one connection',
        'ms',
        'lower',
        coldSerialMs,
      ),
      measurement(
        'cold-spread',
        `cold: ${sessions} connects at once + commands + disconnect`,
        'ms',
        'lower',
        coldSpreadMs,
      ),
    );
    const warmRatio = compare(
      `throughput: ${sessions} connections ÷ one`,
      { id: 'spread', rounds: perSecond(spreadMs) },
      { id: 'serial', rounds: perSecond(serialMs) },
    );
    result.comparisons.push(
      warmRatio,
      compare(
        `cold end to end: one connection ÷ ${sessions} (time, so > 1 means ${sessions} win)`,
        { id: 'cold-serial', rounds: coldSerialMs },
        { id: 'cold-spread', rounds: coldSpreadMs },
      ),
    );
    const seen = watch.stop();
    const most = Math.max(seen.open, seen.slots, seen.servers, statusPeak ?? 0);
    result.targets.push(
      evaluateTarget(
        `≥ 2.5× the throughput of one connection (${latencyMs} ms service latency per command)`,
        warmRatio.medianRatio,
        'atLeast',
        2.5,
        formatRatio,
      ),
      evaluateTarget(
        `never more than ${sessions} sessions open (the sandbox's count)`,
        most,
        'atMost',
        sessions,
        (v) =>
          `at most ${v} (sandbox's session files: ${seen.open} open, ${seen.slots} with reservations, over ${seen.samples} samples; server processes ${seen.servers}; tenantStatus ${statusPeak ?? '–'})`,
      ),
    );
    const busy = medianOf(serialCpu, (v) => v);
    const cores = cpus().length;
    result.profile.push(
      {
        label: 'serial run: CPU busy (Node + hosts + servers), in cores',
        value: busy,
        unit: 'cores',
        note: `the sandbox does its work on this machine; each command also waits ${latencyMs} ms of simulated service latency`,
      },
      {
        label: `ceiling on ${cores} cores: ${cores} ÷ cores busy serially`,
        value: busy ? Math.min(sessions, cores / busy) : undefined,
        unit: '×',
        note: 'the most any parallelism could gain here',
      },
    );
  } finally {
    watch.stop();
    await Promise.all(open.map((c) => c.close()));
  }
};
