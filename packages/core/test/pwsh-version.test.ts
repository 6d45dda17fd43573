import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, locatePwsh, MINIMUM_PWSH_VERSION } from '../src/pwsh/locate-pwsh.js';
import { type PwshHost, startPwsh } from '../src/pwsh/start-pwsh.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('pwsh through node-powershell', () => {
  let host: PwshHost;

  beforeAll(async () => {
    host = await startPwsh();
  });
  afterAll(async () => {
    await host?.dispose();
  });

  it(`reports $PSVersionTable.PSVersion >= ${MINIMUM_PWSH_VERSION}`, async () => {
    const version = await host.version();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(compareVersions(version, MINIMUM_PWSH_VERSION)).toBeGreaterThanOrEqual(0);
    expect(version).toBe(host.info.version);
  });

  it('runs the real pwsh process, not the dotnet tool shim', async () => {
    const processPath = (await host.run('[Console]::Out.WriteLine([Environment]::ProcessPath)')).trim();
    expect(processPath).not.toMatch(/dotnet(\.exe)?$/i);
    if (process.platform === 'linux') {
      expect(readlinkSync(`/proc/${host.pid}/exe`)).toBe(processPath);
      const argv = readFileSync(`/proc/${host.pid}/cmdline`, 'utf8').split('\0');
      expect(argv).toEqual(
        expect.arrayContaining(['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '-']),
      );
    }
  });

  it('ends the pwsh process on dispose', async () => {
    const other = await startPwsh({ info: host.info });
    expect(alive(other.pid)).toBe(true);
    await other.dispose();
    await expect.poll(() => alive(other.pid), { timeout: 10_000 }).toBe(false);
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
