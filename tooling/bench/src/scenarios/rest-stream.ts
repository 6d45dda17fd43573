import { formatMs, formatRatio } from '../format.js';
import { runStreamJob, type StreamJob, type StreamOutcome } from '../runtime/rest-job.js';
import { startRestServer } from '../runtime/rest-server.js';
import { median } from '../stats.js';
import { evaluateTarget } from '../targets.js';
import { compare, measurement, medianOf, type ScenarioRun } from './common.js';

const MB = 1024 * 1024;

/**
 * Scenario 10: the whole tenant (100,000 mailboxes) through exo.stream('Get-Mailbox', { ResultSize:
 * 'Unlimited' }) on a rest connection, beside a plain loop of undici POSTs following @odata.nextLink; each
 * read in a fresh Node process of its own, with that process's RSS sampled as it goes.
 */
export const restStream: ScenarioRun = async (ctx, result) => {
  const { mailboxes, streamReps: reps, workers } = ctx.options.restClient;
  const warmupCount = Math.min(1000, Math.max(1, Math.floor(mailboxes / 10)));
  result.parameters = {
    mailboxes,
    repetitions: reps,
    warmupRounds: 1,
    warmupRead: warmupCount,
    pageSize: 1000,
    workers,
  };
  ctx.log(`  creating a tenant of ${mailboxes} mailboxes`);
  const tenant = await ctx.tenant('rest-stream', mailboxes);
  const server = await startRestServer(ctx.resources, tenant, workers);
  const undo = ctx.resources.defer(() => server.close());
  try {
    const job = (engine: StreamJob['engine']): StreamJob => ({
      kind: 'stream',
      engine,
      warmupCount,
      facts: server.facts,
      env: tenant.env,
      credential: ctx.credential,
    });
    const exo: Array<StreamOutcome | undefined> = [];
    const raw: Array<StreamOutcome | undefined> = [];
    const errors: Record<string, string> = {};
    const run = async (engine: StreamJob['engine'], into: Array<StreamOutcome | undefined>) => {
      try {
        const outcome = await runStreamJob(ctx.resources, job(engine), 600_000);
        if (outcome.objects < mailboxes) throw new Error(`read ${outcome.objects} of ${mailboxes} mailboxes`);
        into.push(outcome);
      } catch (error) {
        errors[engine] = (error as Error).message;
        into.push(undefined);
      }
    };
    // One warm-up round first (its reads discarded): the server's first walk of a large tenant runs on freshly
    // jitted code in its workers, and would otherwise land on whichever variant went first.
    for (let round = -1; round < reps; round++) {
      const into = (list: Array<StreamOutcome | undefined>) => (round < 0 ? [] : list);
      if (round % 2 === 0) {
        await run('exo', into(exo));
        await run('raw', into(raw));
      } else {
        await run('raw', into(raw));
        await run('exo', into(exo));
      }
      ctx.log(`  round ${round + 2}/${reps + 1}${round < 0 ? ' (warm-up)' : ''}`);
    }
    const rate = (o: StreamOutcome | undefined) => (o ? o.objects / (o.totalMs / 1000) : undefined);
    const growth = (o: StreamOutcome | undefined) =>
      o ? (o.peakRssBytes - o.baselineRssBytes) / MB : undefined;
    const objects = exo.find(Boolean)?.objects ?? raw.find(Boolean)?.objects ?? mailboxes;
    result.measurements.push(
      measurement(
        'rest',
        `exo.stream() over rest (${objects} objects)`,
        'objects/s',
        'higher',
        exo.map(rate),
        {
          error: errors.exo,
        },
      ),
      measurement(
        'floor',
        'floor: undici POSTs following @odata.nextLink',
        'objects/s',
        'higher',
        raw.map(rate),
        {
          error: errors.raw,
          note: "1,000 a page (the engine's page size), each page JSON.parse'd and its objects walked in a plain loop",
        },
      ),
      measurement(
        'rest-first',
        'exo.stream(): first object',
        'ms',
        'lower',
        exo.map((o) => o?.firstMs),
      ),
      measurement(
        'floor-first',
        'floor: first object',
        'ms',
        'lower',
        raw.map((o) => o?.firstMs),
      ),
      measurement(
        'rest-rss',
        'exo.stream(): Node RSS growth during the read',
        'MB',
        'lower',
        exo.map(growth),
      ),
      measurement('floor-rss', 'floor: Node RSS growth during the read', 'MB', 'lower', raw.map(growth)),
    );
    const throughput = compare(
      'exo.stream() ÷ floor (objects/s)',
      { id: 'rest', rounds: exo.map(rate) },
      { id: 'floor', rounds: raw.map(rate) },
    );
    result.comparisons.push(throughput);
    const firsts = exo.flatMap((o) => (o ? [o.firstMs] : []));
    const growths = exo.flatMap((o) => (o ? [growth(o)!] : []));
    const worstGrowth = growths.length ? Math.max(...growths) : undefined;
    result.targets.push(
      evaluateTarget(
        `${objects} mailboxes: exo.stream() ≥ 0.9× the floor's throughput`,
        throughput.medianRatio,
        'atLeast',
        0.9,
        (v) =>
          `${formatRatio(v)} (${Math.round(median(exo.flatMap((o) => (o ? [rate(o)!] : []))))} vs ${Math.round(median(raw.flatMap((o) => (o ? [rate(o)!] : []))))} objects/s)`,
      ),
      evaluateTarget(
        'first object ≤ 100 ms (median; slowest shown)',
        firsts.length ? median(firsts) : undefined,
        'atMost',
        100,
        (v) =>
          `${formatMs(v)} (slowest ${formatMs(Math.max(...firsts))}; floor ${formatMs(medianOf(raw, (o) => o?.firstMs) ?? Number.NaN)})`,
      ),
      evaluateTarget(
        'Node RSS growth ≤ 64 MB during the walk (worst read)',
        worstGrowth,
        'atMost',
        64,
        (v) => `${v.toFixed(1)} MB (floor ${medianOf(raw, growth)?.toFixed(1) ?? '–'} MB)`,
      ),
    );
    result.profile.push(
      {
        label: 'engine: Node CPU per object',
        value: medianOf(exo, (o) => (o ? (o.nodeCpuMs * 1000) / o.objects : undefined)),
        unit: 'µs/object',
      },
      {
        label: 'floor: Node CPU per object',
        value: medianOf(raw, (o) => (o ? (o.nodeCpuMs * 1000) / o.objects : undefined)),
        unit: 'µs/object',
      },
      {
        label: 'engine: time with no request open (its own work between pages)',
        value: medianOf(exo, (o) => o?.outsideMs),
        unit: 'ms',
        note: `${medianOf(exo, (o) => o?.requests)} requests`,
      },
      {
        label: 'floor: time with no request open',
        value: medianOf(raw, (o) => o?.outsideMs),
        unit: 'ms',
        note: `${medianOf(raw, (o) => o?.requests)} requests`,
      },
      { label: 'engine: wall time of the read', value: medianOf(exo, (o) => o?.totalMs), unit: 'ms' },
      { label: 'floor: wall time of the read', value: medianOf(raw, (o) => o?.totalMs), unit: 'ms' },
      {
        label: 'engine: RSS before the read (after a GC)',
        value: medianOf(exo, (o) => (o ? o.baselineRssBytes / MB : undefined)),
        unit: 'MB',
      },
      { label: 'RSS samples per read (every 10 ms)', value: medianOf(exo, (o) => o?.samples), unit: 'count' },
    );
    result.notes.push(
      `Each read runs in a fresh Node process (dist/rest-worker.js): connect (not timed), a warm-up read of ${warmupCount}, a GC, then the measured read; RSS is sampled every 10 ms and the kernel's high-water mark is taken when it rose, minus the RSS just before the read. The server (${workers} engine workers) is a process of its own, not counted.`,
      'Both sides POST each @odata.nextLink with the same body, as the module and core do; the time per page is mostly the server walking its held query and writing JSON, which both sides wait for alike.',
    );
  } finally {
    await server.close();
    undo();
  }
};
