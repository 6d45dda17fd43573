import type { BenchContext, Tenant } from '../context.js';
import { formatMs, formatRatio, formatValue } from '../format.js';
import { type BulkJob, type BulkOutcome, type BulkRead, runBulkJob } from '../runtime/bulk-job.js';
import { median } from '../stats.js';
import { evaluateTarget } from '../targets.js';
import { compare, measurement, medianOf, type ScenarioRun } from './common.js';

const MB = 1024 * 1024;
type Variant = Pick<BulkJob, 'engine' | 'source' | 'count'>;

function label(v: Variant): string {
  const who = v.engine === 'exo' ? 'stream() (engine)' : 'node-powershell + ConvertTo-Json';
  return v.source === 'local'
    ? `bridge-only, ${v.count.toLocaleString('en-US')} objects: ${who}`
    : `Get-Mailbox -ResultSize Unlimited: ${who}`;
}

async function attempt(ctx: BenchContext, tenant: Tenant, v: Variant): Promise<BulkOutcome | Error> {
  const local = v.source === 'local';
  const job: BulkJob = {
    ...v,
    warmupCount: Math.max(1, Math.min(1000, Math.floor(v.count / 10))),
    // Bridge-only reads twice: the first in a fresh host pays for jitting, the second is the steady state.
    // A remote read is dominated by remoting's deserialization on both sides; once is enough.
    reads: local ? 2 : 1,
    pwsh: ctx.pwsh.executable,
    env: tenant.env,
    credential: ctx.credential,
  };
  try {
    // Generous: the node-powershell remote baseline over 100,000 mailboxes takes minutes.
    return await runBulkJob(ctx.resources, job, 30 * 60_000);
  } catch (error) {
    ctx.log(`  ${label(v)} failed: ${(error as Error).message}`);
    return error as Error;
  }
}

interface Series {
  id: string;
  variant: Variant;
  runs: Array<BulkOutcome | undefined>;
  error?: string;
}

function record(s: Series, outcome: BulkOutcome | Error): void {
  if (outcome instanceof Error) {
    s.runs.push(undefined);
    s.error = outcome.message.slice(0, 300);
  } else s.runs.push(outcome);
}

const firstRead = (o: BulkOutcome | undefined) => o?.reads[0];
const lastRead = (o: BulkOutcome | undefined) => o?.reads[o.reads.length - 1];
const rate = (r: BulkRead | undefined) => (r && r.objects > 0 ? r.objects / (r.totalMs / 1000) : undefined);
/** The largest growth over a run's reads, each from the RSS just before it. */
const growth = (o: BulkOutcome | undefined) =>
  o ? Math.max(...o.reads.map((r) => (r.peakRssBytes - r.baselineRssBytes) / MB)) : undefined;

/**
 * Scenario 3: bulk reads. Each run is a fresh Node process (clean RSS baseline); the engine's and
 * node-powershell's runs alternate within each round.
 */
