import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpuTimeMs, sandboxSessionCount } from './procs.js';

// A PID that cannot be alive: above Linux's pid_max limit (2^22).
const DEAD = 4_194_999;
const me = process.pid;
const linux = process.platform === 'linux';

let tenant: string;
beforeEach(async () => {
  tenant = await mkdtemp(join(tmpdir(), 'exo-bench-procs-'));
  await mkdir(join(tenant, 'sessions'));
});
afterEach(async () => {
  await rm(tenant, { recursive: true, force: true });
});

const session = (name: string, clientPid: number) =>
  writeFile(join(tenant, 'sessions', name), JSON.stringify({ ClientProcessId: clientPid }));

describe.runIf(linux)('sandboxSessionCount', () => {
  it('counts nothing for a tenant without sessions', async () => {
    expect(sandboxSessionCount(tenant)).toEqual({ open: 0, slots: 0 });
    expect(sandboxSessionCount(join(tenant, 'missing'))).toEqual({ open: 0, slots: 0 });
  });

  it('counts session files whose server is alive, and ignores dead servers and other files', async () => {
    await session(`${me}.json`, 1);
    await session(`${DEAD}.json`, 1);
    await writeFile(join(tenant, 'sessions', `${me}.drop`), '');
    expect(sandboxSessionCount(tenant)).toEqual({ open: 1, slots: 1 });
  });

  it('adds reservations of live clients to the slots, not to the open sessions', async () => {
    await session(`pending-a.json`, me);
    await session(`pending-b.json`, DEAD);
    expect(sandboxSessionCount(tenant)).toEqual({ open: 0, slots: 1 });
  });

  it('counts a session being registered once, while both its files exist', async () => {
    // Register() writes <serverPid>.json before it deletes the reservation of the same client.
    // Here this process plays both the server and the (live) client.
    await session(`${me}.json`, me);
    await session('pending-c.json', me);
    expect(sandboxSessionCount(tenant)).toEqual({ open: 1, slots: 1 });
  });
});

describe.runIf(linux)('cpuTimeMs', () => {
  it('reads a live process’s CPU time and nothing for a dead one', () => {
    const start = cpuTimeMs(me);
    expect(start).toBeGreaterThanOrEqual(0);
    const until = Date.now() + 60;
    while (Date.now() < until) Math.sqrt(Math.random());
    expect(cpuTimeMs(me)!).toBeGreaterThanOrEqual(start!);
    expect(cpuTimeMs(DEAD)).toBeUndefined();
  });
});
