import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Linux only: elsewhere these report nothing, and the scenarios say the figure was not measured.
const HAS_PROC = process.platform === 'linux' && existsSync('/proc/self/environ');
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

function readNul(path: string): string[] {
  return readFileSync(path, 'utf8').split('\0');
}

/** PIDs (other than ours) whose environment has a variable `NAME=value` with value starting with `prefix`. */
export function processesWithEnv(name: string, prefix: string, serversOnly = false): number[] {
  if (!HAS_PROC) return [];
  const wanted = `${name}=${prefix}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readNul(`/proc/${entry}/environ`).some((v) => v.startsWith(wanted))) continue;
      if (serversOnly && !readNul(`/proc/${entry}/cmdline`).includes('-s')) continue;
      found.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

/** The sandbox's session servers (`pwsh -s`) for one tenant directory: one per open session. */
export function sessionServers(tenantDir: string): number[] {
  return processesWithEnv('EXO_SANDBOX_DIR', tenantDir, true).filter((pid) => {
    try {
      return readNul(`/proc/${pid}/environ`).includes(`EXO_SANDBOX_DIR=${tenantDir}`);
    } catch {
      return false;
    }
  });
}

function alive(pid: number): boolean {
  try {
    // Field 3 of stat is the state; a zombie holds no session.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function clientOf(path: string): number | undefined {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as { ClientProcessId?: unknown };
    return typeof record.ClientProcessId === 'number' ? record.ClientProcessId : undefined;
  } catch {
    // Replaced or removed while we read it.
    return undefined;
  }
}

export interface SessionCount {
  /** `sessions/<serverPid>.json` whose server process is alive: open sessions. */
  open: number;
  /**
   * Open sessions plus reservations (`pending-*.json` of a live client) of sessions being opened: what the
   * sandbox counts against the limit. A session being registered briefly has both files; it counts once.
   */
  slots: number;
}

/**
 * Sessions by the sandbox's own bookkeeping, read from its `sessions/` directory: cheap enough to sample
 * every few ms, unlike tenantStatus(), which starts a pwsh.
 */
export function sandboxSessionCount(tenantDir: string): SessionCount {
  const dir = join(tenantDir, 'sessions');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { open: 0, slots: 0 };
  }
  const registeredClients = new Set<number>();
  const pendingClients = new Set<number>();
  let open = 0;
  for (const name of names) {
    if (name.startsWith('pending-') && name.endsWith('.json')) {
      const client = clientOf(join(dir, name));
      if (client !== undefined && alive(client)) pendingClients.add(client);
      continue;
    }
    const m = /^(\d+)\.json$/.exec(name);
    if (!m || !alive(Number(m[1]))) continue;
    open++;
    const client = clientOf(join(dir, name));
    if (client !== undefined) registeredClients.add(client);
  }
  const reserving = [...pendingClients].filter((c) => !registeredClients.has(c)).length;
  return { open, slots: open + reserving };
}

/** CPU time (user + system) a process has used so far, in ms; undefined once it is gone. */
export function cpuTimeMs(pid: number): number | undefined {
  if (!HAS_PROC) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime 14 and stime 15 (1-based), i.e. indexes 11 and 12 here.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Direct children of a process (to find the session servers a host started). */
export function childrenOf(pid: number): number[] {
  if (!HAS_PROC) return [];
  const found: number[] = [];
  try {
    // Each thread lists the children it started: .NET starts processes from any thread.
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) {
          if (child) found.push(Number(child));
        }
      } catch {
        // The thread ended while we looked.
      }
    }
  } catch {
    // The process is gone.
  }
  return found;
}

/** The sandbox session server (`pwsh -s`) a host process started, if any. */
export function serverOf(hostPid: number): number | undefined {
  return childrenOf(hostPid).find((pid) => {
    try {
      return readNul(`/proc/${pid}/cmdline`).includes('-s');
    } catch {
      return false;
    }
  });
}
