import { readFile } from 'node:fs/promises';
import { sandboxEnvironment } from '@exo-connect/sandbox';
import { formatMs } from '../format.js';
import { RawRestClient } from '../runtime/raw-rest.js';
import { startRestServer } from '../runtime/rest-server.js';
import { median } from '../stats.js';
import { evaluateTarget } from '../targets.js';
import { compare, measurement, now, type ScenarioRun, timedConnect } from './common.js';

/**
 * Scenario 9: exo.invoke('Get-Mailbox', { ResultSize: 1 }) on a ready rest connection beside the raw
 * InvokeCommand POST with the same headers and body on its own keep-alive undici pool, call by call.
 */
export const restWarm: ScenarioRun = async (ctx, result) => {
  const { warmup, calls, workers } = ctx.options.restClient;
  result.parameters = { warmup, calls, mailboxes: 50, workers };
  const tenant = await ctx.tenant('rest-warm', 50);
  const server = await startRestServer(ctx.resources, tenant, workers);
  const undo = ctx.resources.defer(() => server.close());
  let exo: Awaited<ReturnType<typeof timedConnect>> | undefined;
  let raw: RawRestClient | undefined;
  try {
    const { facts } = server;
    exo = await timedConnect(ctx, tenant, {
      environment: sandboxEnvironment({ server: facts }),
      strategy: 'rest',
    });
    raw = await RawRestClient.connect(facts, await readFile(facts.caPath, 'utf8'), ctx.credential);
    const engineMs: number[] = [];
    const floorMs: number[] = [];
    const engine = async () => {
      const t = now();
      const rows = await exo!.connection.invoke('Get-Mailbox', { ResultSize: 1 });
      const ms = now() - t;
      if (rows.length !== 1) throw new Error(`invoke returned ${rows.length} objects`);
      return ms;
    };
    const floor = async () => {
      const t = now();
      const rows = await raw!.invoke('Get-Mailbox', { ResultSize: 1 });
      const ms = now() - t;
      if (rows.length !== 1) throw new Error(`the raw POST returned ${rows.length} objects`);
      return ms;
    };
    for (let i = 0; i < warmup + calls; i++) {
      // Each pair takes turns going first; both sides hold one warm keep-alive connection to the same server.
      let e: number;
      let f: number;
      if (i % 2 === 0) {
        e = await engine();
        f = await floor();
      } else {
        f = await floor();
        e = await engine();
      }
      if (i >= warmup) {
        engineMs.push(e);
        floorMs.push(f);
      }
    }
    const differences = engineMs.map((e, i) => e - floorMs[i]!);
    result.measurements.push(
      measurement('rest', "exo.invoke('Get-Mailbox', { ResultSize: 1 }) (rest)", 'ms', 'lower', engineMs),
      measurement('floor', 'floor: the InvokeCommand POST on undici, same headers', 'ms', 'lower', floorMs, {
        note: 'one keep-alive connection, the headers and body invoke() sends, the page parsed with JSON.parse',
      }),
      measurement('difference', 'engine − floor, call by call', 'ms', 'lower', differences),
    );
    result.comparisons.push(
      compare('invoke() ÷ floor', { id: 'rest', rounds: engineMs }, { id: 'floor', rounds: floorMs }),
    );
    const extra = median(engineMs) - median(floorMs);
    result.targets.push(
      evaluateTarget(
        'warm invoke median ≤ floor + 1 ms',
        extra,
        'atMost',
        1,
        (v) =>
          `floor ${v >= 0 ? '+' : '−'} ${formatMs(Math.abs(v))} (medians: engine ${formatMs(median(engineMs))}, floor ${formatMs(median(floorMs))}; median of paired differences ${formatMs(median(differences))})`,
      ),
    );
    result.notes.push(
      "Judged on the difference of the medians; the median of the call-by-call differences is shown beside it. The server's own time (the engine worker running Get-Mailbox) is in both sides alike.",
    );
  } finally {
    await exo?.close();
    await raw?.close();
    await server.close();
    undo();
  }
};
