import { parseArgs } from 'node:util';

export const SCENARIOS = [
  { id: 1, key: 'connect', title: 'Cold connect to ready' },
  { id: 2, key: 'warm', title: 'Warm call latency' },
  { id: 3, key: 'bulk', title: 'Bulk: 100,000 objects' },
  { id: 4, key: 'concurrency', title: 'Concurrency: 60 commands, limit 3' },
  { id: 5, key: 'cli', title: 'CLI: exo run end to end' },
  { id: 6, key: 'module', title: 'Module strategy vs rps' },
  { id: 7, key: 'rest', title: 'REST face: the sandbox server' },
  { id: 8, key: 'rest-connect', title: 'rest strategy: connect to ready' },
  { id: 9, key: 'rest-warm', title: 'rest strategy: warm call' },
  { id: 10, key: 'rest-stream', title: 'rest strategy: 100,000 mailboxes paged' },
  { id: 11, key: 'rest-many', title: 'rest strategy: 200 connections in one process' },
  { id: 12, key: 'cli-rest', title: 'CLI: exo run over rest with a cached token' },
] as const;

/** Names for several scenarios at once in --only. */
export const GROUPS: Record<string, number[]> = {
  // The rest strategy's client side (issue #16): all four share nothing but the run.
  'rest-client': [8, 9, 10, 11, 12],
};

export interface BenchOptions {
  mode: 'full' | 'quick';
  /** Scenario ids to run, in order. */
  only: number[];
  /** Write the results files (stdout always gets the table). */
  write: boolean;
  /** Path prefix of the results files, without extension; undefined: results/latest or results/partial. */
  out?: string;
  help: boolean;
  connect: { warmup: number; reps: number };
  warm: { warmup: number; calls: number };
  bulk: {
    /** Mailboxes in the tenant read back through the session. */
    mailboxes: number;
    /** Objects the bridge-only variant emits inside the host. */
    objects: number;
    /** Fresh-process repetitions of each bridge-only variant. */
    reps: number;
    /** Fresh-process repetitions of each remote variant (each reads the whole tenant). */
    remoteReps: number;
  };
  /**
   * latencyMs: the sandbox's CommandLatencyMs during the scenario, the round trip every Exchange Online call
   * costs; without it the sandbox's commands are pure local CPU, which parallelism cannot speed up on 2 cores.
   */
  concurrency: { warmup: number; rounds: number; commands: number; sessions: number; latencyMs: number };
  cli: { warmup: number; reps: number };
  module: { warmup: number; reps: number };
  /** Scenario 7: warm calls, the tenant paged (mailboxes), and `clients` at once making `callsPerClient` calls. */
  rest: {
    warmup: number;
    calls: number;
    mailboxes: number;
    clients: number;
    callsPerClient: number;
    workers: number;
  };
  /**
   * Scenarios 8–11 (the rest strategy's client): connect rounds, warm calls, the tenant streamed (fresh-process
   * reads of each variant), and connections open at once; `workers`: the sandbox server's engine workers.
   */
  restClient: {
    connectWarmup: number;
    connectReps: number;
    warmup: number;
    calls: number;
    mailboxes: number;
    streamReps: number;
    connections: number;
    workers: number;
  };
}

export const USAGE = `Usage: node dist/main.js [options]   (from the repo root: pnpm bench)

Runs the twelve scenarios of the benchmark against their baselines and prints the results; a full run of
all twelve writes results/latest.{json,md}, any other run results/partial.{json,md}.

  --quick               short run: small counts, fewer repetitions (minutes, not tens of minutes)
  --only=<list>         scenarios to run, by number or name: 1 connect, 2 warm, 3 bulk,
                        4 concurrency, 5 cli, 6 module, 7 rest, 8 rest-connect, 9 rest-warm,
                        10 rest-stream, 11 rest-many, 12 cli-rest, or rest-client for 8–12
                        (e.g. --only=2,bulk)
  --reps=<n>            repetitions for scenarios 1, 3, 4 (rounds), 5, 6, 8, 10 and 12
  --calls=<n>           warm calls in scenarios 2, 7 and 9 (default 200)
  --mailboxes=<n>       tenant size read back in scenarios 3, 7 and 10 (default 100000, max 100000)
  --objects=<n>         objects emitted by the bridge-only variant of scenario 3 (default 100000)
  --commands=<n>        commands in scenario 4 (default 60)
  --out=<prefix>        write <prefix>.json and <prefix>.md instead
  --no-write            print only
  --help

Every option can also come from the environment: EXO_BENCH_QUICK=1, EXO_BENCH_ONLY, EXO_BENCH_REPS,
EXO_BENCH_CALLS, EXO_BENCH_MAILBOXES, EXO_BENCH_OBJECTS, EXO_BENCH_COMMANDS, EXO_BENCH_OUT (flags win).`;

