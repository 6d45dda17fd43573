import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, MINIMUM } from '../setup-pwsh.mjs';

const script = fileURLToPath(new URL('../setup-pwsh.mjs', import.meta.url));

function runSetup(env) {
  return spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('compareVersions', () => {
  it.each([
    ['7.6.5', '7.6.5', 0],
    ['7.6.9', '7.6.5', 1],
    ['7.5.10', '7.6.5', -1],
    ['7.10.0', '7.6.5', 1],
    ['7.6.5-preview.1', '7.6.4', 1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});

describe('setup-pwsh', () => {
  let dir;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exo-setup-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts the pwsh the machine has and names the real process', () => {
    const result = runSetup({});
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/✓ pwsh 7\.\d+\.\d+ at /);
  });

  it('refuses an EXO_PWSH that is older than the minimum, saying so', async () => {
    const old = join(dir, 'old-pwsh');
    await writeFile(old, "#!/bin/sh\necho '7.4.1|/opt/old/pwsh|/opt/old'\n");
    await chmod(old, 0o755);
    const result = runSetup({ EXO_PWSH: old });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`pwsh 7.4.1 at ${old} is older than ${MINIMUM}`);
    expect(result.stderr).toContain(`EXO_PWSH=${old} is not a usable pwsh`);
  });

  it('refuses an EXO_PWSH that is not pwsh at all', () => {
    const result = runSetup({ EXO_PWSH: '/bin/false' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('did not answer as pwsh');
  });
});
