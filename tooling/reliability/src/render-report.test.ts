import { describe, expect, it } from 'vitest';
import {
  badInputSection,
  cell,
  faultsSection,
  injectionSection,
  loadSection,
  type ReportInput,
  renderReport,
  secretsSection,
  table,
} from './render-report.js';
import type { Loaded, SuiteName } from './results.js';

const at = new Date('2026-11-25T12:00:00Z');
const ok = (data: unknown): Loaded => ({ status: 'ok', file: '/r/x.json', data, modified: at });
const missing = (name: string): Loaded => ({ status: 'missing', file: `/r/results/${name}.json` });

const injection = {
  suite: 'injection',
  paths: [
    { path: 'connect options', values: 2000, failures: [] },
    { path: 'cmdlet parameters', values: 8500, failures: [] },
  ],
  canaryTriggered: false,
};
const secrets = {
  checks: [
    { where: '/proc argv and environ', unit: 'processes', scanned: 12, found: 0 },
    { where: 'stderr of exo doctor', unit: 'bytes', scanned: 5_710, found: 0 },
    { where: 'stdout of exo doctor', unit: 'bytes', scanned: 40_437, found: 0 },
  ],
};
const faults = {
  generatedAt: '2026-11-25T11:00:00Z',
  durationMs: 250_000,
  filesystem: { readOnly: 'bind-mount', fullDisk: 'tmpfs' },
  cases: [
    {
      state: 'policy',
      kind: 'abort',
      fault: 'abort (AbortSignal)',
      expected: 'ABORTED',
      code: 'ABORTED',
      sessionsAfter: 0,
      processesAfter: 0,
      dataIntact: true,
      ok: true,
      ms: 4000,
    },
    {
      state: 'mid-stream',
      kind: 'abort',
      fault: 'abort (AbortSignal)',
      expected: 'ABORTED',
      code: 'ABORTED',
      sessionsAfter: 0,
      processesAfter: 0,
      dataIntact: true,
      ok: true,
      ms: 5000,
    },
    {
      state: 'session',
      kind: 'read-only',
      fault: 'read-only tenant | EROFS',
      expected: 'CMDLET_ERROR',
      code: 'TIMEOUT',
      sessionsAfter: 0,
      processesAfter: 1,
      dataIntact: true,
      ok: false,
      ms: 20_000,
      knownBug: 'sandbox lock',
    },
  ],
};
const load = {
  suite: 'load',
  generatedAt: '2026-11-25T11:30:00Z',
  durationMs: 90_000,
  machine: { cpu: 'Test CPU', cores: 2, node: 'v20.20.2', pwsh: '7.6.9' },
  cycles: {
    planned: 3,
    completed: 3,
    answered: 3,
    failures: [],
    leakedProcesses: 0,
    sessionChecks: [{ cycle: 3, sessions: 0 }],
    timings: {
      connectMs: { min: 900, p50: 1000, p95: 1200, max: 1300 },
      invokeMs: { min: 10, p50: 12, p95: 20, max: 25 },
      disconnectMs: { min: 100, p50: 110, p95: 130, max: 140 },
    },
    memory: {
      node: { first: 100, last: 104, max: 105, growthMb: 2, slopeKbPerCycle: 1.5 },
      host: { first: 180, last: 181, max: 185, growthMb: 0.5 },
    },
    samples: [
      { cycle: 1, nodeRssMb: 100, hostRssMb: 180, serverRssMb: 150 },
      { cycle: 2, nodeRssMb: 102, hostRssMb: 185, serverRssMb: 151 },
      { cycle: 3, nodeRssMb: 104, hostRssMb: 181, serverRssMb: 150 },
    ],
  },
  burst: {
    commands: 200,
    sessions: 3,
    durationMs: 4000,
    commandsPerSecond: 50,
    answered: 180,
    failedWithCode: 20,
    unexpected: [],
    byCode: { none: 180, CMDLET_ERROR: 20 },
    latencyMs: { p50: 900, p95: 2000, max: 2500 },
    memory: { node: { max: 120 }, hostsMaxMb: 200, serversMaxMb: 170 },
    leakedProcesses: 0,
    sessionsAfter: 0,
    samples: [
      { ms: 0, nodeRssMb: 110, hostsRssMb: [180, 181, 182], serversRssMb: [150, 150, 151] },
      { ms: 250, nodeRssMb: 115, hostsRssMb: [190, 191, 192], serversRssMb: [160, 160, 161] },
    ],
  },
};
const badInput = {
  cases: [
    {
      area: 'config file',
      input: 'exo profile list',
      expected: { code: 'INVALID_ARGUMENT', exit: 2 },
      got: { exit: 2, code: 'INVALID_ARGUMENT' },
      ok: true,
    },
    {
      input: 'exo run get-mailbox',
      expectedCode: 'INVALID_ARGUMENT',
      gotCode: 'INVALID_ARGUMENT',
      exitCode: 2,
      ok: true,
    },
    {
      input: 'proxy http://[::1',
      expectedCode: 'INVALID_ARGUMENT',
      gotCode: 'INVALID_ARGUMENT',
      exitCode: 2,
      ok: true,
    },
  ],
};