function positiveInt(name: string, raw: string | undefined, max = 10_000_000): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || Number(raw) > max) {
    throw new Error(`${name} must be a whole number from 1 to ${max}; got "${raw}"`);
  }
  return Number(raw);
}

/** Scenario ids from "1,bulk,6" (numbers or names, any order, duplicates dropped), in run order. */
export function parseOnly(raw: string): number[] {
  const ids = new Set<number>();
  for (const part of raw
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean)) {
    const group = GROUPS[part];
    const found = SCENARIOS.find((s) => String(s.id) === part || s.key === part);
    if (!found && !group) {
      throw new Error(
        `--only: unknown scenario "${part}"; use ${SCENARIOS.map((s) => `${s.id} or ${s.key}`).join(', ')}, or ${Object.keys(GROUPS).join(', ')}`,
      );
    }
    for (const id of group ?? [found!.id]) ids.add(id);
  }
  if (ids.size === 0) throw new Error('--only: name at least one scenario');
  return [...ids].sort((a, b) => a - b);
}

/** Reads flags (argv without node and the script) and EXO_BENCH_* variables; flags win. */
export function parseOptions(argv: string[], env: Record<string, string | undefined> = {}): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      reps: { type: 'string' },
      calls: { type: 'string' },
      mailboxes: { type: 'string' },
      objects: { type: 'string' },
      commands: { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const quick = values.quick ?? ['1', 'true', 'yes'].includes((env.EXO_BENCH_QUICK ?? '').toLowerCase());
  const pick = (flag: string | undefined, name: string) => flag ?? env[name];
  const reps = positiveInt('--reps', pick(values.reps, 'EXO_BENCH_REPS'), 1000);
  const calls = positiveInt('--calls', pick(values.calls, 'EXO_BENCH_CALLS'), 100_000);
  const mailboxes = positiveInt('--mailboxes', pick(values.mailboxes, 'EXO_BENCH_MAILBOXES'), 100_000);
  const objects = positiveInt('--objects', pick(values.objects, 'EXO_BENCH_OBJECTS'));
  const commands = positiveInt('--commands', pick(values.commands, 'EXO_BENCH_COMMANDS'), 100_000);
  const onlyRaw = pick(values.only, 'EXO_BENCH_ONLY');
  const out = pick(values.out, 'EXO_BENCH_OUT');

  return {
    mode: quick ? 'quick' : 'full',
    only: onlyRaw ? parseOnly(onlyRaw) : SCENARIOS.map((s) => s.id),
    write: !values['no-write'],
    out: out || undefined,
    help: values.help ?? false,
    connect: { warmup: 1, reps: reps ?? (quick ? 3 : 10) },
    warm: { warmup: quick ? 5 : 20, calls: calls ?? (quick ? 50 : 200) },
    bulk: {
      mailboxes: mailboxes ?? (quick ? 2000 : 100_000),
      objects: objects ?? (quick ? 20_000 : 100_000),
      reps: reps ?? (quick ? 1 : 3),
      remoteReps: reps ?? 1,
    },
    concurrency: {
      warmup: 1,
      rounds: reps ?? (quick ? 2 : 5),
      commands: commands ?? 60,
      sessions: 3,
      latencyMs: 150,
    },
    cli: { warmup: 1, reps: reps ?? (quick ? 3 : 8) },
    module: { warmup: 1, reps: reps ?? (quick ? 3 : 8) },
    rest: {
      warmup: quick ? 5 : 20,
      calls: calls ?? (quick ? 50 : 200),
      mailboxes: mailboxes ?? (quick ? 5000 : 100_000),
      clients: 50,
      callsPerClient: quick ? 4 : 20,
      workers: 2,
    },
    restClient: {
      connectWarmup: 1,
      connectReps: reps ?? (quick ? 3 : 10),
      warmup: quick ? 5 : 20,
      calls: calls ?? (quick ? 50 : 200),
      mailboxes: mailboxes ?? (quick ? 5000 : 100_000),
      streamReps: reps ?? (quick ? 1 : 3),
      connections: 200,
      workers: 2,
    },
  };
}
