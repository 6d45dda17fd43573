import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { installFakeSecretTool } from '@exo-connect/test-utils';
import { benchEnv } from '../context.js';
import { formatMs, formatRatio } from '../format.js';
import { EXO_BIN } from '../runtime/paths.js';
import { assertSucceeded, type ProcessRun, runProcess } from '../runtime/run-process.js';
import { median } from '../stats.js';
import { evaluateTarget } from '../targets.js';
import { compare, inTurn, measurement, medianOf, type ScenarioRun } from './common.js';

const SIGN_IN_TEXT = 'To sign in, use a web browser';

function checkOne(run: ProcessRun, what: string): void {
  const rows = JSON.parse(run.stdout) as Array<{ Alias?: string }>;
  if (!Array.isArray(rows) || rows.length !== 1 || typeof rows[0]?.Alias !== 'string') {
    throw new Error(`${what} did not print 1 mailbox as JSON`);
  }
}

/** `exo sandbox serve`, kept running for the scenario: its first line (JSON) says it is up. */
async function serve(child: ChildProcess): Promise<void> {
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-2000);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exo sandbox serve exited ${code}: ${err.trim()}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Scenario 12: `exo run Get-Mailbox -o json -- -ResultSize 1 --strategy rest` whose sign-in comes from the
 * token cache (a device code sign-in remembered in the keychain by a first run), beside `exo endpoints list
 * --json`, a command that connects to nothing: both spawn → exit, alternating.
 */
export const cliRest: ScenarioRun = async (ctx, result) => {
  const { warmup, reps } = ctx.options.cli;
  const command = 'exo run Get-Mailbox --strategy rest --device-code -o json -- -ResultSize 1';
  result.parameters = { repetitions: reps, warmup, command, baseline: 'exo endpoints list --json' };
  const tenant = await ctx.tenant('cli-rest', 25);
  const config = await ctx.resources.dir('cli-rest-config');
  const keychainBin = await ctx.resources.dir('cli-rest-keychain');
  await installFakeSecretTool(keychainBin);
  const env = benchEnv({
    EXO_SANDBOX_DIR: tenant.dir,
    EXO_CONFIG_DIR: config,
    PATH: `${keychainBin}:${process.env.PATH ?? ''}`,
    // The keychain is the stand-in secret-tool above (it keeps items as files in its directory), never the
    // user's own: the bus address only makes exo look for one.
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent-exo-bench-bus',
  });
  const server = ctx.resources.track(
    spawn(process.execPath, [EXO_BIN, 'sandbox', 'serve', '--json', '--workers', '1', '--auto-approve'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    }),
  );
  const undo = ctx.resources.defer(() => stop(server));
  try {
    await serve(server);
    const args = [EXO_BIN, ...command.slice('exo '.length).split(' ')];
    const exoRun = () => runProcess(ctx.resources, process.execPath, args, { env, timeoutMs: 180_000 });
    // The first run signs in by device code (the sandbox approves it) and leaves the tokens in the keychain.
    const first = await exoRun();
    assertSucceeded(first, 'the first exo run');
    if (!first.stderr.includes(SIGN_IN_TEXT))
      throw new Error('the first exo run did not sign in by device code');
    const items = (await readdir(keychainBin)).filter((f) => f.startsWith('item-')).length;
    if (items === 0) throw new Error('the first exo run left nothing in the keychain');

    const exoMs: number[] = [];
    const listMs: number[] = [];
    for (let round = 0; round < warmup + reps; round++) {
      const measured = round >= warmup;
      const runExo = async () => {
        const run = await exoRun();
        assertSucceeded(run, 'exo run');
        checkOne(run, 'exo run');
        if (run.stderr.includes(SIGN_IN_TEXT))
          throw new Error('exo run signed in again: the token cache missed');
        if (measured) exoMs.push(run.wallMs);
      };
      const runList = async () => {
        const run = await runProcess(
          ctx.resources,
          process.execPath,
          [EXO_BIN, 'endpoints', 'list', '--json'],
          {
            env,
            timeoutMs: 60_000,
          },
        );
        assertSucceeded(run, 'exo endpoints list');
        JSON.parse(run.stdout);
        if (measured) listMs.push(run.wallMs);
      };
      await inTurn(round, runExo, runList);
      ctx.log(`  round ${round + 1}/${warmup + reps}`);
    }
    result.measurements.push(
      measurement(
        'exo',
        'exo run … --strategy rest, token from the cache (spawn → exit)',
        'ms',
        'lower',
        exoMs,
      ),
      measurement('list', 'exo endpoints list --json (spawn → exit)', 'ms', 'lower', listMs),
    );
    const c = compare(
      'exo run (rest, cached) ÷ exo endpoints list',
      { id: 'exo', rounds: exoMs },
      {
        id: 'list',
        rounds: listMs,
      },
    );
    result.comparisons.push(c);
    result.targets.push(
      evaluateTarget(
        'exo run Get-Mailbox -o json -- -ResultSize 1 with a cached token ≤ 1.5× exo endpoints list --json',
        c.medianRatio,
        'atMost',
        1.5,
        (v) => `${formatRatio(v)} (${formatMs(median(exoMs))} vs ${formatMs(median(listMs))})`,
      ),
    );
    result.profile.push({
      label: 'the first exo run (device code sign-in, tokens written to the keychain)',
      value: medianOf([first.wallMs], (v) => v),
      unit: 'ms',
      note: `${items} keychain items`,
    });
    result.notes.push(
      `The sandbox's REST face is \`exo sandbox serve\`, started once for the scenario (exo run uses it, as it would on a workstation). The keychain is a stand-in secret-tool with libsecret's contract, one process per item read, as the real one is; what a real keychain's unlock costs is not counted.`,
    );
  } finally {
    await stop(server);
    undo();
  }
};
