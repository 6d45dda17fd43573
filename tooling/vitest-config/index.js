import { defineConfig } from 'vitest/config';

/**
 * Every package's tests run as two vitest projects so each can run alone:
 * `unit` (colocated src/**\/*.test.ts, pure logic, no processes) and
 * `integration` (test/**\/*.test.ts, real pwsh and real sessions).
 * Run one with `pnpm vitest run --project integration`.
 */
export function createVitestConfig(options = {}) {
  // Integration tests wait on conditions (a line, a process gone, a session counted), never for a fixed time:
  // these budgets only end a test that hangs, so they are generous enough for a machine busy with other pwsh
  // work. A passing test takes no longer for them.
  const integrationTimeout = options.integrationTimeout ?? 300_000;
  const pollTimeout = options.pollTimeout ?? 60_000;
  return defineConfig({
    test: {
      // pwsh processes are heavy; two cores here, so two forks at most.
      pool: 'forks',
      maxWorkers: options.maxWorkers ?? 2,
      passWithNoTests: false,
      // The JSON report feeds the workspace-wide "N passed, N failed" line (tooling/setup/summarize-tests.mjs).
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest-results.json' },
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['src/**/*.test.{ts,mjs}'],
            testTimeout: 10_000,
          },
        },
        {
          extends: true,
          test: {
            name: 'integration',
            include: ['test/**/*.test.{ts,mjs}'],
            testTimeout: integrationTimeout,
            hookTimeout: integrationTimeout,
            expect: { poll: { timeout: pollTimeout, interval: 100 } },
          },
        },
      ],
    },
  });
}
