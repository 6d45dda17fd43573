import type { Summary } from './stats.js';

export type Unit = 'ms' | 'objects/s' | 'MB' | 'commands/s' | 'sessions' | 'bytes';

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  os: string;
  node: string;
  pwsh: string;
  /** 1-minute load average when the run started (other work on the machine skews every figure). */
  loadAverage: number;
  commit?: string;
}

/** One measured series: a variant of a scenario (the engine, or a baseline). */
export interface Measurement {
  id: string;
  label: string;
  unit: Unit;
  /** Whether a lower or a higher figure is better (latency vs throughput). */
  better: 'lower' | 'higher';
  samples: number[];
  summary?: Summary;
  /** Why there are no samples (the variant failed), when there are none. */
  error?: string;
  note?: string;
}

/** subject ÷ baseline, from samples measured in the same rounds. */
export interface Comparison {
  label: string;
  subject: string;
  baseline: string;
  /** One ratio per round where both sides were measured. */
  pairedRatios: number[];
  /** The median of the paired ratios (the headline figure). */
  medianRatio?: number;
  /** median(subject) ÷ median(baseline), for reference. */
  ratioOfMedians?: number;
}

export type TargetStatus = 'met' | 'missed' | 'not measured';

export interface Target {
  /** The target as the issue words it. */
  description: string;
  /** The measured figure, formatted. */
  figure: string;
  status: TargetStatus;
  value?: number;
  threshold?: number;
}

/** One line of a profile: where the time (or memory) of a variant goes. */
export interface ProfileEntry {
  label: string;
  value?: number;
  unit: Unit | '%' | 'ms/call' | 'µs/object' | 'cores' | '×' | 'count';
  note?: string;
}

export interface ScenarioResult {
  id: number;
  key: string;
  title: string;
  status: 'ok' | 'failed';
  error?: string;
  /** Counts and repetitions this run used. */
  parameters: Record<string, number | string | boolean>;
  measurements: Measurement[];
  comparisons: Comparison[];
  targets: Target[];
  profile: ProfileEntry[];
  notes: string[];
  durationMs: number;
}

export interface BenchReport {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  mode: 'full' | 'quick';
  /** The scenarios asked for (all seven unless --only was given). */
  only: number[];
  machine: MachineInfo;
  scenarios: ScenarioResult[];
}
