// One bulk measurement in a fresh Node process, so that its RSS starts from a clean baseline and one
// variant's garbage never counts against another. Started by runBulkJob() with an IPC channel: the job
// (and the sandbox password) arrives as a message, never through argv or the environment.
import { performance } from 'node:perf_hooks';
import { connect, type ParameterValue } from '@exo-connect/core';
import { sandboxEnvironment } from '@exo-connect/sandbox';
import type { BulkJob, BulkOutcome, BulkRead } from './runtime/bulk-job.js';
import { serveForkedJob } from './runtime/fork-job.js';
import { NaiveShell } from './runtime/naive-shell.js';
import { BENCH_MODULE_PATH } from './runtime/paths.js';
import { cpuTimeMs, serverOf } from './runtime/procs.js';
import { kernelPeakRssBytes, RssSampler } from './runtime/rss-sampler.js';

const gc = (globalThis as { gc?: () => void }).gc;

interface Meter {
  stop(objects: number, firstMs: number | undefined): BulkRead;
}

/** Starts the clocks: wall time, RSS (sampled and the kernel's peak), CPU of Node, the host and the server. */
function startMeter(hostPid: number | undefined): Meter {
  gc?.();
  const baseline = process.memoryUsage.rss();
  const kernelBefore = kernelPeakRssBytes();
  const server = hostPid ? serverOf(hostPid) : undefined;
  const host0 = hostPid ? cpuTimeMs(hostPid) : undefined;
  const server0 = server ? cpuTimeMs(server) : undefined;
  const cpu0 = process.cpuUsage();
  const sampler = new RssSampler();
  sampler.start(10);
  const t0 = performance.now();
  return {
    stop(objects, firstMs) {
      const totalMs = performance.now() - t0;
      const { peakBytes } = sampler.stop();
      const kernelAfter = kernelPeakRssBytes();
      // The kernel's high-water mark covers the whole process life; it speaks for this run only if it rose.
      const peak = kernelAfter > kernelBefore ? Math.max(kernelAfter, peakBytes) : peakBytes;
      const cpu = process.cpuUsage(cpu0);
      const host1 = hostPid ? cpuTimeMs(hostPid) : undefined;
      const server1 = server ? cpuTimeMs(server) : undefined;
      return {
        objects,
        totalMs,
        firstMs: firstMs ?? totalMs,
        baselineRssBytes: baseline,
        peakRssBytes: peak,
        nodeCpuMs: (cpu.user + cpu.system) / 1000,
        hostCpuMs: host0 !== undefined && host1 !== undefined ? host1 - host0 : undefined,
        serverCpuMs: server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined,
      };
    },
  };
}

function checkRow(row: unknown): void {
  if (typeof (row as { Alias?: unknown } | null)?.Alias !== 'string') {
    throw new Error(`an object without an Alias: ${JSON.stringify(row).slice(0, 200)}`);
  }
}

async function runExo(job: BulkJob): Promise<BulkOutcome> {
  const connection = await connect({
    environment: sandboxEnvironment(),
    strategy: 'rps',
    credential: job.credential,
    env: job.env,
    handleSignals: false,
    // The bridge-only source is a local module's command (no session in the way).
    allowCommands: ['Import-Module', 'Get-BenchObject'],
  });
  try {
    const local = job.source === 'local';
    if (local) await connection.invoke('Import-Module', { Name: BENCH_MODULE_PATH, Global: true });
    const command = local ? 'Get-BenchObject' : 'Get-Mailbox';
    const warm: Record<string, number> = local ? { Count: job.warmupCount } : { ResultSize: job.warmupCount };
    for await (const row of connection.stream(command, warm)) checkRow(row);

    const parameters: Record<string, ParameterValue> = local
      ? { Count: job.count }
      : { ResultSize: 'Unlimited' };
    const reads: BulkRead[] = [];
    for (let i = 0; i < job.reads; i++) {
      const meter = startMeter(connection.hostPid);
      const t0 = performance.now();
      let first: number | undefined;
      let n = 0;
      for await (const row of connection.stream(command, parameters)) {
        if (n === 0) first = performance.now() - t0;
        checkRow(row);
        n++;
      }
      reads.push(meter.stop(n, first));
    }
    return { reads };
  } finally {
    await connection.disconnect();
  }
}

async function runNaive(job: BulkJob): Promise<BulkOutcome> {
  const local = job.source === 'local';
  const shell = await NaiveShell.open({
    executable: job.pwsh,
    env: job.env,
    credential: job.credential,
    session: !local,
  });
  try {
    const counts = [job.warmupCount, job.count];
    if (!counts.every(Number.isSafeInteger)) throw new Error('counts must be integers');
    // This is the naive baseline: node-powershell driven as its README shows, with the command as script text.
    // Only the two integer counts checked above (or the literal Unlimited) go into it, never user data; the
    // engine under test sends values as JSON and splats them.
    const pipeline = (n: number | 'Unlimited') =>
      // The remote "more results available" warning would land in stdout, inside the JSON.
      local ? `Get-BenchObject -Count ${n}` : `Get-Mailbox -ResultSize ${n} -WarningAction SilentlyContinue`;
    for (const row of (await shell.json(pipeline(job.warmupCount))).rows) checkRow(row);

    const reads: BulkRead[] = [];
    for (let i = 0; i < job.reads; i++) {
      const meter = startMeter(shell.pid);
      // node-powershell hands over the whole output at the end: the first object is the last.
      const { rows, chars } = await shell.json(pipeline(local ? job.count : 'Unlimited'));
      for (const row of rows) checkRow(row);
      reads.push({
        ...meter.stop(rows.length, undefined),
        charsPerObject: rows.length ? chars / rows.length : undefined,
      });
    }
    return { reads };
  } finally {
    await shell.close();
  }
}

serveForkedJob<BulkJob, BulkOutcome>((job) => (job.engine === 'exo' ? runExo(job) : runNaive(job)));
