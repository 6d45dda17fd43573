import { fileURLToPath } from 'node:url';
import { runForkedJob } from './fork-job.js';
import type { Resources } from './resources.js';
import type { RestServerFacts } from './rest-server.js';

interface JobBase {
  facts: RestServerFacts;
  env: NodeJS.ProcessEnv;
  credential: { userPrincipalName: string; password: string };
}

/** Scenario 10: the whole tenant read once after a small warm-up read, by the engine or the raw loop. */
export interface StreamJob extends JobBase {
  kind: 'stream';
  engine: 'exo' | 'raw';
  warmupCount: number;
}

/** Scenario 11: `connections` rest connections opened at once, then one Get-Mailbox on each. */
export interface ManyJob extends JobBase {
  kind: 'many';
  connections: number;
}

export type RestJob = StreamJob | ManyJob;

export interface StreamOutcome {
  objects: number;
  totalMs: number;
  /** From the stream() call (or the first request) to the first object in hand. */
  firstMs: number;
  baselineRssBytes: number;
  /** The most RSS seen while reading: sampled every 10 ms, or the kernel's high-water mark when it rose. */
  peakRssBytes: number;
  samples: number;
  nodeCpuMs: number;
  /** Wall time with no request open: the client's own work between pages (undici's diagnostics channels). */
  outsideMs: number;
  requests: number;
}

export interface ManyOutcome {
  baselineRssBytes: number;
  /** RSS once every connect() settled, after the calls, and after a GC with all still open. */
  openRssBytes: number;
  calledRssBytes: number;
  settledRssBytes: number;
  peakRssBytes: number;
  heapUsedBytes: number;
  opened: number;
  usable: number;
  openMs: number;
  callsMs: number;
  /** Distinct failures (code: message), at most a few. */
  errors: string[];
}

const WORKER = fileURLToPath(new URL('../rest-worker.js', import.meta.url));

export function runStreamJob(resources: Resources, job: StreamJob, timeoutMs: number) {
  return runForkedJob<StreamJob, StreamOutcome>(resources, WORKER, job, timeoutMs);
}

export function runManyJob(resources: Resources, job: ManyJob, timeoutMs: number) {
  return runForkedJob<ManyJob, ManyOutcome>(resources, WORKER, job, timeoutMs);
}
