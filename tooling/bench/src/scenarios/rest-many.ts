import { connect } from '@exo-connect/core';
import { sandboxEnvironment } from '@exo-connect/sandbox';
import { formatMs } from '../format.js';
import { runManyJob } from '../runtime/rest-job.js';
import { startRestServer } from '../runtime/rest-server.js';
import { evaluateTarget } from '../targets.js';
import { measurement, type ScenarioRun } from './common.js';

const MB = 1024 * 1024;

/**
 * Scenario 11: 200 rest connections opened at once in one fresh Node process against one sandbox server,
 * as one account, then one Get-Mailbox on each; the process's RSS above what it had before opening.
 */
export const restMany: ScenarioRun = async (ctx, result) => {
  const { connections, workers } = ctx.options.restClient;
  result.parameters = { connections, mailboxes: 50, workers };
  const tenant = await ctx.tenant('rest-many', 50);
  const server = await startRestServer(ctx.resources, tenant, workers);
  const undo = ctx.resources.defer(() => server.close());
  try {
    // What the option says about a limit above 50, for the notes (connect() refuses it before sending anything).
    const refusal = await connect({
      environment: sandboxEnvironment({ server: server.facts }),
      strategy: 'rest',
      credential: ctx.credential,
      maxSessionsPerAccount: connections,
      handleSignals: false,
    }).then(
      async (c) => {
        await c.disconnect();
        return undefined;
      },
      (error: unknown) => `${(error as { code?: string }).code}: ${(error as Error).message.split('\n')[0]}`,
    );
    const o = await runManyJob(
      ctx.resources,
      { kind: 'many', connections, facts: server.facts, env: tenant.env, credential: ctx.credential },
      600_000,
    );
    const above = (bytes: number) => (bytes - o.baselineRssBytes) / MB;
    result.measurements.push(
      measurement('peak', `RSS above the baseline, peak while opening and calling`, 'MB', 'lower', [
        above(o.peakRssBytes),
      ]),
      measurement('open', `RSS above the baseline, all ${o.opened} open`, 'MB', 'lower', [
        above(o.openRssBytes),
      ]),
      measurement('called', 'RSS above the baseline, after one Get-Mailbox each', 'MB', 'lower', [
        above(o.calledRssBytes),
      ]),
      measurement('settled', 'RSS above the baseline, all still open, after a GC', 'MB', 'lower', [
        above(o.settledRssBytes),
      ]),
      measurement('open-ms', `time to open all ${connections} at once`, 'ms', 'lower', [o.openMs]),
      measurement('calls-ms', `one Get-Mailbox -ResultSize 1 on each, at once`, 'ms', 'lower', [o.callsMs]),
    );
    result.targets.push(
      evaluateTarget(
        `${connections} rest connections at once: process RSS − baseline ≤ 300 MB (peak)`,
        above(o.peakRssBytes),
        'atMost',
        300,
        (v) =>
          `${v.toFixed(0)} MB peak (all open ${above(o.openRssBytes).toFixed(0)} MB, after the calls ${above(o.calledRssBytes).toFixed(0)} MB, after a GC ${above(o.settledRssBytes).toFixed(0)} MB; baseline ${(o.baselineRssBytes / MB).toFixed(0)} MB)`,
      ),
      evaluateTarget(
        `all ${connections} usable (one Get-Mailbox each)`,
        o.usable,
        'atLeast',
        connections,
        (v) =>
          `${v} of ${connections} usable (${o.opened} opened in ${formatMs(o.openMs)})${o.errors.length ? `; ${o.errors.join('; ')}` : ''}`,
      ),
    );
    result.profile.push(
      {
        label: 'RSS per connection after a GC, KB',
        value: (above(o.settledRssBytes) / Math.max(1, o.opened)) * 1024,
        unit: 'count',
      },
      { label: 'JS heap used with all open, after a GC', value: o.heapUsedBytes / MB, unit: 'MB' },
    );
    result.notes.push(
      `One account for all ${connections}: connect()'s maxSessionsPerAccount stops at 50 (${refusal ?? 'accepted'}), so the worker passes connect() its public \`limiter\` dependency, an AccountLimiter whose limit is ${connections}. Each connection has its own undici pool, MSAL application and token, as connect() makes them.`,
      `The connections open in a fresh Node process (dist/rest-worker.js) whose RSS after a GC is the baseline; RSS is sampled every 10 ms (and the kernel's high-water mark taken when it rose). The server (${workers} engine workers) is a process of its own, not counted.`,
    );
  } finally {
    await server.close();
    undo();
  }
};
