import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { locatePwsh } from '@exo-connect/core';
import { SANDBOX_DEMO_CREDENTIAL } from '@exo-connect/sandbox';
import { allPids, readProc } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchContext, createContext, type Tenant } from '../src/context.js';
import { parseOptions } from '../src/options.js';
import { NaiveShell } from '../src/runtime/naive-shell.js';
import { Resources } from '../src/runtime/resources.js';
import { rawScript } from '../src/scenarios/cold-connect.js';

// The baselines are real: the documented steps in pwsh and node-powershell, against a sandbox tenant.
let resources: Resources;
let ctx: BenchContext;
let tenant: Tenant;

beforeAll(async () => {
  resources = await Resources.create();
  ctx = createContext(
    parseOptions([]),
    resources,
    await locatePwsh(),
    SANDBOX_DEMO_CREDENTIAL,
    () => undefined,
  );
  tenant = await ctx.tenant('baselines', 20);
});
afterAll(async () => {
  await resources?.close();
});

/** Every process whose command line or environment holds `secret` (Linux). */
function processesHolding(secret: string): number[] {
  return allPids().filter((pid) =>
    (['cmdline', 'environ'] as const).some((file) => readProc(pid, file)?.includes(secret)),
  );
}

describe('the raw pwsh script', () => {
  it('runs the documented steps with the password read from stdin, never from argv or the environment', async () => {
    const holders = new Set<number>();
    const watch = setInterval(() => {
      for (const pid of processesHolding(SANDBOX_DEMO_CREDENTIAL.password)) holders.add(pid);
    }, 50);
    const run = await rawScript(ctx, tenant, 3).finally(() => clearInterval(watch));
    expect(run.code).toBe(0);
    const order = ['start', 'module', 'session', 'ready', 'output', 'removed'];
    const inner = order.map((name) => run.inner[name]);
    expect(inner.every((v) => typeof v === 'number')).toBe(true);
    expect([...inner].sort((a, b) => a! - b!)).toEqual(inner);
    const rows = JSON.parse(run.stdout) as Array<{ Alias: string }>;
    expect(rows.map((r) => r.Alias)).toHaveLength(3);
    expect(run.stderr).toBe('');
    expect([...holders]).toEqual([]);
  });

  it('fails as the service does on a wrong password', async () => {
    const wrong = createContext(
      ctx.options,
      resources,
      ctx.pwsh,
      { userPrincipalName: SANDBOX_DEMO_CREDENTIAL.userPrincipalName, password: 'not-the-password' },
      () => undefined,
    );
    await expect(rawScript(wrong, tenant)).rejects.toThrow(/Access is denied/);
  });
});

describe('the node-powershell baseline', () => {
  it('opens a session through invoke() and reads objects back with ConvertTo-Json', async () => {
    const shell = await NaiveShell.open({
      executable: ctx.pwsh.executable,
      env: tenant.env,
      credential: SANDBOX_DEMO_CREDENTIAL,
      session: true,
    });
    try {
      const { rows } = await shell.json<{ Alias: string; EmailAddresses: string[] }>(
        'Get-Mailbox -Identity admin',
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.Alias).toBe('admin');
      expect(rows[0]!.EmailAddresses).toEqual(expect.arrayContaining([expect.stringMatching(/admin@/)]));
      const local = await shell.json<{ Index: number }>('Get-BenchObject -Count 3');
      expect(local.rows.map((r) => r.Index)).toEqual([0, 1, 2]);
    } finally {
      await shell.close();
    }
    await expect.poll(() => existsSync(`/proc/${shell.pid}`), { timeout: 10_000 }).toBe(false);
  });
});

describe('cleanup', () => {
  it('ends every process carrying the run’s tenant marker and removes the temporary root', async () => {
    const own = await Resources.create();
    const dir = await own.dir('tenant-x');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
      env: { ...process.env, EXO_SANDBOX_DIR: dir },
      stdio: 'ignore',
      detached: true,
    });
    child.unref();
    await expect.poll(() => own.leftovers()).toContain(child.pid);
    const { killed } = await own.close();
    expect(killed).toBeGreaterThanOrEqual(1);
    await expect
      .poll(() => existsSync(`/proc/${child.pid}/environ`) && own.leftovers().includes(child.pid!))
      .toBe(false);
    expect(existsSync(join(own.root))).toBe(false);
    // A scenario still winding down after an interrupt cannot recreate the root or start a process.
    await expect(own.dir('late')).rejects.toThrow(/ending/);
    const late = own.track(
      spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' }),
    );
    await expect.poll(() => late.signalCode).toBe('SIGKILL');
    expect(existsSync(own.root)).toBe(false);
  });
});
