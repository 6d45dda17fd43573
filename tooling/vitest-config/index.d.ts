import type { UserConfig } from 'vitest/config';

export interface ExoVitestOptions {
  /** Per-test and per-hook timeout for the integration project, in ms. Default 60 000. */
  integrationTimeout?: number;
  /** Upper bound on parallel test files. Default 2 (the CI machine has two cores). */
  maxWorkers?: number;
}

export function createVitestConfig(options?: ExoVitestOptions): UserConfig;
