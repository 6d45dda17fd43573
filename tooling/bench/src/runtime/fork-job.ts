import { fork } from 'node:child_process';
import type { Resources } from './resources.js';

/**
 * Runs one job in a fresh Node process started from `worker` with an IPC channel: the job (and any password
 * in it) goes over the channel, never through argv or the environment; the worker answers with one message
 * `{ ok, outcome | error }`. A fresh process gives a measurement a clean RSS baseline of its own.
 */
export function runForkedJob<Job extends { env: NodeJS.ProcessEnv }, Outcome>(
  resources: Resources,
  worker: string,
  job: Job,
  timeoutMs: number,
  execArgv: string[] = ['--expose-gc'],
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = resources.track(
      fork(worker, [], { execArgv, env: job.env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }),
    );
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    let settled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    const finish = (error?: Error, outcome?: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(outcome!);
    };
    child.on('message', (message: { ok: boolean; outcome?: Outcome; error?: string }) => {
      if (message.ok) finish(undefined, message.outcome);
      else finish(new Error(message.error?.split('\n')[0] ?? 'the worker failed'));
    });
    child.once('exit', (code, signal) =>
      finish(
        new Error(
          `the worker ended (${signal ?? `exit ${code}`})${stderr ? `: ${stderr.trim().slice(-600)}` : ''}`,
        ),
      ),
    );
    child.send(job);
  });
}

/** The worker's side: runs the job that arrives and sends back its outcome or its error, then exits. */
export function serveForkedJob<Job, Outcome>(run: (job: Job) => Promise<Outcome>): void {
  process.once('message', (job: Job) => {
    run(job).then(
      (outcome) => process.send?.({ ok: true, outcome }, () => process.exit(0)),
      (error: unknown) =>
        process.send?.(
          { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) },
          () => process.exit(1),
        ),
    );
  });
}
