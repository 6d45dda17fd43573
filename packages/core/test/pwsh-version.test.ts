import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
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

describe.skipIf(process.platform === 'win32')('locatePwsh with cache: true', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'exo-locate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
