/**
 * Load: connect → invoke → disconnect cycles, one after another (25 in the normal run; 1,000 with
 * EXO_SOAK=1, or EXO_SOAK_CYCLES), and a 200-command burst across 3 concurrent sessions. Asserts no leaked
 * session or process, every command answered or failed with a code (never hung, never untyped), and bounded
 * Node and pwsh memory; records the memory curves and timings in results/load.json (soak.json for a soak).
 * The rest strategy's part: connect → invoke → stream → batch → disconnect cycles (100; 2,000 in a soak)
 * against the sandbox's REST face, then one connection kept busy while its short-lived tokens are renewed
 * (45 s; 10 minutes in a soak), with nothing left in flight and no socket left open.
 */

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Connection,
  type ConnectOptions,
  connect,
  ExoError,
  type ParameterValue,
} from '@exo-connect/core';
import { SANDBOX_DEMO_CREDENTIAL, sandboxEnvironment } from '@exo-connect/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, type TestTenant, waitFor, writeResult } from './support/common.js';
import { RequestLedger, RestServer, TOKEN_PATH } from './support/fault-rest.js';
import {
  growth,
  type Machine,
  machine,
  nodeRssMb,
  round,
  rssMb,
  type Summary,
  slope,
  summarize,
} from './support/load-stats.js';

const SOAK = process.env.EXO_SOAK === '1';
const CYCLES = Number(process.env.EXO_SOAK_CYCLES) || (SOAK ? 1_000 : 25);
const REST_CYCLES = Number(process.env.EXO_SOAK_REST_CYCLES) || (SOAK ? 2_000 : 100);
/** How long the long-lived rest connection is kept busy (EXO_SOAK_REST_LIVE_S for another time). */
const REST_LIVE_MS = (Number(process.env.EXO_SOAK_REST_LIVE_S) || (SOAK ? 600 : 45)) * 1000;
/** The sandbox's access-token lifetime for the rest part: the connection renews at half of it. */
const TOKEN_SECONDS = 10;
const BURST = 200;
const SESSIONS = 3;
/** Cycles before memory is compared: the first connections load code and warm caches. */
const WARMUP = 5;
/** A command that takes longer than this is counted as hung. */
const HANG_MS = 120_000;
/** The sandbox is asked for its session count this often (it starts a pwsh each time). */
const STATUS_EVERY = 25;

interface CycleSample {
  cycle: number;
  connectMs: number;
  invokeMs: number;
  disconnectMs: number;
  nodeRssMb: number;
  heapUsedMb: number;
  hostRssMb: number | null;
  serverRssMb: number | null;
  code: string;
}

interface PlannedCommand {
  command: string;
  parameters: Record<string, ParameterValue>;
  /** Rows a right answer has; or the code the command must fail with. */
  rows?: number;
  expect?: string;
}

interface BurstSample {
  ms: number;
  nodeRssMb: number;
  hostsRssMb: Array<number | null>;
  serversRssMb: Array<number | null>;
}

let tenant: TestTenant;
let host: Machine;
const began = Date.now();
const result: {
  suite: 'load' | 'soak';
  generatedAt?: string;
  durationMs?: number;
  machine?: Machine;
  cycles?: Record<string, unknown>;
  burst?: Record<string, unknown>;
  rest?: Record<string, unknown>;
} = { suite: SOAK ? 'soak' : 'load' };
const ledger = new RequestLedger();

/** Open sockets of this process (the sandbox's REST face runs in it too: both ends are counted). */
const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

beforeAll(async () => {
  tenant = await createTestTenant(200);
  host = await machine();
});

afterAll(async () => {
  await tenant?.remove();
  // The rest part has a file of its own (load-rest, soak-rest), so that either part can run alone (-t) without
  // overwriting the other's figures.
  const { rest, ...pwshParts } = result;
  const stamp = { generatedAt: new Date().toISOString(), durationMs: Date.now() - began, machine: host };
  if (pwshParts.cycles || pwshParts.burst) await writeResult(result.suite, { ...pwshParts, ...stamp });
  if (rest) await writeResult(`${result.suite}-rest`, { suite: `${result.suite}-rest`, rest, ...stamp });
});

/** Settles with the value, or with "hung" after HANG_MS. */
async function watched<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: no answer within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([work, hung]);
  } finally {
    clearTimeout(timer);
  }
}

function codeOf(error: unknown): string {
  return ExoError.is(error) ? error.code : `untyped: ${String((error as Error)?.message ?? error)}`;
}

const memory = (values: Array<number | null>) => {
  const known = values.filter((v): v is number => v !== null);
  return {
    first: known[0] ?? null,
    last: known.at(-1) ?? null,
    max: known.length ? Math.max(...known) : null,
    growthMb: known.length ? growth(known, WARMUP) : null,
  };
};