export const bulk: ScenarioRun = async (ctx, result) => {
  const { mailboxes, objects, reps, remoteReps } = ctx.options.bulk;
  const small = Math.max(1, Math.floor(objects / 10));
  result.parameters = {
    mailboxes,
    objects,
    'bridge-only repetitions': reps,
    'remote repetitions': remoteReps,
  };
  ctx.log(`  creating a ${mailboxes.toLocaleString('en-US')}-mailbox tenant`);
  const tenant = await ctx.tenant('bulk', mailboxes);

  const series = (id: string, variant: Variant): Series => ({ id, variant, runs: [] });
  const exoLocal = series('exo-local', { engine: 'exo', source: 'local', count: objects });
  const naiveLocal = series('naive-local', { engine: 'naive', source: 'local', count: objects });
  const exoSmall = series('exo-local-small', { engine: 'exo', source: 'local', count: small });
  const exoRemote = series('exo-remote', { engine: 'exo', source: 'remote', count: mailboxes });
  const naiveRemote = series('naive-remote', { engine: 'naive', source: 'remote', count: mailboxes });

  for (let round = 0; round < reps; round++) {
    const pair = round % 2 === 0 ? [exoLocal, naiveLocal] : [naiveLocal, exoLocal];
    for (const s of [...pair, exoSmall]) record(s, await attempt(ctx, tenant, s.variant));
    ctx.log(`  bridge-only round ${round + 1}/${reps}`);
  }
  for (let round = 0; round < remoteReps; round++) {
    const pair = round % 2 === 0 ? [exoRemote, naiveRemote] : [naiveRemote, exoRemote];
    for (const s of pair) record(s, await attempt(ctx, tenant, s.variant));
    ctx.log(`  remote round ${round + 1}/${remoteReps}`);
  }

  const main = [exoLocal, naiveLocal, exoRemote, naiveRemote];
  const steady = (s: Series) => (s.variant.source === 'local' ? ' (second read)' : '');
  for (const s of main) {
    result.measurements.push(
      measurement(
        `${s.id}-rate`,
        `${label(s.variant)} — throughput${steady(s)}`,
        'objects/s',
        'higher',
        s.runs.map((o) => rate(lastRead(o))),
        {
          error: s.error,
        },
      ),
    );
  }
  for (const s of [exoLocal, naiveLocal]) {
    result.measurements.push(
      measurement(
        `${s.id}-rate-cold`,
        `${label(s.variant)} — throughput, first read in a fresh host`,
        'objects/s',
        'higher',
        s.runs.map((o) => rate(firstRead(o))),
        {
          error: s.error,
        },
      ),
    );
  }
  for (const s of main) {
    result.measurements.push(
      measurement(
        `${s.id}-first`,
        `${label(s.variant)} — first object${steady(s)}`,
        'ms',
        'lower',
        s.runs.map((o) => lastRead(o)?.firstMs),
        {
          error: s.error,
          note:
            s.variant.engine === 'naive'
              ? 'node-powershell returns nothing before the whole output'
              : undefined,
        },
      ),
    );
  }
  for (const s of [exoSmall, ...main]) {
    result.measurements.push(
      measurement(`${s.id}-rss`, `${label(s.variant)} — Node RSS growth`, 'MB', 'lower', s.runs.map(growth), {
        error: s.error,
      }),
    );
  }

  const localRatio = compare(
    'bridge-only throughput, second read: stream() ÷ node-powershell',
    { id: 'exo-local-rate', rounds: exoLocal.runs.map((o) => rate(lastRead(o))) },
    { id: 'naive-local-rate', rounds: naiveLocal.runs.map((o) => rate(lastRead(o))) },
  );
  result.comparisons.push(
    localRatio,
    compare(
      'bridge-only throughput, first read: stream() ÷ node-powershell',
      { id: 'exo-local-rate-cold', rounds: exoLocal.runs.map((o) => rate(firstRead(o))) },
      { id: 'naive-local-rate-cold', rounds: naiveLocal.runs.map((o) => rate(firstRead(o))) },
    ),
    compare(
      'remote throughput: stream() ÷ node-powershell',
      { id: 'exo-remote-rate', rounds: exoRemote.runs.map((o) => rate(lastRead(o))) },
      { id: 'naive-remote-rate', rounds: naiveRemote.runs.map((o) => rate(lastRead(o))) },
    ),
  );

  const firstLocal = exoLocal.runs
    .map((o) => lastRead(o)?.firstMs)
    .filter((v): v is number => v !== undefined);
  const growths = [...exoLocal.runs, ...exoSmall.runs]
    .map(growth)
    .filter((v): v is number => v !== undefined);
  result.targets.push(
    evaluateTarget('bridge-only: ≥ 3× naive throughput', localRatio.medianRatio, 'atLeast', 3, formatRatio),
    evaluateTarget(
      'bridge-only: first object ≤ 200 ms',
      firstLocal.length ? median(firstLocal) : undefined,
      'atMost',
      200,
      formatMs,
    ),
    evaluateTarget(
      `bridge-only: Node RSS growth ≤ 64 MB whatever the count (worst of ${small.toLocaleString('en-US')} and ${objects.toLocaleString('en-US')})`,
      growths.length ? Math.max(...growths) : undefined,
      'atMost',
      64,
      (v) => formatValue(v, 'MB'),
    ),
  );

  // Per object: µs of wall time and of CPU in Node, in the host pwsh and in the session server.
  const perObject = (s: Series, pick: (r: BulkRead) => number | undefined) =>
    medianOf(s.runs, (o) => {
      const r = lastRead(o);
      const v = r ? pick(r) : undefined;
      return r && v !== undefined && r.objects ? (v * 1000) / r.objects : undefined;
    });
  for (const s of main) {
    const name = `${s.variant.engine === 'exo' ? 'engine' : 'node-powershell'} ${s.variant.source === 'local' ? 'bridge-only' : 'remote'}`;
    result.profile.push(
      { label: `${name}: wall`, value: perObject(s, (r) => r.totalMs), unit: 'µs/object' },
      { label: `${name}: Node CPU`, value: perObject(s, (r) => r.nodeCpuMs), unit: 'µs/object' },
      { label: `${name}: host pwsh CPU`, value: perObject(s, (r) => r.hostCpuMs), unit: 'µs/object' },
    );
    if (s.variant.source === 'remote') {
      result.profile.push({
        label: `${name}: session server CPU`,
        value: perObject(s, (r) => r.serverCpuMs),
        unit: 'µs/object',
      });
    }
    const chars = medianOf(s.runs, (o) => lastRead(o)?.charsPerObject);
    if (chars !== undefined)
      result.notes.push(`${label(s.variant)}: ${Math.round(chars)} characters of JSON per object.`);
  }
  result.notes.push(
    'Each run is a fresh Node process: connect (not timed), a warm-up read of a tenth of the count (at most 1,000), then the measured read(s). Bridge-only reads twice in the same process: the first pays for jitting in a fresh host, the second is the steady state the throughput target is judged on. RSS growth is the largest over a run’s reads: the peak during the read (10 ms samples, and the kernel high-water mark when it rose) minus the RSS just before it, after a GC.',
  );
};
