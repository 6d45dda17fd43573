import { type Json, type Loaded, list, num, numbers, obj, type SuiteName, text } from './results.js';
import { sparkline } from './sparkline.js';

export interface MachineInfo {
  platform: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  pwsh: string;
}

export interface TestFileRun {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
}

/** The vitest run the report command made (absent with --no-run). */
export interface TestRun {
  exitCode: number | null;
  durationMs: number;
  passed: number;
  failed: number;
  skipped: number;
  files: TestFileRun[];
}

export interface ReportInput {
  generatedAt: Date;
  machine: MachineInfo;
  /** Package name → version. */
  versions: Record<string, string>;
  commit?: string;
  run?: TestRun;
  results: Record<SuiteName, Loaded>;
}

const STATES = ['policy', 'credential', 'session', 'import', 'ready', 'mid-stream'];

// ---- formatting ----

export function cell(value: unknown): string {
  const s =
    value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown table; every cell is escaped so that data never breaks the table. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const line = (cells: readonly unknown[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

export function count(n: number | undefined): string {
  return n === undefined ? '?' : n.toLocaleString('en-US');
}

function mb(n: unknown): string {
  const v = num(n);
  return v === undefined ? '–' : `${v.toFixed(1)} MB`;
}

function ms(n: unknown): string {
  const v = num(n);
  if (v === undefined) return '–';
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

function when(loaded: Loaded & { status: 'ok' }): string {
  const stamp = text(obj(loaded.data).generatedAt);
  const date = stamp ? new Date(stamp) : loaded.modified;
  return Number.isNaN(date.getTime()) ? 'unknown' : date.toISOString().replace(/\.\d+Z$/, 'Z');
}

function notRun(loaded: Loaded, how: string): string {
  if (loaded.status === 'unreadable') return `Unreadable result file \`${loaded.file}\`: ${loaded.error}.`;
  return `Not run (no \`results/${loaded.file.split(/[\\/]/).pop()}\`). ${how}`;
}

/** A nested object as `key value, key value` (for free-form result fields). */
export function compact(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(compact).join(', ');
  return Object.entries(value)
    .map(([k, v]) => `${k} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** ✓ when ok, ✗ when not, for summary cells. */
const mark = (ok: boolean) => (ok ? '✓' : '✗');

// ---- suites ----

interface Section {
  /** Its name in the summary. */
  name: string;
  title: string;
  /** Summary row: ok (undefined = not run), figures. */
  ok: boolean | undefined;
  figures: string;
  body: string;
  leaks: string[];
}

/** The section of a suite whose results are missing or unreadable. */
function notRunSection(
  name: string,
  title: string,
  loaded: Loaded,
  how = 'Run `pnpm reliability:report`.',
): Section {
  return { name, title, ok: undefined, figures: 'not run', body: notRun(loaded, how), leaks: [] };
}

export function injectionSection(loaded: Loaded): Section {
  const name = 'Injection';
  const title = 'Injection: values tried per path';
  if (loaded.status !== 'ok') return notRunSection(name, title, loaded);
  const data = obj(loaded.data);
  const paths = list(data.paths);
  const values = paths.reduce((s, p) => s + (num(p.values) ?? 0), 0);
  const failures = paths.reduce((s, p) => s + failureCount(p.failures), 0);
  const canary = data.canaryTriggered === true;
  const ok = failures === 0 && !canary && paths.length > 0;
  const figures = `${count(values)} values through ${paths.length} paths; ${count(failures)} failures; canary ${canary ? 'TRIGGERED' : 'never triggered'}`;
  const body = [
    `Generated ${when(loaded)}. Each value must arrive as the same data, and a canary file that any executed payload would create must never appear: it ${canary ? '**appeared**' : 'never appeared'}.`,
    '',
    table(
      ['path', 'values', 'failures'],
      paths.map((p) => [text(p.path) ?? '?', count(num(p.values)), count(failureCount(p.failures))]),
    ),
    ...failureExamples(paths),
  ].join('\n');
  return {
    name,
    title,
    ok,
    figures,
    body,
    leaks: canary ? ['injection: the canary file appeared (a payload executed)'] : [],
  };
}

function failureCount(value: unknown): number {
  return Array.isArray(value) ? value.length : (num(value) ?? 0);
}

function failureExamples(paths: Json[]): string[] {
  const examples = paths.flatMap((p) =>
    Array.isArray(p.failures) ? p.failures.slice(0, 3).map((f) => `- ${text(p.path)}: ${cell(f)}`) : [],
  );
  return examples.length ? ['', 'First failures:', '', ...examples] : [];
}

export function secretsSection(loaded: Loaded): Section {
  const name = 'Secrets';
  const title = 'Secrets';
  if (loaded.status !== 'ok') return notRunSection(name, title, loaded);
  const checks = list(obj(loaded.data).checks);
  const found = checks.filter((c) => (num(c.found) ?? (c.found ? 1 : 0)) > 0);
  // Totals per unit (bytes, processes, …): adding bytes to processes would mean nothing.
  const totals = new Map<string, number>();
  for (const c of checks) {
    const unit = text(c.unit) ?? 'items';
    totals.set(unit, (totals.get(unit) ?? 0) + (num(c.scanned) ?? 0));
  }
  const scanned = [...totals].map(([unit, n]) => `${count(n)} ${unit}`).join(', ');
  return {
    name,
    title,
    ok: found.length === 0 && checks.length > 0,
    figures: `${checks.length} places checked (${scanned || 'nothing'} scanned); password found in ${found.length}`,
    body: [
      `Generated ${when(loaded)}.`,
      '',
      table(
        ['where', 'scanned', 'found'],
        checks.map((c) => [
          text(c.where) ?? '?',
          `${count(num(c.scanned))}${text(c.unit) ? ` ${text(c.unit)}` : ''}`,
          text(c.found) ?? cell(c.found),
        ]),
      ),
    ].join('\n'),
    leaks: found.map((c) => `secrets: the password was found in ${text(c.where) ?? '?'}`),
  };
}

export function faultsSection(loaded: Loaded): Section {
  const name = 'Faults';
  const title = 'Faults injected';
  if (loaded.status !== 'ok') return notRunSection(name, title, loaded);
  const data = obj(loaded.data);
  const cases = list(data.cases);
  const survived = cases.filter((c) => c.ok === true);
  const known = cases.filter((c) => c.ok !== true && text(c.knownBug));
  const kinds = [...new Set(cases.map((c) => text(c.kind) ?? text(c.fault) ?? '?'))];
  const grid = kinds.map((kind) => [
    kind,
    ...STATES.map((state) => {
      const c = cases.find((x) => (text(x.kind) ?? text(x.fault)) === kind && x.state === state);
      if (!c) return '—';
      const code = text(c.code) ?? '?';
      if (c.ok === true) return `✓ ${code}`;
      const want = [text(c.expected) ? `want ${text(c.expected)}` : '', text(c.knownBug) ? 'known bug' : '']
        .filter(Boolean)
        .join(', ');
      return `✗ ${code}${want ? ` (${want})` : ''}`;
    }),
  ]);
  const fs = obj(data.filesystem);
  const leaks = cases.flatMap((c) => {
    const where = `faults: ${text(c.state)} × ${text(c.fault)}`;
    const out: string[] = [];
    if ((num(c.sessionsAfter) ?? 0) > 0)
      out.push(`${where}: ${num(c.sessionsAfter)} sandbox session(s) left`);
    if ((num(c.processesAfter) ?? 0) > 0) out.push(`${where}: ${num(c.processesAfter)} process(es) left`);
    if (c.dataIntact === false) out.push(`${where}: tenant data changed`);
    if ((num(c.inFlightAfter) ?? 0) > 0)
      out.push(`${where}: ${num(c.inFlightAfter)} HTTP request(s) left in flight`);
    return out;
  });
  const body = [
    `Generated ${when(loaded)}; ${count(cases.length)} faults in ${ms(data.durationMs)}. After each: live sandbox sessions (the sandbox's own count, once cleanup is due), processes left that carry the test tenant's directory in their environment, the typed error the caller saw, and the tenant's data (the sandbox's integrity check, the mailbox count, the bytes of every data file). The rest strategy's rows (\`rest: …\`) also count the HTTP requests left in flight, and compare counts and integrity, not bytes (they write).` +
      (text(fs.readOnly)
        ? ` Read-only directories: ${text(fs.readOnly)}; full disk: ${text(fs.fullDisk) ?? '?'}.`
        : ''),
    '',
    table(['fault', ...STATES], grid),
    '',
    '<details><summary>Every case</summary>',
    '',
    table(
      [
        'state',
        'fault',
        'expected',
        'got',
        'sessions after',
        'processes after',
        'data intact',
        'ok',
        'time',
        'note',
      ],
      cases.map((c) => [
        text(c.state),
        text(c.fault),
        text(c.expected) ?? '',
        text(c.code),
        count(num(c.sessionsAfter)),
        count(num(c.processesAfter)),
        c.dataIntact === true ? 'yes' : c.dataIntact === false ? 'NO' : '?',
        c.ok === true ? '✓' : '✗',
        ms(c.ms),
        text(c.note) ?? '',
      ]),
    ),
    '',
    '</details>',
  ].join('\n');
  return {
    name,
    title,
    ok: cases.length > 0 && survived.length === cases.length,
    figures: `${count(cases.length)} faults injected, ${count(survived.length)} survived${known.length ? ` (${known.length} failing on a known bug)` : ''}`,
    body,
    leaks,
  };
}

function curve(label: string, values: number[]): string[] {
  if (values.length === 0) return [];
  const first = values[0]!;
  const last = values.at(-1)!;
  return [
    `${label.padEnd(12)} ${sparkline(values)}  ${first.toFixed(0)} → ${last.toFixed(0)} MB (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`,
  ];
}

function memoryRow(name: string, m: unknown): unknown[] {
  const v = obj(m);
  const slope = num(v.slopeKbPerCycle);
  return [
    name,
    mb(v.first),
    mb(v.last),
    mb(v.max),
    num(v.growthMb) === undefined
      ? '–'
      : `${num(v.growthMb)! >= 0 ? '+' : ''}${num(v.growthMb)!.toFixed(1)} MB`,
    slope === undefined ? '' : `${slope.toFixed(1)} KB/cycle`,
  ];
}

export function loadSection(loaded: Loaded, soak: boolean, restLoaded?: Loaded): Section {
  const title = soak ? 'Soak' : 'Load';
  const name = title;
  const how = soak
    ? 'The soak runs apart from the report: `pnpm soak` (1,000 cycles; `EXO_SOAK_CYCLES=n` for another count), then `pnpm reliability:report`.'
    : 'Run `pnpm reliability:report`.';
  if (loaded.status !== 'ok') return notRunSection(name, title, loaded, how);
  const data = obj(loaded.data);
  const cycles = obj(data.cycles);
  const burst = obj(data.burst);
  const samples = list(cycles.samples);
  const timings = obj(cycles.timings);
  const memory = obj(cycles.memory);
  const failures = list(cycles.failures);
  const leakedProcesses = num(cycles.leakedProcesses) ?? 0;
  const sessionChecks = list(cycles.sessionChecks);
  const sessionsLeft = sessionChecks.filter((c) => (num(c.sessions) ?? 0) > 0);
  const unexpected = list(burst.unexpected);
  const burstLeaks = (num(burst.leakedProcesses) ?? 0) + (num(burst.sessionsAfter) ?? 0);
  const leaks = [
    ...(leakedProcesses
      ? [`${title.toLowerCase()}: ${leakedProcesses} process(es) outlived their connection`]
      : []),
    ...sessionsLeft.map(
      (c) => `${title.toLowerCase()}: ${num(c.sessions)} session(s) live after cycle ${num(c.cycle)}`,
    ),
    ...(burstLeaks ? [`${title.toLowerCase()} burst: ${burstLeaks} process(es)/session(s) left`] : []),
  ];
  // The rest part's own file (load-rest.json, soak-rest.json), else what an older run kept in this one.
  const restFile = restLoaded?.status === 'ok' ? obj(restLoaded.data) : undefined;
  const rest = restPart(
    restFile ? obj(restFile.rest) : obj(data.rest),
    title,
    restFile && restLoaded?.status === 'ok' ? when(restLoaded) : undefined,
  );
  leaks.push(...rest.leaks);
  const completed = num(cycles.completed) ?? samples.length;
  const planned = num(cycles.planned) ?? completed;
  const ok =
    completed === planned &&
    completed > 0 &&
    leaks.length === 0 &&
    failures.length <= Math.floor(planned / 100) &&
    (Object.keys(burst).length === 0 || unexpected.length === 0) &&
    rest.ok !== false;
  const column = (key: string) => samples.map((s) => num(s[key])).filter((v): v is number => v !== undefined);
  const machine = obj(data.machine);
  const body: string[] = [
    `Generated ${when(loaded)} in ${ms(data.durationMs)}${text(machine.cpu) ? ` on ${text(machine.cpu)} (${num(machine.cores)} cores), Node ${text(machine.node)}, pwsh ${text(machine.pwsh)}` : ''}.`,
    '',
    `**${count(completed)} connect → invoke → disconnect cycles** (of ${count(planned)}): ${count(num(cycles.answered))} answered, ${failures.length} failed with a code${failures.length ? ` (${failures.map((f) => `#${num(f.cycle)} ${text(f.code)}`).join(', ')})` : ''}; ${leakedProcesses} process(es) outlived their connection; live sessions at ${sessionChecks.length} checks: ${sessionChecks.length ? [...new Set(sessionChecks.map((c) => num(c.sessions)))].join(', ') : '–'}.`,
    '',
    timingsTable('per cycle', ['connectMs', 'invokeMs', 'disconnectMs'], timings),
    '',
    memoryTable('memory (RSS)', [
      ['Node', memory.node],
      ['Node heap used', memory.heapUsed],
      ['pwsh host', memory.host],
      ['session server', memory.server],
    ]),
    '',
    'Memory curves, one bar per cycle (or per bucket of cycles):',
    '',
    '```',
    ...curve('Node RSS', column('nodeRssMb')),
    ...curve('pwsh host', column('hostRssMb')),
    ...curve('server', column('serverRssMb')),
    '```',
  ];
  if (Object.keys(burst).length) {
    const bm = obj(burst.memory);
    const latency = obj(burst.latencyMs);
    const bs = list(burst.samples);
    const hosts = bs.map((s) => numbers(s.hostsRssMb).reduce((a, b) => a + b, 0));
    const servers = bs.map((s) => numbers(s.serversRssMb).reduce((a, b) => a + b, 0));
    const codes = Object.entries(obj(burst.byCode))
      .map(([k, v]) => `${k} ${num(v)}`)
      .join(', ');
    body.push(
      '',
      `**Burst: ${count(num(burst.commands))} commands at once across ${num(burst.sessions)} sessions**, in ${ms(burst.durationMs)} (${num(burst.commandsPerSecond)} commands/s): ${count(num(burst.answered))} answered, ${count(num(burst.failedWithCode))} failed with a code (${codes}), ${unexpected.length} unexpected; latency p50 ${ms(latency.p50)}, p95 ${ms(latency.p95)}, max ${ms(latency.max)}; ${num(burst.leakedProcesses) ?? '?'} process(es) and ${num(burst.sessionsAfter) ?? '?'} session(s) left. Peak RSS: Node ${mb(obj(bm.node).max)}, a host ${mb(bm.hostsMaxMb)}, a server ${mb(bm.serversMaxMb)}.`,
      '',
      '```',
      ...curve(
        'Node RSS',
        bs.map((s) => num(s.nodeRssMb) ?? 0),
      ),
      ...curve('3 hosts', hosts),
      ...curve('3 servers', servers),
      '```',
    );
  }
  body.push(...rest.body);
  const figures = `${count(completed)} cycles${Object.keys(burst).length ? `, ${count(num(burst.commands))}-command burst` : ''}${rest.figure}; ${leaks.length} leaks; Node RSS ${memoryFigure(memory.node)}, host ${mb(obj(memory.host).max)} max`;
  return { name, title, ok, figures, body: body.join('\n'), leaks };
}

/** The rest strategy's cycles and its long-lived connection, when the run had them (ok undefined: not run). */
function restPart(
  rest: Record<string, unknown>,
  title: string,
  generated?: string,
): { ok: boolean | undefined; body: string[]; leaks: string[]; figure: string } {
  if (Object.keys(rest).length === 0) return { ok: undefined, body: [], leaks: [], figure: '' };
  const cycles = obj(rest.cycles);
  const live = obj(rest.live);
  const failures = list(cycles.failures);
  const liveFailures = Array.isArray(live.failures) ? live.failures.map(String) : [];
  const timings = obj(cycles.timings);
  const memory = obj(cycles.memory);
  const completed = num(cycles.completed) ?? 0;
  const planned = num(cycles.planned) ?? completed;
  const socketsLeft = num(rest.socketsAfter) ?? 0;
  const inFlight = num(rest.inFlightAfter) ?? 0;
  const lower = title.toLowerCase();
  const leaks = [
    ...(socketsLeft > 0 ? [`${lower} rest: ${socketsLeft} socket(s) left open`] : []),
    ...(inFlight > 0 ? [`${lower} rest: ${inFlight} request(s) left in flight`] : []),
  ];
  const ok = completed === planned && completed > 0 && failures.length === 0 && liveFailures.length === 0;
  const samples = list(cycles.samples);
  const column = (key: string) => samples.map((s) => num(s[key])).filter((v): v is number => v !== undefined);
  const body = [
    '',
    `${generated ? `(Generated ${generated}.) ` : ''}**rest strategy: ${count(completed)} connect → invoke → stream (2 pages) → \`$batch\` → disconnect cycles** (of ${count(planned)}) against the sandbox's REST face: ${count(num(cycles.answered))} answered, ${failures.length} failed${failures.length ? ` (${failures.map((f) => `#${num(f.cycle)} ${text(f.code)}`).join(', ')})` : ''}. Then **one connection kept busy for ${ms(live.durationMs)}** with access tokens of ${num(rest.tokenLifetimeSeconds)} s: ${count(num(live.calls))} calls, ${liveFailures.length} failed${liveFailures.length ? ` (${[...new Set(liveFailures)].join(', ')})` : ''}, ${num(live.tokenRequests)} token requests (renewals). Afterwards ${inFlight} request(s) in flight and ${socketsLeft} socket(s) open.`,
    '',
    timingsTable('per rest cycle', ['connectMs', 'workMs', 'disconnectMs'], timings),
    '',
    memoryTable('memory (rest)', [
      ['Node', memory.node],
      ['Node heap used', memory.heapUsed],
      ['Node, long-lived connection', live.memory],
    ]),
    '',
    '```',
    ...curve('Node RSS (rest)', column('nodeRssMb')),
    '```',
  ];
  const figure = `, ${count(completed)} rest cycles and ${ms(live.durationMs)} on one rest connection`;
  return { ok, body, leaks, figure };
}

/** One row per memory series: first, last, max, growth after the warm-up, trend. */
function memoryTable(label: string, series: ReadonlyArray<readonly [string, unknown]>): string {
  return table(
    [label, 'first', 'last', 'max', 'growth after warm-up', 'trend'],
    series.map(([name, m]) => memoryRow(name, m)),
  );
}

/** min, p50, p95 and max of each timing (`connectMs` is shown as connect). */
function timingsTable(label: string, keys: string[], timings: Record<string, unknown>): string {
  return table(
    [label, 'min', 'p50', 'p95', 'max'],
    keys.map((k) => {
      const t = obj(timings[k]);
      return [k.replace('Ms', ''), ms(t.min), ms(t.p50), ms(t.p95), ms(t.max)];
    }),
  );
}

function memoryFigure(m: unknown): string {
  const v = obj(m);
  return `${mb(v.first)} → ${mb(v.last)}`;
}

export function badInputSection(loaded: Loaded): Section {
  const name = 'Bad input';
  const title = 'Bad input';
  if (loaded.status !== 'ok') return notRunSection(name, title, loaded);
  const cases = list(obj(loaded.data).cases);
  const passed = cases.filter((c) => c.ok === true);
  const keys = [...new Set(cases.flatMap((c) => Object.keys(c)))].slice(0, 8);
  return {
    name,
    title,
    ok: cases.length > 0 && passed.length === cases.length,
    figures: `${count(cases.length)} cases, ${count(passed.length)} gave the documented code, remedy and exit code`,
    body: [
      `Generated ${when(loaded)}.`,
      '',
      table(
        keys,
        cases.map((c) => keys.map((k) => (k === 'ok' ? mark(c.ok === true) : compact(c[k])))),
      ),
    ].join('\n'),
    leaks: [],
  };
}

function runSection(run: TestRun | undefined): { ok: boolean | undefined; figures: string; body: string } {
  if (!run)
    return {
      ok: undefined,
      figures: 'not run (--no-run)',
      body: 'The tests were not run for this report (`--no-run`): it shows the result files as they were.',
    };
  return {
    ok: run.exitCode === 0,
    figures: `vitest: ${count(run.passed)} passed, ${count(run.failed)} failed, ${count(run.skipped)} skipped in ${ms(run.durationMs)} (exit ${run.exitCode ?? 'signal'})`,
    body: table(
      ['test file', 'passed', 'failed', 'skipped'],
      run.files.map((f) => [f.file, count(f.passed), count(f.failed), count(f.skipped)]),
    ),
  };
}

/** The whole REPORT.md. */
export function renderReport(input: ReportInput): string {
  const r = input.results;
  const sections = [
    injectionSection(r.injection),
    secretsSection(r.secrets),
    faultsSection(r.faults),
    loadSection(r.load, false, r['load-rest']),
    loadSection(r.soak, true, r['soak-rest']),
    badInputSection(r['bad-input']),
  ];
  const run = runSection(input.run);
  const leaks = sections.flatMap((s) => s.leaks);
  const m = input.machine;
  const versions = Object.entries(input.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const status = (ok: boolean | undefined) => (ok === undefined ? 'not run' : mark(ok));
  return [
    '# exo-connect reliability report',
    '',
    `Generated ${input.generatedAt.toISOString().replace(/\.\d+Z$/, 'Z')} by \`pnpm reliability:report\`, which runs this package's suites (vitest) and writes this file from their results (\`tooling/reliability/results/\`). See [README.md](README.md).`,
    '',
    `Machine: ${m.platform}, ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; Node ${m.node}; pwsh ${m.pwsh}.${input.commit ? ` Commit ${input.commit}.` : ''}`,
    `Packages: ${versions || '–'}.`,
    '',
    '## Summary',
    '',
    table(
      ['suite', 'result', 'figures'],
      [...sections.map((s) => [s.name, status(s.ok), s.figures]), ['Test run', status(run.ok), run.figures]],
    ),
    '',
    '## Leaks found',
    '',
    leaks.length
      ? leaks.map((l) => `- ${l}`).join('\n')
      : 'None: no session, process or changed data was left by any fault, cycle or burst that ran.',
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', s.body, '']),
    '## Test run',
    '',
    run.body,
    '',
  ].join('\n');
}
