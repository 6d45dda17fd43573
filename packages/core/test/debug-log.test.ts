import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/debug-child.mjs', import.meta.url));

function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d));
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('DEBUG=* (node-powershell logs through the debug package)', () => {
  it('keeps stdout for data and never logs the bridge lines', async () => {
    const { code, stdout, stderr } = await run({ ...process.env, DEBUG: '*' });
    expect(code).toBe(0);
    expect(stdout).toBe('"echoed"\n');
    // node-powershell's start-up line goes to stderr; the bootstrap line (script, socket token) is never logged.
    expect(stderr).toContain('shell process started');
    expect(stderr).not.toContain('Start-ExoBridge');
    expect(stderr).not.toContain('FromBase64String');
  });
});
