import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
