import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { locatePwsh } from '../src/locate-pwsh.js';

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
    const fresh = await import('../src/locate-pwsh.js');
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
});
