import { execFile } from 'node:child_process';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { promisify } from 'node:util';
import type { MachineInfo } from '../report.js';

const run = promisify(execFile);

async function gitCommit(cwd: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, timeout: 5000 });
    const { stdout: dirty } = await run('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      timeout: 5000,
    });
    return `${stdout.trim()}${dirty.trim() ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return undefined;
  }
}

/** What the figures depend on: CPU, memory, OS, Node and pwsh versions, the load when the run began. */
export async function machineInfo(pwshVersion: string, repoDir: string): Promise<MachineInfo> {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() || 'unknown',
    cpuCount: cpu.length,
    memoryGiB: totalmem() / 1024 ** 3,
    os: `${type()} ${release()} (${process.arch})`,
    node: process.version,
    pwsh: pwshVersion,
    loadAverage: loadavg()[0] ?? 0,
    commit: await gitCommit(repoDir),
  };
}
