import { tenantStatus } from '@exo-connect/sandbox';
import { benchEnv } from '../context.js';
import { formatRatio } from '../format.js';
import { EXO_BIN } from '../runtime/paths.js';
import { assertSucceeded, runProcess } from '../runtime/run-process.js';
import { rawScript } from './cold-connect.js';
import { compare, inTurn, measurement, medianOf, now, type ScenarioRun } from './common.js';

const RESULT_SIZE = 10;

function checkJson(stdout: string, what: string): void {
  const rows = JSON.parse(stdout) as Array<{ Alias?: string }>;
  if (!Array.isArray(rows) || rows.length !== RESULT_SIZE || typeof rows[0]?.Alias !== 'string') {
    throw new Error(`${what} did not print ${RESULT_SIZE} mailboxes as JSON`);
  }
}

/** Scenario 5: `exo run Get-Mailbox -o json -- -ResultSize 10` as a process vs a raw pwsh script doing the same. */
export const cli: ScenarioRun = async (ctx, result) => {
  const { warmup, reps } = ctx.options.cli;
  result.parameters = {
    repetitions: reps,
    warmup,
    command: `exo run Get-Mailbox -o json -- -ResultSize ${RESULT_SIZE}`,
  };
  const tenant = await ctx.tenant('cli', 25);
  const config = await ctx.resources.dir('cli-config');
  const env = benchEnv({ EXO_SANDBOX_DIR: tenant.dir, EXO_CONFIG_DIR: config, NO_COLOR: '1' });
  const args = [
    EXO_BIN,
    'run',
    'Get-Mailbox',
    '-o',
    'json',
    '-u',
    ctx.credential.userPrincipalName,
    '--password-stdin',
    '--',
    '-ResultSize',
    String(RESULT_SIZE),
  ];

  const exoMs: number[] = [];
  const rawMs: number[] = [];
  for (let round = 0; round < warmup + reps; round++) {
    const measured = round >= warmup;
    const runExo = async () => {
      const run = await runProcess(ctx.resources, process.execPath, args, {
        env,
        input: `${ctx.credential.password}\n`,
        timeoutMs: 180_000,
      });
      assertSucceeded(run, 'exo run');
      checkJson(run.stdout, 'exo run');
      if (measured) exoMs.push(run.wallMs);
    };
    const runRaw = async () => {
      const run = await rawScript(ctx, tenant, RESULT_SIZE);
      checkJson(run.stdout, 'the raw script');
      if (measured) rawMs.push(run.wallMs);
    };
    await inTurn(round, runExo, runRaw);
    ctx.log(`  round ${round + 1}/${warmup + reps}`);
  }

  // Profile: what the CLI adds around the engine.
  const versionMs: number[] = [];
  const statusMs: number[] = [];
  for (let i = 0; i < Math.min(3, reps); i++) {
    const v = await runProcess(ctx.resources, process.execPath, [EXO_BIN, '--version'], {
      env,
      timeoutMs: 60_000,
    });
    assertSucceeded(v, 'exo --version');
    versionMs.push(v.wallMs);
    const t = now();
    await tenantStatus({ directory: tenant.dir, env: tenant.env, pwsh: ctx.pwsh.executable });
    statusMs.push(now() - t);
  }

  result.measurements.push(
    measurement('exo', 'exo run … -o json (spawn → exit)', 'ms', 'lower', exoMs),
    measurement('raw', 'raw pwsh -File script doing the same (spawn → exit)', 'ms', 'lower', rawMs),
  );
  const c = compare('exo run ÷ raw script', { id: 'exo', rounds: exoMs }, { id: 'raw', rounds: rawMs });
  result.comparisons.push(c);
  result.profile.push(
    { label: 'Node + oclif start (exo --version)', value: medianOf(versionMs, (v) => v), unit: 'ms' },
    {
      label: 'sandbox check before connecting (tenantStatus: one more pwsh)',
      value: medianOf(statusMs, (v) => v),
      unit: 'ms',
      note: 'exo run on the sandbox asks whether the tenant exists first',
    },
  );
  result.notes.push(
    `No target in the issue; exo run took ${c.medianRatio === undefined ? '–' : formatRatio(c.medianRatio)} the raw script's time. Both print the same 10 mailboxes as JSON; exo's output is checked each run.`,
  );
};
