import { describe, expect, it } from 'vitest';
import { SCENARIOS } from './options.js';
import { renderMarkdown } from './render-markdown.js';
import type { BenchReport, ScenarioResult } from './report.js';
import { summarize } from './stats.js';

function scenario(overrides: Partial<ScenarioResult>): ScenarioResult {
  return {
    id: 1,
    key: 'connect',
    title: 'Cold connect to ready',
    status: 'ok',
    parameters: {},
    measurements: [],
    comparisons: [],
    targets: [],
    profile: [],
    notes: [],
    durationMs: 1000,
    ...overrides,
  };
}

function report(scenarios: ScenarioResult[], only = SCENARIOS.map((s) => s.id)): BenchReport {
  return {
    schema: 1,
    startedAt: '2026-01-02T10:00:00.000Z',
    finishedAt: '2026-01-02T10:30:00.000Z',
    mode: 'full',
    only,
    machine: {
      cpuModel: 'AMD EPYC',
      cpuCount: 2,
      memoryGiB: 23.5,
      os: 'Linux 6.1 (x64)',
      node: 'v20.20.2',
      pwsh: '7.6.9',
      loadAverage: 0.42,
      commit: 'abc123',
    },
    scenarios,
  };
}

describe('renderMarkdown', () => {
  it('starts with the machine: CPU and count, memory, OS, Node, pwsh, date, load', () => {
    const md = renderMarkdown(report([]));
    for (const line of [
      '| CPU | AMD EPYC × 2 |',
      '| memory | 23.5 GiB |',
      '| OS | Linux 6.1 (x64) |',
      '| Node | v20.20.2 |',
      '| pwsh | 7.6.9 |',
      '| date | 2026-01-02T10:00:00.000Z |',
      '| mode | full |',
      '| load average at start | 0.42 |',
      '| commit | abc123 |',
    ]) {
      expect(md).toContain(line);
    }
    expect(md).toContain('The run took 30.0 minutes.');
    expect(md).toContain('_No scenario with a target was run._');
  });

  it('names the scenarios of a partial run', () => {
    expect(renderMarkdown(report([], [2, 3]))).toContain('| mode | full (scenarios 2, 3) |');
  });

  it('lists every target with its figure and verdict, and renders each scenario', () => {
    const md = renderMarkdown(
      report([
        scenario({
          parameters: { repetitions: 10, warmup: 1 },
          measurements: [
            {
              id: 'exo',
              label: 'connect()',
              unit: 'ms',
              better: 'lower',
              samples: [2500, 2600, 2400],
              summary: summarize([2500, 2600, 2400]),
            },
            { id: 'raw', label: 'raw script', unit: 'ms', better: 'lower', samples: [], error: 'exited 1' },
          ],
          comparisons: [
            {
              label: 'connect() ÷ raw',
              subject: 'exo',
              baseline: 'raw',
              pairedRatios: [1.05, 1.1],
              medianRatio: 1.075,
              ratioOfMedians: 1.08,
            },
          ],
          targets: [
            {
              description: 'connect() ≤ 1.10× raw',
              figure: '1.08×',
              status: 'met',
              value: 1.075,
              threshold: 1.1,
            },
          ],
          profile: [{ label: 'session', value: 1200, unit: 'ms', note: 'New-PSSession' }],
          notes: ['a note'],
        }),
        scenario({
          id: 3,
          key: 'bulk',
          title: 'Bulk',
          status: 'failed',
          error: 'pwsh died',
          targets: [{ description: '≥ 3×', figure: '–', status: 'not measured' }],
        }),
      ]),
    );
    expect(md).toContain('| 1 | Cold connect to ready | connect() ≤ 1.10× raw | 1.08× | ✅ met |');
    expect(md).toContain('| 3 | Bulk | ≥ 3× | – | ⚠️ not measured |');
    expect(md).toContain('## 1. Cold connect to ready');
    expect(md).toContain('Parameters: repetitions 10, warmup 1.');
    expect(md).toContain('| connect() | 2.50 s | 2.58 s | 2.40 s | 2.60 s | 3 |');
    expect(md).toContain('| raw script | failed: exited 1 |  |  |  | 0 |');
    expect(md).toContain('| connect() ÷ raw | 1.07× | 1.08× | 2 |');
    expect(md).toContain('| session | 1.20 s | New-PSSession |');
    expect(md).toContain('- a note');
    expect(md).toContain('**The scenario failed:** pwsh died');
  });

  it('marks a missed target', () => {
    const md = renderMarkdown(
      report([
        scenario({
          targets: [
            { description: '≥ 2.5×', figure: '1.35×', status: 'missed', value: 1.35, threshold: 2.5 },
          ],
        }),
      ]),
    );
    expect(md).toContain('| 1 | Cold connect to ready | ≥ 2.5× | 1.35× | ❌ missed |');
  });
});
