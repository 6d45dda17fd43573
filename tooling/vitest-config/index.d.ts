import type { UserConfig } from 'vitest/config';

export interface ExoVitestOptions {
  /**
   * Per-test and per-hook timeout for the integration project, in ms: a backstop for a hang, since tests wait
   * on conditions. Default 300 000.
   */
  integrationTimeout?: number;
  /** Default timeout of expect.poll() in the integration project, in ms. Default 60 000. */
  pollTimeout?: number;
  /** Upper bound on parallel test files. Default 2 (the CI machine has two cores). */
  maxWorkers?: number;
}

export function createVitestConfig(options?: ExoVitestOptions): UserConfig;
