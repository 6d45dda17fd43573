import type { PasswordCredential, PwshInfo } from '@exo-connect/core';
import { SECRET_ENV } from '@exo-connect/pwsh';
import { createTenant } from '@exo-connect/sandbox';
import type { BenchOptions } from './options.js';
import type { Resources } from './runtime/resources.js';

export interface Tenant {
  dir: string;
  /** The environment every process of this tenant gets: EXO_SANDBOX_DIR, no secrets, no proxy. */
  env: NodeJS.ProcessEnv;
  mailboxCount: number;
}

export interface BenchContext {
  options: BenchOptions;
  resources: Resources;
  /** The pwsh every baseline runs: the same real executable the engine resolves (not a launcher shim). */
  pwsh: PwshInfo;
  credential: PasswordCredential;
  log(message: string): void;
  /** A fresh sandbox tenant in the run's temporary root (session limit per account: 3 unless given). */
  tenant(name: string, mailboxCount: number, sessionLimit?: number): Promise<Tenant>;
}

const DROPPED_ENV = [
  ...SECRET_ENV,
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'EXO_SANDBOX_DIR',
  'EXO_CONFIG_DIR',
];

/** The parent environment minus secrets and proxies (the sandbox needs none), no colours, plus `extra`. */
export function benchEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of DROPPED_ENV) delete env[name];
  // pwsh writes ANSI colours into redirected output otherwise; the engine sets the same for its host.
  return { ...env, TERM: 'dumb', NO_COLOR: '1', ...extra };
}

export function createContext(
  options: BenchOptions,
  resources: Resources,
  pwsh: PwshInfo,
  credential: PasswordCredential,
  log: (message: string) => void,
): BenchContext {
  return {
    options,
    resources,
    pwsh,
    credential,
    log,
    async tenant(name, mailboxCount, sessionLimit) {
      const dir = await resources.dir(`tenant-${name}`);
      const env = benchEnv({ EXO_SANDBOX_DIR: dir });
      await createTenant({
        directory: dir,
        mailboxCount,
        sessionLimit,
        env,
        force: true,
        pwsh: pwsh.executable,
      });
      return { dir, env, mailboxCount };
    },
  };
}
