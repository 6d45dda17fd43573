import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { locatePwsh } from '@exo-connect/core';
import { SANDBOX_DEMO_CREDENTIAL } from '@exo-connect/sandbox';
import { createContext } from './context.js';
import { type BenchOptions, parseOptions, SCENARIOS, USAGE } from './options.js';
import { renderMarkdown } from './render-markdown.js';
import type { BenchReport, ScenarioResult } from './report.js';
import { machineInfo } from './runtime/machine.js';
import { REPO_DIR, RESULTS_DIR } from './runtime/paths.js';
import { Resources } from './runtime/resources.js';
import { bulk } from './scenarios/bulk.js';
import { cli } from './scenarios/cli.js';
import { cliRest } from './scenarios/cli-rest.js';
import { coldConnect } from './scenarios/cold-connect.js';
import type { ScenarioRun } from './scenarios/common.js';
import { concurrency } from './scenarios/concurrency.js';
import { moduleStrategy } from './scenarios/module-strategy.js';
import { restConnect } from './scenarios/rest-connect.js';
import { restMany } from './scenarios/rest-many.js';
import { restServer } from './scenarios/rest-server.js';
import { restStream } from './scenarios/rest-stream.js';
import { restWarm } from './scenarios/rest-warm.js';
import { warmCall } from './scenarios/warm-call.js';

const RUNS: Record<number, ScenarioRun> = {
  1: coldConnect,
  2: warmCall,
  3: bulk,
  4: concurrency,
  5: cli,
  6: moduleStrategy,
  7: restServer,
  8: restConnect,
  9: restWarm,
  10: restStream,
  11: restMany,
  12: cliRest,
};

const log = (message: string) => process.stderr.write(`${message}\n`);

function outputPrefix(options: BenchOptions): string {
  if (options.out) return resolve(options.out);
  const complete = options.mode === 'full' && options.only.length === SCENARIOS.length;
  // Only a full run of every scenario replaces the committed results.
  return join(RESULTS_DIR, complete ? 'latest' : 'partial');
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    log(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const startedAt = new Date();
  const pwsh = await locatePwsh();
  const machine = await machineInfo(pwsh.version, REPO_DIR);
  const resources = await Resources.create();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`\n${signal}: cleaning up…`);
    void resources.close().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  log(
    `exo-connect bench (${options.mode}): ${machine.cpuModel} × ${machine.cpuCount}, Node ${machine.node}, pwsh ${machine.pwsh}, load ${machine.loadAverage.toFixed(2)}`,
  );
  if (machine.loadAverage > machine.cpuCount * 0.5) {
    log(`  note: the machine is busy (load ${machine.loadAverage.toFixed(2)}); figures will be noisy`);
  }
  const ctx = createContext(options, resources, pwsh, SANDBOX_DEMO_CREDENTIAL, log);
  const scenarios: ScenarioResult[] = [];
  try {
    for (const id of options.only) {
      if (interrupted) break;
      const meta = SCENARIOS.find((s) => s.id === id)!;
      const result: ScenarioResult = {
        id,
        key: meta.key,
        title: meta.title,
        status: 'ok',
        parameters: {},
        measurements: [],
        comparisons: [],
        targets: [],
        profile: [],
        notes: [],
        durationMs: 0,
      };
      log(`${id}. ${meta.title}`);
      const t = performance.now();
      try {
        await RUNS[id]!(ctx, result);
      } catch (error) {
        result.status = 'failed';
        result.error = (error as Error).message?.split('\n')[0] ?? String(error);
        log(`  failed: ${(error as Error).stack ?? error}`);
      }
      result.durationMs = performance.now() - t;
      scenarios.push(result);
      log(`  done in ${(result.durationMs / 1000).toFixed(1)} s`);
    }
  } finally {
    const { killed } = await resources.close();
    if (killed) log(`cleanup: ended ${killed} leftover process(es)`);
  }

  const report: BenchReport = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: options.mode,
    only: options.only,
    machine,
    scenarios,
  };
  const markdown = renderMarkdown(report);
  process.stdout.write(`${markdown}\n`);
  if (interrupted) {
    // An interrupted run must not replace the committed results (its scenarios were cut short).
    log('interrupted: no results written');
    return;
  }
  if (options.write) {
    const prefix = outputPrefix(options);
    await mkdir(dirname(prefix), { recursive: true });
    await writeFile(`${prefix}.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${prefix}.md`, markdown);
    log(`wrote ${prefix}.json and ${prefix}.md`);
  }
}

main().catch((error: unknown) => {
  log(`bench crashed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
});
