import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendantsOf, processAlive, processArgv, processesWithEnv } from '../src/proc.js';
import { waitFor } from '../src/wait-for.js';

describe.runIf(process.platform === 'linux')('/proc scans', () => {
  it('find a child by an environment entry, its argv and its ancestry, and see it end', async () => {
    const marker = `EXO_TEST_UTILS_MARKER=${process.pid}-${Date.now()}`;
    const [name, value] = marker.split('=') as [string, string];
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'proc-scan-child'], {
      env: { ...process.env, [name]: value },
      stdio: 'ignore',
    });
    const pid = child.pid!;
    try {
      expect(await waitFor(() => processesWithEnv(marker).includes(pid), { timeoutMs: 5_000 })).toBe(true);
      expect(processArgv(pid)).toContain('proc-scan-child');
      expect(descendantsOf(process.pid)).toContain(pid);
      expect(processAlive(pid)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processAlive(pid)).toBe(false);
    expect(processesWithEnv(marker)).toEqual([]);
  });

  it('never lists this process', () => {
    expect(processesWithEnv(`PATH=${process.env.PATH}`)).not.toContain(process.pid);
  });
});