function input(results: Partial<Record<SuiteName, Loaded>>): ReportInput {
  return {
    generatedAt: at,
    machine: {
      platform: 'linux x64',
      cpu: 'Test CPU',
      cores: 2,
      memoryGb: 24,
      node: 'v20.20.2',
      pwsh: '7.6.9',
    },
    versions: { '@exo-connect/core': '0.1.0' },
    commit: 'abc1234',
    run: {
      exitCode: 0,
      durationMs: 300_000,
      passed: 80,
      failed: 0,
      skipped: 0,
      files: [{ file: 'test/faults.test.ts', passed: 50, failed: 0, skipped: 0 }],
    },
    results: {
      injection: missing('injection'),
      secrets: missing('secrets'),
      faults: missing('faults'),
      load: missing('load'),
      'load-rest': missing('load-rest'),
      soak: missing('soak'),
      'soak-rest': missing('soak-rest'),
      'bad-input': missing('bad-input'),
      ...results,
    },
  };
}

describe('table and cell', () => {
  it('escapes pipes, backslashes and newlines so data never breaks a row', () => {
    expect(cell('a|b\\c\nd')).toBe('a\\|b\\\\c d');
    expect(cell(undefined)).toBe('');
    expect(cell({ x: 1 })).toBe('{"x":1}');
    expect(table(['a', 'b'], [[1, 'x|y']])).toBe('| a | b |\n|---|---|\n| 1 | x\\|y |');
  });
});

