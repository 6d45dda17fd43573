import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  createTenant,
  SANDBOX_DEMO_CREDENTIAL,
  sandboxEnvironment,
  tenantStatus,
} from '@exo-connect/sandbox';
import { makeTempDir } from '@exo-connect/test-utils';
import type { ConnectOptions } from '../src/connect/options.js';

export interface TestTenant {
  directory: string;
  env: Record<string, string>;
  /** Options for connect() against this tenant as the demo administrator. */
  options(extra?: Partial<ConnectOptions>): ConnectOptions;
  liveSessions(): Promise<number>;
  /** PIDs of processes (pwsh hosts and sandbox servers) that carry this tenant's directory. */
  processes(): number[];
  /** PIDs of the sandbox's session servers (`pwsh -s`) for this tenant: one per open session. */
  servers(): number[];
  remove(): Promise<void>;
}

function scan(marker: string, serversOnly: boolean): number[] {
  if (process.platform !== 'linux') return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) continue;
      if (serversOnly && !readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes('-s')) continue;
      found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

export async function testTenant(mailboxCount = 30): Promise<TestTenant> {
  const directory = await makeTempDir('exo-core-tenant-');
  const env = { ...(process.env as Record<string, string>), EXO_SANDBOX_DIR: directory };
  await createTenant({ directory, mailboxCount, env });
  const marker = `EXO_SANDBOX_DIR=${directory}`;
  return {
    directory,
    env,
    options: (extra = {}) => ({
      environment: sandboxEnvironment(),
      credential: SANDBOX_DEMO_CREDENTIAL,
      env,
      handleSignals: false,
      ...extra,
    }),
    liveSessions: async () => (await tenantStatus({ directory, env })).sessions.length,
    processes: () => scan(marker, false),
    servers: () => scan(marker, true),
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
