import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Frame } from '../src/bridge/frames.js';
import { PwshBridge } from '../src/bridge/pwsh-bridge.js';
import { compareVersions, locatePwsh, MINIMUM_PWSH_VERSION } from '../src/pwsh/locate-pwsh.js';

async function objects(frames: AsyncIterable<Frame>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const frame of frames) if (frame.t === 'o') out.push(frame.v);
  return out;
}

describe('pwsh through node-powershell', () => {
  let host: PwshBridge;

  beforeAll(async () => {
    host = await PwshBridge.start();
  });
  afterAll(async () => {
    await host?.close();
  });

  it(`reports $PSVersionTable.PSVersion >= ${MINIMUM_PWSH_VERSION}`, async () => {
    const [table] = (await objects(
      host.request('Get-Variable', { Name: 'PSVersionTable', ValueOnly: true }, { depth: 2 }),
    )) as Array<{ PSVersion: { Major: number; Minor: number; Patch: number } }>;
    const v = table!.PSVersion;
    const version = `${v.Major}.${v.Minor}.${v.Patch}`;
    expect(compareVersions(version, MINIMUM_PWSH_VERSION)).toBeGreaterThanOrEqual(0);
    expect(host.info.version.startsWith(version)).toBe(true);
  });

  it('runs the real pwsh process with the documented flags, not the dotnet tool shim', async () => {
    const [processPath] = (await objects(
      host.request('Get-Variable', { Name: 'PSHOME', ValueOnly: true }),
    )) as string[];
    expect(host.info.executable.startsWith(processPath!)).toBe(true);
    if (process.platform === 'linux') {
      expect(readlinkSync(`/proc/${host.pid}/exe`)).toBe(host.info.executable);
      const argv = readFileSync(`/proc/${host.pid}/cmdline`, 'utf8').split('\0');
      expect(argv).toEqual(
        expect.arrayContaining(['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '-']),
      );
      const env = readFileSync(`/proc/${host.pid}/environ`, 'utf8').split('\0');
      expect(env).toEqual(expect.arrayContaining(['TERM=dumb', 'NO_COLOR=1']));
    }
  });
});

describe('locatePwsh', () => {
  it('honours EXO_PWSH and refuses one that is not pwsh, with PWSH_NOT_FOUND', async () => {
    await expect(locatePwsh({ env: { ...process.env, EXO_PWSH: '/bin/false' } })).rejects.toMatchObject({
      code: 'PWSH_NOT_FOUND',
      details: { rejected: ['/bin/false: did not answer as pwsh'] },
    });
  });

  it('reports PWSH_NOT_FOUND with the install remedy when nothing is on PATH', async () => {
    const error = await locatePwsh({ env: { PATH: '/nonexistent' }, home: '/nonexistent' }).catch((e) => e);
    expect(error.code).toBe('PWSH_NOT_FOUND');
    expect(error.remediation).toContain('dotnet tool install --global PowerShell');
  });
});

describe.skipIf(process.platform === 'win32')('locatePwsh with cache: true', () => {
  let dir: string;
  let fake: string;
  let calls: string;
  const env = () => ({ PATH: '/nonexistent', EXO_PWSH: fake, EXO_CACHE_DIR: join(dir, 'cache') });
  const probes = () => readFileSync(calls, 'utf8').length;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'exo-locate-'));
    calls = join(dir, 'calls');
    writeFileSync(calls, '');
    fake = join(dir, 'pwsh');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A stand-in pwsh that answers the version probe and counts how often it was started. */
  function writeFake(version: string) {
    writeFileSync(fake, `#!/bin/sh\nprintf x >> '${calls}'\necho '${version}|${fake}|${dir}'\n`);
    chmodSync(fake, 0o755);
  }

  it('probes once, then answers from memory and from the cache file in a new process', async () => {
    writeFake('7.6.9');
    const first = await locatePwsh({ env: env(), cache: true });
    expect(first).toMatchObject({ executable: fake, version: '7.6.9', source: 'EXO_PWSH' });
    expect(probes()).toBe(1);
    expect(await locatePwsh({ env: env(), cache: true })).toEqual(first);
    expect(probes()).toBe(1);
    // A fresh module has no memory: the answer comes from the file.
    vi.resetModules();
    const fresh = await import('../src/pwsh/locate-pwsh.js');
    expect(await fresh.locatePwsh({ env: env(), cache: true })).toEqual(first);
    expect(probes()).toBe(1);
    // Without cache: true (doctor), it always probes.
    await locatePwsh({ env: env() });
    expect(probes()).toBe(2);
  });

  it('probes again when the file changes (an upgrade), and never caches a refused pwsh', async () => {
    const before = probes();
    writeFake('7.5.0');
    utimesSync(fake, new Date(), new Date(Date.now() + 5_000));
    await expect(locatePwsh({ env: env(), cache: true })).rejects.toMatchObject({ code: 'PWSH_NOT_FOUND' });
    await expect(locatePwsh({ env: env(), cache: true })).rejects.toMatchObject({ code: 'PWSH_NOT_FOUND' });
    expect(probes()).toBe(before + 2);
  });

  it('is forgotten when the started host reports another version than the cache said', async () => {
    const real = await locatePwsh();
    const cacheDir = join(dir, 'host-cache');
    const hostEnv = { ...process.env, EXO_CACHE_DIR: cacheDir };
    // Fresh modules: nothing remembered in memory from the hosts started above.
    vi.resetModules();
    const { locatePwsh: locate } = await import('../src/pwsh/locate-pwsh.js');
    const { PwshBridge: Bridge } = await import('../src/bridge/pwsh-bridge.js');
    await locate({ env: hostEnv, cache: true });
    expect(JSON.parse(readFileSync(join(cacheDir, 'pwsh.json'), 'utf8')).info.version).toBe(real.version);
    const host = await Bridge.start({ env: hostEnv, info: { ...real, version: '7.6.5' } });
    await host.close();
    expect(JSON.parse(readFileSync(join(cacheDir, 'pwsh.json'), 'utf8'))).toEqual({});
  });
});