describe('suite sections', () => {
  it('sums the values tried per path and reports the canary', () => {
    const s = injectionSection(ok(injection));
    expect(s.ok).toBe(true);
    expect(s.figures).toBe('10,500 values through 2 paths; 0 failures; canary never triggered');
    expect(s.body).toContain('| cmdlet parameters | 8,500 | 0 |');
    const fired = injectionSection(ok({ ...injection, canaryTriggered: true }));
    expect(fired.ok).toBe(false);
    expect(fired.leaks).toEqual(['injection: the canary file appeared (a payload executed)']);
  });

  it('counts failures given as a list or as a number', () => {
    const s = injectionSection(
      ok({
        paths: [
          { path: 'p', values: 10, failures: ['"x" came back as "y"'] },
          { path: 'q', values: 5, failures: 2 },
        ],
      }),
    );
    expect(s.ok).toBe(false);
    expect(s.figures).toContain('3 failures');
    expect(s.body).toContain('- p: "x" came back as "y"');
  });

  it('totals what was scanned per unit and lists every place the password was found as a leak', () => {
    const s = secretsSection(ok(secrets));
    expect(s).toMatchObject({ ok: true, leaks: [] });
    expect(s.figures).toBe('3 places checked (12 processes, 46,147 bytes scanned); password found in 0');
    expect(s.body).toContain('| stderr of exo doctor | 5,710 bytes | 0 |');
    const found = secretsSection(
      ok({ checks: [...secrets.checks, { where: 'a log file', scanned: 3, found: 1 }] }),
    );
    expect(found.ok).toBe(false);
    expect(found.leaks).toEqual(['secrets: the password was found in a log file']);
  });

  it('draws the fault matrix by kind and state, and lists leftovers as leaks', () => {
    const s = faultsSection(ok(faults));
    expect(s.ok).toBe(false);
    expect(s.figures).toBe('3 faults injected, 2 survived (1 failing on a known bug)');
    expect(s.body).toContain('| abort | ✓ ABORTED | — | — | — | — | ✓ ABORTED |');
    expect(s.body).toContain('| read-only | — | — | ✗ TIMEOUT (want CMDLET_ERROR, known bug) | — | — | — |');
    // Data with a pipe stays inside its cell.
    expect(s.body).toContain('read-only tenant \\| EROFS');
    expect(s.leaks).toEqual(['faults: session × read-only tenant | EROFS: 1 process(es) left']);
  });

  it("lists a rest case's requests left in flight as a leak", () => {
    const rest = {
      cases: [
        {
          state: 'mid-stream',
          kind: 'rest: reset mid-page',
          fault: 'rest: reset mid-page',
          expected: 'SESSION_BROKEN',
          code: 'SESSION_BROKEN',
          sessionsAfter: 0,
          processesAfter: 0,
          dataIntact: true,
          ok: false,
          ms: 900,
          strategy: 'rest',
          inFlightAfter: 2,
        },
      ],
    };
    const s = faultsSection(ok(rest));
    expect(s.body).toContain(
      '| rest: reset mid-page | — | — | — | — | — | ✗ SESSION_BROKEN (want SESSION_BROKEN) |',
    );
    expect(s.leaks).toEqual(['faults: mid-stream × rest: reset mid-page: 2 HTTP request(s) left in flight']);
  });

  it('renders load figures, timings and memory curves', () => {
    const s = loadSection(ok(load), false);
    expect(s.ok).toBe(true);
    expect(s.leaks).toEqual([]);
    expect(s.body).toContain(
      '**3 connect → invoke → disconnect cycles** (of 3): 3 answered, 0 failed with a code',
    );
    expect(s.body).toContain('| connect | 900 ms | 1000 ms | 1200 ms | 1300 ms |');
    expect(s.body).toContain('| Node | 100.0 MB | 104.0 MB | 105.0 MB | +2.0 MB | 1.5 KB/cycle |');
    expect(s.body).toMatch(/Node RSS +▁▅█ {2}100 → 104 MB \(min 100, max 104\)/);
    expect(s.body).toContain('**Burst: 200 commands at once across 3 sessions**');
    expect(s.body).toContain('CMDLET_ERROR 20');
    expect(s.body).toMatch(/3 hosts +▁█ {2}543 → 573 MB/);
  });

  it('counts leaked processes and live sessions of a load run as leaks', () => {
    const leaky = {
      ...load,
      cycles: { ...load.cycles, leakedProcesses: 2, sessionChecks: [{ cycle: 25, sessions: 1 }] },
    };
    const s = loadSection(ok(leaky), true);
    expect(s.ok).toBe(false);
    expect(s.leaks).toEqual([
      'soak: 2 process(es) outlived their connection',
      'soak: 1 session(s) live after cycle 25',
    ]);
  });

  it("renders the rest strategy's cycles and long-lived connection, and counts what they left as leaks", () => {
    const rest = {
      tokenLifetimeSeconds: 10,
      cycles: {
        planned: 2,
        completed: 2,
        answered: 2,
        failures: [],
        timings: { connectMs: { min: 40, p50: 50, p95: 60, max: 70 } },
        memory: { node: { first: 100, last: 101, max: 101, growthMb: 1 } },
        samples: [
          { cycle: 1, nodeRssMb: 100 },
          { cycle: 2, nodeRssMb: 101 },
        ],
      },
      live: { durationMs: 45_000, calls: 300, failures: [], tokenRequests: 9 },
      inFlightAfter: 0,
      socketsAfter: 0,
    };
    const s = loadSection(ok({ ...load, rest }), false);
    expect(s.ok).toBe(true);
    expect(s.body).toContain(
      '**rest strategy: 2 connect → invoke → stream (2 pages) → `$batch` → disconnect cycles** (of 2)',
    );
    expect(s.body).toContain(
      '**one connection kept busy for 45.0 s** with access tokens of 10 s: 300 calls, 0 failed, 9 token requests',
    );
    expect(s.figures).toContain('2 rest cycles and 45.0 s on one rest connection');
    const leaky = loadSection(
      ok({
        ...load,
        rest: { ...rest, socketsAfter: 2, inFlightAfter: 1, live: { ...rest.live, failures: ['TIMEOUT'] } },
      }),
      false,
    );
    expect(leaky.ok).toBe(false);
    expect(leaky.leaks).toEqual([
      'load rest: 2 socket(s) left open',
      'load rest: 1 request(s) left in flight',
    ]);
    expect(leaky.body).toContain('1 failed (TIMEOUT)');
  });

  it("takes the rest part from its own file when there is one, with that file's date", () => {
    const rest = {
      tokenLifetimeSeconds: 10,
      cycles: { planned: 1000, completed: 1000, answered: 1000, failures: [] },
      live: { durationMs: 300_000, calls: 2600, failures: [], tokenRequests: 60 },
      inFlightAfter: 0,
      socketsAfter: 0,
    };
    const restFile = ok({ suite: 'soak-rest', rest, generatedAt: '2026-12-08T05:10:00.000Z' });
    const s = loadSection(ok(load), true, restFile);
    expect(s.ok).toBe(true);
    expect(s.body).toContain(
      '(Generated 2026-12-08T05:10:00Z.) **rest strategy: 1,000 connect → invoke → stream (2 pages) → `$batch` → disconnect cycles** (of 1,000)',
    );
    expect(s.figures).toContain('1,000 rest cycles and 300.0 s on one rest connection');
  });

  it('renders bad input as a table of whatever fields its cases have', () => {
    const s = badInputSection(ok(badInput));
    expect(s.ok).toBe(true);
    expect(s.figures).toBe('3 cases, 3 gave the documented code, remedy and exit code');
    expect(s.body).toContain('| area | input | expected | got | ok | expectedCode | gotCode | exitCode |');
    expect(s.body).toContain(
      '| config file | exo profile list | code INVALID_ARGUMENT, exit 2 | exit 2, code INVALID_ARGUMENT | ✓ |',
    );
    expect(s.body).toContain(
      '|  | exo run get-mailbox |  |  | ✓ | INVALID_ARGUMENT | INVALID_ARGUMENT | 2 |',
    );
    const failed = badInputSection(ok({ cases: [...badInput.cases, { input: 'x', ok: false }] }));
    expect(failed.ok).toBe(false);
  });

  it('says "not run" for a missing file and names an unreadable one', () => {
    expect(faultsSection(missing('faults'))).toMatchObject({ ok: undefined, figures: 'not run' });
    expect(loadSection(missing('soak'), true).body).toContain('`pnpm soak`');
    const broken = injectionSection({
      status: 'unreadable',
      file: '/r/injection.json',
      error: 'not JSON: x',
    });
    expect(broken.body).toBe('Unreadable result file `/r/injection.json`: not JSON: x.');
  });

  it('does not trust field types: wrong shapes render as unknown, not as a crash', () => {
    const s = faultsSection(ok({ cases: [{ state: 3, ok: 'yes', code: null }, 'junk'] }));
    expect(s.ok).toBe(false);
    expect(loadSection(ok({ cycles: 'x', burst: 7 }), false).ok).toBe(false);
    expect(injectionSection(ok(null)).ok).toBe(false);
  });
});

