import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

async function exo(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('exo bin', () => {
  it('prints its version', async () => {
    const result = await exo(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`@exo-connect/exo/${pkg.version}`);
  });

  it('prints help that lists its commands', async () => {
    const result = await exo(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('USAGE');
    expect(result.stdout).toMatch(/doctor\s+Check that this machine/);
  });

  it('rejects an unknown command with exit 127 and points to help', async () => {
    const result = await exo(['docter']);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('docter is not a exo command');
    expect(result.stderr).toContain('exo help');
  });

  it('doctor passes the pwsh check on this machine', async () => {
    const result = await exo(['doctor', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.checks[0]).toMatchObject({ name: 'pwsh', ok: true });
    expect(report.checks[0].detail).toMatch(/^PowerShell 7\.\d+\.\d+ at /);
  });

  it('doctor fails with the remedy when pwsh is missing', async () => {
    const result = await exo(['doctor'], { EXO_PWSH: '/nonexistent/pwsh' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ pwsh: No usable PowerShell');
    expect(result.stdout).toContain('→ Install PowerShell 7.6.5 or later');
  });
});
