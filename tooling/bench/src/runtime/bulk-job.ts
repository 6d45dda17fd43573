import { fileURLToPath } from 'node:url';
import { runForkedJob } from './fork-job.js';
import type { Resources } from './resources.js';

export interface BulkJob {
  engine: 'exo' | 'naive';
  /** remote: Get-Mailbox -ResultSize Unlimited over the session; local: Get-BenchObject in the host. */
  source: 'remote' | 'local';
  /** Objects for the local variant. */
  count: number;
  /** A small read first, in the same process, so the measured one does not pay first-use costs. */
  warmupCount: number;
  /**
   * Measured reads in the same process. The host's first large read runs on freshly jitted code (several
   * times slower per object); a second read shows the steady state.
   */
  reads: 1 | 2;
  pwsh: string;
  env: NodeJS.ProcessEnv;
  credential: { userPrincipalName: string; password: string };
}

/** One measured read. */
export interface BulkRead {
  objects: number;
  totalMs: number;
  /** From the stream() call (or invoke) to the first object in hand. */
  firstMs: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  nodeCpuMs: number;
  hostCpuMs?: number;
  serverCpuMs?: number;
  /** JSON characters per object (node-powershell's output). */
  charsPerObject?: number;
}

export interface BulkOutcome {
  reads: BulkRead[];
}

const WORKER = fileURLToPath(new URL('../bulk-worker.js', import.meta.url));

/** Runs one bulk measurement in a fresh Node process (see bulk-worker.ts); rejects with its error. */
export function runBulkJob(resources: Resources, job: BulkJob, timeoutMs: number): Promise<BulkOutcome> {
  // --expose-gc: a collection before the baseline sample. The heap limit is raised so that the
  // node-powershell baseline, which holds its whole output several times over, can finish at all.
  return runForkedJob(resources, WORKER, job, timeoutMs, ['--expose-gc', '--max-old-space-size=8192']);
}