describe('renderReport', () => {
  it('puts the date, machine, summary and leaks first, then every suite', () => {
    const md = renderReport(
      input({
        injection: ok(injection),
        secrets: ok(secrets),
        faults: ok(faults),
        load: ok(load),
        'bad-input': ok(badInput),
      }),
    );
    expect(md.startsWith('# exo-connect reliability report\n\nGenerated 2026-11-25T12:00:00Z')).toBe(true);
    expect(md).toContain(
      'Machine: linux x64, Test CPU, 2 cores, 24 GB; Node v20.20.2; pwsh 7.6.9. Commit abc1234.',
    );
    expect(md).toContain(
      '| Injection | ✓ | 10,500 values through 2 paths; 0 failures; canary never triggered |',
    );
    expect(md).toContain('| Soak | not run | not run |');
    expect(md).toContain('| Test run | ✓ | vitest: 80 passed, 0 failed, 0 skipped in 300.0 s (exit 0) |');
    expect(md).toContain(
      '## Leaks found\n\n- faults: session × read-only tenant | EROFS: 1 process(es) left',
    );
    for (const title of [
      '## Injection',
      '## Secrets',
      '## Faults injected',
      '## Load',
      '## Soak',
      '## Bad input',
      '## Test run',
    ])
      expect(md).toContain(title);
  });

  it('renders a report with no result files at all', () => {
    const md = renderReport({ ...input({}), run: undefined });
    expect(md).toContain('| Faults | not run | not run |');
    expect(md).toContain('| Test run | not run | not run (--no-run) |');
    expect(md).toContain('None: no session, process or changed data was left');
  });
});
