/**
 * `pnpm reliability:report`: runs this package's suites with vitest (they write results/*.json), then writes
 * REPORT.md from whatever result files exist. Options: --no-run (only render), --out <file>.
 * Exits with vitest's exit code, so a failing suite fails the command, after the report is written.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { locatePwsh } from '@exo-connect/core';
import { type MachineInfo, renderReport, type TestFileRun, type TestRun } from './render-report.js';
import { list, loadResults, num, obj, text } from './results.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = join(PACKAGE_DIR, '..', '..');
const RESULTS_DIR = join(PACKAGE_DIR, 'results');
const PACKAGES = [
  'packages/errors',
  'packages/pwsh',
  'packages/core',
  'packages/sandbox',
  'packages/env-endpoints',
  'packages/proxy-config',
  'packages/cli',
  'apps/exo',
];

async function runSuites(): Promise<TestRun> {
  const began = Date.now();
  const vitest = join(PACKAGE_DIR, 'node_modules', '.bin', 'vitest');
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(vitest, ['run'], { cwd: PACKAGE_DIR, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  // vitest's JSON reporter (configured for every package) lists each file's tests and their state.
  const json = obj(
    JSON.parse(await readFile(join(PACKAGE_DIR, '.vitest-results.json'), 'utf8').catch(() => '{}')),
  );
  const files: TestFileRun[] = list(json.testResults).map((f) => {
    const tests = list(f.assertionResults);
    const status = (s: string) => tests.filter((t) => t.status === s).length;
    return {
      file: (text(f.name) ?? '?').replace(PACKAGE_DIR, ''),
      passed: status('passed'),
      failed: status('failed'),
      skipped: tests.length - status('passed') - status('failed'),
    };
  });
  return {
    exitCode,
    durationMs: Date.now() - began,
    passed: num(json.numPassedTests) ?? 0,
    failed: num(json.numFailedTests) ?? 0,
    skipped: (num(json.numPendingTests) ?? 0) + (num(json.numTodoTests) ?? 0),
    files,
  };
}

async function machine(): Promise<MachineInfo> {
  const pwsh = await locatePwsh().catch(() => undefined);
  return {
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    pwsh: pwsh?.version ?? 'not found',
  };
}

async function versions(): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const dir of PACKAGES) {
    const pkg = obj(
      JSON.parse(await readFile(join(REPO_DIR, dir, 'package.json'), 'utf8').catch(() => '{}')),
    );
    const name = text(pkg.name);
    if (name) found[name] = text(pkg.version) ?? '?';
  }
  return found;
}

async function commit(): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 && argv[outAt + 1] ? argv[outAt + 1]! : join(PACKAGE_DIR, 'REPORT.md');
  const run = argv.includes('--no-run') ? undefined : await runSuites();
  const markdown = renderReport({
    generatedAt: new Date(),
    machine: await machine(),
    versions: await versions(),
    commit: await commit(),
    run,
    results: await loadResults(RESULTS_DIR),
  });
  await writeFile(out, markdown, 'utf8');
  console.log(`reliability report written to ${out}`);
  return run?.exitCode ?? 0;
}

process.exitCode = await main(process.argv.slice(2));
