import { readdirSync, readFileSync } from 'node:fs';

// Process scans through /proc (Linux). Elsewhere they find nothing, and the tests that need them say so.

/** PIDs of all processes, except this one. Empty off Linux. */
export function allPids(): number[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** /proc/<pid>/<file> as bytes, or undefined when the process is gone or unreadable. */
export function readProc(pid: number, file: 'cmdline' | 'environ' | 'stat' | 'status'): Buffer | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`);
  } catch {
    return undefined;
  }
}

function nulSeparated(pid: number, file: 'cmdline' | 'environ'): string[] | undefined {
  return readProc(pid, file)?.toString('utf8').split('\0').filter(Boolean);
}

/** argv of a process. */
export function processArgv(pid: number): string[] | undefined {
  return nulSeparated(pid, 'cmdline');
}

/** Environment entries (`NAME=value`) of a process. */
export function processEnviron(pid: number): string[] | undefined {
  return nulSeparated(pid, 'environ');
}

/** The fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: number): string[] | undefined {
  const raw = readProc(pid, 'stat')?.toString('utf8');
  return raw?.slice(raw.lastIndexOf(')') + 2).split(' ');
}

/** Whether a process exists and is not a zombie (one that ended and waits to be reaped holds nothing). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** All live descendants of `root` (children, grandchildren, …), not including `root`. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const parent = Number(statFields(pid)?.[1]);
    if (Number.isNaN(parent)) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Processes whose environment holds exactly this `NAME=value` entry (e.g. a test tenant's EXO_SANDBOX_DIR). */
export function processesWithEnv(entry: string): number[] {
  return allPids().filter((pid) => processEnviron(pid)?.includes(entry) ?? false);
}
