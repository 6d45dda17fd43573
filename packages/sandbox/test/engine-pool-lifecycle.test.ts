import { fileURLToPath } from 'node:url';
import { locatePwsh } from '@exo-connect/pwsh';
import {
  processAlive,
  processesWithEnv,
  startLineChild,
  waitFor,
  withTempDir,
} from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTenant, SandboxError } from '../src/index.js';
import { WORKER_SCRIPT_PATH } from '../src/server/engine/engine-worker.js';
import { type EnginePool, startEnginePool } from '../src/server/engine/index.js';
import { invoke, objectsOf } from './support/engine.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

// Workers that die, run long, or are closed; the tenant's latency. Each test starts its own pool.
describe('engine pool: workers come and go', () => {
  let tenant: TestTenant;
  const pools: EnginePool[] = [];
  const start = async (options: { size?: number; requestTimeoutMs?: number } = {}) => {
    const pool = await startEnginePool({ directory: tenant.directory, env: tenant.env, ...options });
    pools.push(pool);
    return pool;
  };
  const latency = (commandLatencyMs: number) =>
    configureTenant({ directory: tenant.directory, env: tenant.env, commandLatencyMs });
  const workersOfTenant = () => processesWithEnv(`EXO_SANDBOX_DIR=${tenant.directory}`);

  beforeAll(async () => {
    tenant = await createTestTenant({ mailboxCount: 30, seed: 17 });
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await tenant?.dispose();
  });

  it("applies the tenant's CommandLatencyMs to every call, read when the call starts", async () => {
    const pool = await start({ size: 1 });
    const first = await invoke(pool, 'Get-Mailbox', { ResultSize: 'Unlimited' }, { pageSize: 5 });
    await latency(1500);
    try {
      // Lower bounds only: the worker waits before it runs the call (or the page), however fast the machine.
      let started = performance.now();
      expect(objectsOf(await invoke(pool, 'Get-Mailbox', { ResultSize: 1 }))).toHaveLength(1);
      expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
      started = performance.now();
      const cursor = first.ok ? first.nextCursor : undefined;
      expect(objectsOf(await invoke(pool, 'Get-Mailbox', {}, { pageSize: 5, cursor }))).toHaveLength(5);
      expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
    } finally {
      await latency(0);
    }
  });

  it('replaces a worker that is killed: its request fails clearly, its open results expire', async () => {
    const pool = await start({ size: 1 });
    const [pid] = pool.workerPids();
    const paged = await invoke(pool, 'Get-Mailbox', { ResultSize: 'Unlimited' }, { pageSize: 5 });
    const cursor = paged.ok ? paged.nextCursor : undefined;
    expect(cursor).toBeTruthy();
    await latency(30_000);
    try {
      const running = invoke(pool, 'Get-Mailbox', { ResultSize: 1 });
      const queued = invoke(pool, 'Get-Mailbox', {}, { pageSize: 5, cursor });
      process.kill(pid as number, 'SIGKILL');
      const error = await running.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(SandboxError.is(error, 'ENGINE_WORKER_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(
        /^The engine worker \(pid \d+\) ended \(signal SIGKILL\) while running Get-Mailbox/,
      );
      expect(await queued).toMatchObject({ ok: false, error: { type: 'PageCursorExpiredException' } });
    } finally {
      await latency(0);
    }
    expect(
      await waitFor(() => pool.workerPids().length === 1 && !pool.workerPids().includes(pid as number)),
    ).toBe(true);
    expect(processAlive(pid as number)).toBe(false);
    expect(objectsOf(await invoke(pool, 'Get-Mailbox', { Identity: 'admin' })).map((o) => o.Name)).toEqual([
      'Sandbox Admin',
    ]);
    expect(await invoke(pool, 'Get-Mailbox', {}, { pageSize: 5, cursor })).toMatchObject({
      ok: false,
      error: { type: 'PageCursorExpiredException', httpStatus: 400 },
    });
  });

  it('ends a worker whose request runs past requestTimeoutMs, and starts another', async () => {
    const pool = await start({ size: 1, requestTimeoutMs: 2000 });
    const [pid] = pool.workerPids();
    await latency(60_000);
    try {
      const error = await invoke(pool, 'Get-Mailbox', { ResultSize: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(SandboxError.is(error, 'ENGINE_TIMEOUT')).toBe(true);
      expect(SandboxError.is(error, 'TIMEOUT')).toBe(true);
    } finally {
      await latency(0);
    }
    expect(
      await waitFor(() => pool.workerPids().length === 1 && !pool.workerPids().includes(pid as number)),
    ).toBe(true);
    expect(processAlive(pid as number)).toBe(false);
    expect(objectsOf(await invoke(pool, 'Get-Mailbox', { ResultSize: 1 }))).toHaveLength(1);
  });

  it('close() ends every worker, lets the running request settle, and refuses later requests', async () => {
    const pool = await start({ size: 2 });
    const pids = pool.workerPids();
    expect(pids).toHaveLength(2);
    expect(workersOfTenant()).toEqual(expect.arrayContaining(pids));
    const running = invoke(pool, 'Get-Mailbox', { ResultSize: 'Unlimited' }).then(
      (r) => (r.ok ? 'answered' : 'failed'),
      (e: unknown) => (SandboxError.is(e, 'ENGINE_CLOSED') ? 'closed' : String(e)),
    );
    await pool.close();
    expect(['answered', 'closed']).toContain(await running);
    expect(pids.filter(processAlive)).toEqual([]);
    expect(workersOfTenant().filter((pid) => pids.includes(pid))).toEqual([]);
    expect(pool.workerPids()).toEqual([]);
    const later = await invoke(pool, 'Get-Mailbox', {}).catch((e: unknown) => e);
    expect(SandboxError.is(later, 'ENGINE_CLOSED')).toBe(true);
    expect((later as Error).message).toBe('The engine pool is closed: it runs no more requests.');
    await expect(pool.commands()).rejects.toThrow('The engine pool is closed');
    await pool.close();
  });

  it('leaves no worker behind when the Node process that started it is killed', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/worker-parent.mjs', import.meta.url));
    const { executable } = await locatePwsh({ env: tenant.env, cache: true });
    const parent = startLineChild<{ pid?: number; failed?: unknown }>(
      fixture,
      [executable, WORKER_SCRIPT_PATH],
      {
        env: tenant.env,
      },
    );
    const line = await parent.waitFor((l) => l.pid !== undefined || l.failed !== undefined);
    expect(line.failed).toBeUndefined();
    expect(processAlive(line.pid as number)).toBe(true);
    parent.process.kill('SIGKILL');
    await parent.exit;
    // Its stdin closed with its parent: the worker's request loop ends, and so does pwsh.
    expect(await waitFor(() => !processAlive(line.pid as number))).toBe(true);
  });

  it('fails to start, leaving no process, when the directory holds no tenant', async () => {
    await withTempDir(async (empty) => {
      const error = await startEnginePool({ directory: empty, size: 2 }).catch((e: unknown) => e);
      expect(SandboxError.is(error, 'ENGINE_WORKER_FAILED')).toBe(true);
      expect((error as Error).message).toContain(`No sandbox tenant exists at '${empty}'`);
      expect(await waitFor(() => processesWithEnv(`EXO_SANDBOX_DIR=${empty}`).length === 0)).toBe(true);
    }, 'exo-engine-no-tenant-');
  });
});