describe.sequential('load', () => {
  it(
    `${CYCLES} connect → invoke → disconnect cycles leak nothing and keep memory bounded`,
    async () => {
      const samples: CycleSample[] = [];
      const leaked = new Set<number>();
      const sessionChecks: Array<{ cycle: number; sessions: number }> = [];
      const failures: Array<{ cycle: number; code: string }> = [];
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const t0 = performance.now();
        let exo: Connection | undefined;
        let code = 'none';
        let hostRss: number | undefined;
        let serverRss: number | undefined;
        let t1 = t0;
        let t2 = t0;
        try {
          exo = await watched(connect(tenant.options()));
          t1 = performance.now();
          hostRss = rssMb(exo.hostPid);
          serverRss = rssMb(tenant.servers()[0]);
          const rows = await watched(exo.invoke<{ Alias: string }>('Get-Mailbox', { ResultSize: 5 }));
          if (rows.length !== 5) code = `wrong answer: ${rows.length} rows`;
        } catch (error) {
          code = codeOf(error);
        } finally {
          t2 = performance.now();
          if (exo) await watched(exo.disconnect());
        }
        const t3 = performance.now();
        if (code !== 'none') failures.push({ cycle, code });
        if (!(await waitFor(() => tenant.processes().length === 0, { timeoutMs: 15_000 }))) {
          for (const pid of tenant.processes()) leaked.add(pid);
        }
        if (cycle % STATUS_EVERY === 0 || cycle === CYCLES) {
          sessionChecks.push({ cycle, sessions: await tenant.liveSessions() });
        }
        samples.push({
          cycle,
          connectMs: round(t1 - t0),
          invokeMs: round(t2 - t1),
          disconnectMs: round(t3 - t2),
          nodeRssMb: nodeRssMb(),
          heapUsedMb: round(process.memoryUsage().heapUsed / 1024 / 1024),
          hostRssMb: hostRss ?? null,
          serverRssMb: serverRss ?? null,
          code,
        });
      }

      const node = samples.map((s) => s.nodeRssMb);
      const settled = samples.slice(WARMUP);
      const nodeSlopeKb = round(slope(settled.map((s) => [s.cycle, s.nodeRssMb * 1024] as const)));
      const timings: Record<string, Summary> = {
        connectMs: summarize(samples.map((s) => s.connectMs)),
        invokeMs: summarize(samples.map((s) => s.invokeMs)),
        disconnectMs: summarize(samples.map((s) => s.disconnectMs)),
      };
      result.cycles = {
        planned: CYCLES,
        completed: samples.length,
        answered: samples.filter((s) => s.code === 'none').length,
        failures,
        leakedProcesses: leaked.size,
        sessionChecks,
        timings,
        memory: {
          node: { ...memory(node), slopeKbPerCycle: nodeSlopeKb },
          heapUsed: memory(samples.map((s) => s.heapUsedMb)),
          host: memory(samples.map((s) => s.hostRssMb)),
          server: memory(samples.map((s) => s.serverRssMb)),
        },
        samples,
      };

      expect(samples).toHaveLength(CYCLES);
      // Every command answered or failed with a stable code; a rare coded failure is tolerated, none untyped.
      expect(
        failures.filter((f) => !/^[A-Z_]+$/.test(f.code)),
        JSON.stringify(failures),
      ).toEqual([]);
      expect(failures.length, JSON.stringify(failures)).toBeLessThanOrEqual(Math.floor(CYCLES / 100));
      expect([...leaked], 'processes left after disconnect').toEqual([]);
      expect(sessionChecks.filter((c) => c.sessions !== 0)).toEqual([]);
      // Memory: Node's resident set does not grow with the number of connections made.
      expect(growth(node, WARMUP), `Node RSS curve ${node.join(' ')}`).toBeLessThan(SOAK ? 96 : 64);
      if (settled.length >= 200) expect(nodeSlopeKb, 'Node RSS KB per cycle').toBeLessThan(64);
      // Each host and server is a fresh pwsh: its size stays what it was in the first cycles.
      for (const series of [samples.map((s) => s.hostRssMb), samples.map((s) => s.serverRssMb)]) {
        const known = series.filter((v): v is number => v !== null);
        expect(known.length).toBeGreaterThanOrEqual(Math.floor(CYCLES * 0.99));
        expect(Math.max(...known)).toBeLessThan(768);
        expect(growth(known, WARMUP), `pwsh RSS curve ${known.join(' ')}`).toBeLessThan(64);
      }
    },
    CYCLES * 30_000 + 60_000,
  );

  it(`a ${BURST}-command burst across ${SESSIONS} sessions answers every command or fails it with a code`, async () => {
    const t0 = performance.now();
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, () => watched(connect(tenant.options()))),
    );
    const connectMs = round(performance.now() - t0);
    const hostPids = sessions.map((s) => s.hostPid);
    const serverPids = tenant.servers();
    expect(serverPids).toHaveLength(SESSIONS);
    const samples: BurstSample[] = [];
    const sample = () =>
      samples.push({
        ms: round(performance.now() - t0),
        nodeRssMb: nodeRssMb(),
        hostsRssMb: hostPids.map((pid) => rssMb(pid) ?? null),
        serversRssMb: serverPids.map((pid) => rssMb(pid) ?? null),
      });
    sample();
    const sampler = setInterval(sample, 250);

    // A mix: reads of every size, other cmdlets, and reads that fail with the service's not-found error.
    const plan = Array.from({ length: BURST }, (_, i): PlannedCommand => {
      if (i % 10 === 3)
        return { command: 'Get-Mailbox', parameters: { Identity: `nobody-${i}` }, expect: 'CMDLET_ERROR' };
      if (i % 10 === 6) return { command: 'Get-AcceptedDomain', parameters: {}, rows: 3 };
      if (i % 10 === 8) return { command: 'Get-Recipient', parameters: { ResultSize: 3 }, rows: 3 };
      return { command: 'Get-Mailbox', parameters: { ResultSize: (i % 7) + 1 }, rows: (i % 7) + 1 };
    });
    const started = performance.now();
    const outcomes = await Promise.all(
      plan.map(async (step, i) => {
        const t = performance.now();
        try {
          const rows = await watched(sessions[i % SESSIONS]!.invoke(step.command, step.parameters));
          const code = step.rows === rows.length ? 'none' : `wrong answer: ${rows.length} rows`;
          return { i, code, ok: code === 'none' && !step.expect, ms: performance.now() - t };
        } catch (error) {
          const code = codeOf(error);
          return { i, code, ok: code === step.expect, ms: performance.now() - t };
        }
      }),
    );
    const burstMs = round(performance.now() - started);
    clearInterval(sampler);
    sample();
    await Promise.all(sessions.map((s) => watched(s.disconnect())));
    const clean = await waitFor(() => tenant.processes().length === 0, { timeoutMs: 20_000 });
    const leftover = tenant.processes();
    const sessionsAfter = await tenant.liveSessions();

    const byCode: Record<string, number> = {};
    for (const o of outcomes) byCode[o.code] = (byCode[o.code] ?? 0) + 1;
    const hostsMax = samples.flatMap((s) => s.hostsRssMb).filter((v): v is number => v !== null);
    const serversMax = samples.flatMap((s) => s.serversRssMb).filter((v): v is number => v !== null);
    result.burst = {
      commands: BURST,
      sessions: SESSIONS,
      connectMs,
      durationMs: burstMs,
      commandsPerSecond: round(BURST / (burstMs / 1000)),
      answered: outcomes.filter((o) => o.code === 'none').length,
      failedWithCode: outcomes.filter((o) => /^[A-Z_]+$/.test(o.code)).length,
      unexpected: outcomes.filter((o) => !o.ok),
      byCode,
      latencyMs: summarize(outcomes.map((o) => o.ms)),
      memory: {
        node: memory(samples.map((s) => s.nodeRssMb)),
        hostsMaxMb: hostsMax.length ? Math.max(...hostsMax) : null,
        serversMaxMb: serversMax.length ? Math.max(...serversMax) : null,
      },
      leakedProcesses: leftover.length,
      sessionsAfter,
      samples,
    };

    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(clean, `left: ${leftover.join(', ')}`).toBe(true);
    expect(sessionsAfter).toBe(0);
    expect(Math.max(...hostsMax)).toBeLessThan(768);
    expect(Math.max(...serversMax)).toBeLessThan(768);
  });
  it(
    `the rest strategy: ${REST_CYCLES} connect → invoke → stream → batch → disconnect cycles, and one connection through its tokens' renewals`,
    async () => {
      const rest = new RestServer({
        directory: tenant.directory,
        env: tenant.env,
        lifetimes: { accessTokenSeconds: TOKEN_SECONDS },
      });
      const server = await rest.start();
      try {
        const options: ConnectOptions = {
          environment: sandboxEnvironment({ server }),
          strategy: 'rest',
          credential: SANDBOX_DEMO_CREDENTIAL,
          env: tenant.env,
          handleSignals: false,
        };
        const socketsBefore = sockets();
        const samples: Array<{
          cycle: number;
          connectMs: number;
          workMs: number;
          disconnectMs: number;
          nodeRssMb: number;
          heapUsedMb: number;
          code: string;
        }> = [];
        const failures: Array<{ cycle: number; code: string }> = [];
        for (let cycle = 1; cycle <= REST_CYCLES; cycle++) {
          const t0 = performance.now();
          let t1 = t0;
          let t2 = t0;
          let exo: Connection | undefined;
          let code = 'none';
          try {
            exo = await watched(connect(options));
            t1 = performance.now();
            const rows = await watched(exo.invoke('Get-Mailbox', { ResultSize: 5 }));
            let streamed = 0;
            // Two pages: the first of 100, then the rest.
            for await (const _ of exo.stream('Get-Mailbox', { ResultSize: 150 })) streamed++;
            const batch = await watched(
              exo.batch([
                { cmdlet: 'Get-Mailbox', parameters: { ResultSize: 1 } },
                { cmdlet: 'Get-AcceptedDomain' },
              ]),
            );
            if (rows.length !== 5 || streamed !== 150 || !batch.every((b) => b.ok))
              code = `wrong answer: ${rows.length} rows, ${streamed} streamed, batch ${batch.map((b) => b.ok).join('/')}`;
          } catch (error) {
            code = codeOf(error);
          } finally {
            t2 = performance.now();
            if (exo) await watched(exo.disconnect());
          }
          if (code !== 'none') failures.push({ cycle, code });
          samples.push({
            cycle,
            connectMs: round(t1 - t0),
            workMs: round(t2 - t1),
            disconnectMs: round(performance.now() - t2),
            nodeRssMb: nodeRssMb(),
            heapUsedMb: round(process.memoryUsage().heapUsed / 1024 / 1024),
            code,
          });
        }
        const closed = await waitFor(() => sockets() <= socketsBefore && ledger.clientInFlight === 0, {
          timeoutMs: 30_000,
        });
        const cyclesSockets = sockets() - socketsBefore;

        // One connection, busy for REST_LIVE_MS, while its tokens expire every TOKEN_SECONDS.
        const mark = ledger.mark();
        const live = await watched(connect(options));
        const began = performance.now();
        let calls = 0;
        const liveFailures: string[] = [];
        const liveRss: number[] = [];
        try {
          while (performance.now() - began < REST_LIVE_MS) {
            try {
              const rows = await watched(live.invoke('Get-Mailbox', { ResultSize: 2 }));
              if (rows.length !== 2) liveFailures.push(`wrong answer: ${rows.length} rows`);
            } catch (error) {
              liveFailures.push(codeOf(error));
            }
            calls++;
            if (calls % 20 === 0) liveRss.push(nodeRssMb());
            // Paced, as a service polling a tenant is: the point is the hours, not the rate.
            await sleep(100);
          }
        } finally {
          await watched(live.disconnect());
        }
        const liveMs = round(performance.now() - began);
        const tokenRequests = ledger.since(mark, rest.port, TOKEN_PATH).length;
        const drained = await waitFor(
          () => ledger.clientInFlight === 0 && ledger.inFlight(rest.port) === 0 && sockets() <= socketsBefore,
          { timeoutMs: 30_000 },
        );

        const node = samples.map((s) => s.nodeRssMb);
        result.rest = {
          tokenLifetimeSeconds: TOKEN_SECONDS,
          cycles: {
            planned: REST_CYCLES,
            completed: samples.length,
            answered: samples.filter((s) => s.code === 'none').length,
            failures,
            socketsLeft: cyclesSockets,
            timings: {
              connectMs: summarize(samples.map((s) => s.connectMs)),
              workMs: summarize(samples.map((s) => s.workMs)),
              disconnectMs: summarize(samples.map((s) => s.disconnectMs)),
            },
            memory: {
              node: memory(node),
              heapUsed: memory(samples.map((s) => s.heapUsedMb)),
            },
            samples,
          },
          live: {
            durationMs: liveMs,
            calls,
            failures: liveFailures,
            tokenRequests,
            memory: memory(liveRss),
          },
          inFlightAfter: ledger.clientInFlight + ledger.inFlight(rest.port),
          socketsAfter: sockets() - socketsBefore,
        };

        expect(samples).toHaveLength(REST_CYCLES);
        expect(failures, JSON.stringify(failures)).toEqual([]);
        expect(closed, `${cyclesSockets} socket(s) left open after the cycles`).toBe(true);
        expect(growth(node, WARMUP), `Node RSS curve ${node.join(' ')}`).toBeLessThan(SOAK ? 96 : 64);
        expect(liveFailures, JSON.stringify(liveFailures)).toEqual([]);
        // The connection outlived several tokens: it renewed them (at half their life) without a failed call.
        expect(liveMs).toBeGreaterThan(3 * TOKEN_SECONDS * 1000);
        expect(tokenRequests).toBeGreaterThanOrEqual(Math.floor(liveMs / (TOKEN_SECONDS * 1000)));
        expect(drained, 'requests in flight or sockets open after the last disconnect').toBe(true);
      } finally {
        await rest.stop();
      }
    },
    REST_CYCLES * 10_000 + REST_LIVE_MS + 120_000,
  );
});
