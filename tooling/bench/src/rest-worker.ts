// Scenarios 10 and 11 in a fresh Node process each (started by runStreamJob/runManyJob), so that the RSS
// measured is the rest client's alone: the sandbox server runs in a process of its own.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { AccountLimiter, type Connection, connect } from '@exo-connect/core';
import { sandboxEnvironment } from '@exo-connect/sandbox';
import { serveForkedJob } from './runtime/fork-job.js';
import { RawRestClient } from './runtime/raw-rest.js';
import { RequestClock } from './runtime/request-clock.js';
import type { ManyJob, ManyOutcome, RestJob, StreamJob, StreamOutcome } from './runtime/rest-job.js';
import { kernelPeakRssBytes, RssSampler } from './runtime/rss-sampler.js';

const gc = (globalThis as { gc?: () => void }).gc;

function checkRow(row: unknown): void {
  if (typeof (row as { Alias?: unknown } | null)?.Alias !== 'string') {
    throw new Error(`an object without an Alias: ${JSON.stringify(row).slice(0, 200)}`);
  }
}

function restConnect(job: RestJob, limiter?: AccountLimiter): Promise<Connection> {
  return connect(
    {
      environment: sandboxEnvironment({ server: job.facts }),
      strategy: 'rest',
      credential: job.credential,
      env: job.env,
      handleSignals: false,
    },
    limiter ? { limiter } : {},
  );
}

/**
 * Reads the whole result (or `size` objects), calling `onRow` for each: the engine through stream(), the
 * floor as a plain loop over pages (each page's objects walked synchronously, no async step per object).
 */
async function read(
  exo: Connection | undefined,
  raw: RawRestClient | undefined,
  size: number | 'Unlimited',
  onRow: (row: unknown) => void,
): Promise<void> {
  if (exo) {
    for await (const row of exo.stream('Get-Mailbox', { ResultSize: size })) onRow(row);
    return;
  }
  for await (const page of raw!.pages('Get-Mailbox', { ResultSize: size })) {
    for (const row of page) onRow(row);
  }
}

async function runStream(job: StreamJob): Promise<StreamOutcome> {
  const exo = job.engine === 'exo' ? await restConnect(job) : undefined;
  const raw =
    job.engine === 'raw'
      ? await RawRestClient.connect(job.facts, await readFile(job.facts.caPath, 'utf8'), job.credential)
      : undefined;
  try {
    await read(exo, raw, job.warmupCount, checkRow);
    gc?.();
    const baseline = process.memoryUsage.rss();
    const kernelBefore = kernelPeakRssBytes();
    const sampler = new RssSampler();
    sampler.start(10);
    const cpu0 = process.cpuUsage();
    const clock = new RequestClock().start();
    const t0 = performance.now();
    let first: number | undefined;
    let objects = 0;
    await read(exo, raw, 'Unlimited', (row) => {
      if (objects === 0) first = performance.now() - t0;
      checkRow(row);
      objects++;
    });
    const totalMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const { insideMs, requests } = clock.take();
    clock.stop();
    const { peakBytes, samples } = sampler.stop();
    const kernelAfter = kernelPeakRssBytes();
    return {
      objects,
      totalMs,
      firstMs: first ?? totalMs,
      baselineRssBytes: baseline,
      // The kernel's high-water mark covers the whole process life; it speaks for this read only if it rose.
      peakRssBytes: kernelAfter > kernelBefore ? Math.max(kernelAfter, peakBytes) : peakBytes,
      samples,
      nodeCpuMs: (cpu.user + cpu.system) / 1000,
      outsideMs: totalMs - insideMs,
      requests,
    };
  } finally {
    await exo?.disconnect();
    await raw?.close();
  }
}

/**
 * The per-account limiter lets `n` connections of one account open together. connect()'s maxSessionsPerAccount
 * stops at 50 (its schema), so the limit is raised through connect()'s public `limiter` dependency instead.
 */
class RoomyLimiter extends AccountLimiter {
  constructor(private readonly n: number) {
    super();
  }
  override acquire(
    account: string,
    _limit: number,
    signal?: AbortSignal,
    onQueued?: (waiting: number) => void,
  ) {
    return super.acquire(account, this.n, signal, onQueued);
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return `${e.code ?? 'error'}: ${(e.message ?? String(error)).split('\n')[0]!.slice(0, 200)}`;
}

async function runMany(job: ManyJob): Promise<ManyOutcome> {
  const limiter = new RoomyLimiter(job.connections);
  gc?.();
  const baseline = process.memoryUsage.rss();
  const kernelBefore = kernelPeakRssBytes();
  const sampler = new RssSampler();
  sampler.start(10);
  const errors = new Set<string>();
  const t0 = performance.now();
  const settled = await Promise.allSettled(
    Array.from({ length: job.connections }, () => restConnect(job, limiter)),
  );
  const openMs = performance.now() - t0;
  const open = settled.flatMap((s) => {
    if (s.status === 'fulfilled') return [s.value];
    errors.add(describe(s.reason));
    return [];
  });
  try {
    const openRss = process.memoryUsage.rss();
    const t1 = performance.now();
    const calls = await Promise.allSettled(open.map((c) => c.invoke('Get-Mailbox', { ResultSize: 1 })));
    const callsMs = performance.now() - t1;
    let usable = 0;
    for (const call of calls) {
      if (call.status === 'fulfilled' && call.value.length === 1) usable++;
      else if (call.status === 'rejected') errors.add(describe(call.reason));
      else errors.add(`a Get-Mailbox -ResultSize 1 returned ${call.value.length} objects`);
    }
    const calledRss = process.memoryUsage.rss();
    const { peakBytes } = sampler.stop();
    const kernelAfter = kernelPeakRssBytes();
    gc?.();
    // Every connection is still open here: this is what holding them costs once the garbage is gone.
    const settledRss = process.memoryUsage.rss();
    return {
      baselineRssBytes: baseline,
      openRssBytes: openRss,
      calledRssBytes: calledRss,
      settledRssBytes: settledRss,
      peakRssBytes: kernelAfter > kernelBefore ? Math.max(kernelAfter, peakBytes) : peakBytes,
      heapUsedBytes: process.memoryUsage().heapUsed,
      opened: open.length,
      usable,
      openMs,
      callsMs,
      errors: [...errors].slice(0, 5),
    };
  } finally {
    await Promise.allSettled(open.map((c) => c.disconnect()));
  }
}

serveForkedJob<RestJob, StreamOutcome | ManyOutcome>((job) =>
  job.kind === 'stream' ? runStream(job) : runMany(job),
);
