#!/usr/bin/env node
// Prints one closing line for the whole workspace, "N passed, N failed", from each package's vitest JSON
// report (written by the shared vitest config), after a per-package breakdown. Exits non-zero when any
// package failed a test or has no report at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const group of ['packages', 'apps', 'tooling']) {
  for (const name of readdirSync(join(root, group)).sort()) {
    const dir = join(root, group, name);
    const pkg = join(dir, 'package.json');
    if (!existsSync(pkg) || !JSON.parse(readFileSync(pkg, 'utf8')).scripts?.test) continue;
    const report = join(dir, '.vitest-results.json');
    if (!existsSync(report)) {
      console.log(`  ${group}/${name}: no test report`);
      missing++;
      continue;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const pending = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(
      `  ${group}/${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${pending} skipped`,
    );
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += pending;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || missing > 0 ? 1 : 0;
