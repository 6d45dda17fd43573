import { rm } from 'node:fs/promises';
import { processArgv, processesWithEnv } from './proc.js';
import { makeTempDir } from './temp-dir.js';

/**
 * What a test tenant needs of @exo-connect/sandbox. The caller passes the module in (`import * as sandbox`)
 * rather than this package importing it: the sandbox's own tests use these helpers too, with its source, and
 * a dependency on it would make a cycle in the workspace graph.
 */
export interface SandboxApi {
  createTenant(options: { directory: string; env: Record<string, string> }): Promise<unknown>;
  tenantStatus(options: { directory: string; env: Record<string, string> }): Promise<{
    sessions: readonly unknown[];
  }>;
  sandboxEnvironment(): unknown;
  readonly SANDBOX_DEMO_CREDENTIAL: unknown;
}

/** The connect() options a tenant builds: the sandbox environment as its demo administrator. */
export interface TenantConnectOptions {
  environment?: unknown;
  credential?: unknown;
  env?: Record<string, string | undefined>;
  handleSignals?: boolean;
}

/** A sandbox tenant directory seen from a test: how to connect to it, its status, and the processes using it. */
export interface TenantView<Api extends SandboxApi, Options extends TenantConnectOptions> {
  directory: string;
  /** process.env plus EXO_SANDBOX_DIR=directory, for connect(), the sandbox API and spawned children. */
  env: Record<string, string>;
  /** connect() options against this tenant as the demo administrator (signals not handled), plus `extra`. */
  options(extra?: Partial<Options>): Options;
  status(): ReturnType<Api['tenantStatus']>;
  liveSessions(): Promise<number>;
  /** PIDs of the processes (pwsh hosts, session servers, exo) whose environment names this tenant. */
  processes(): number[];
  /** PIDs of this tenant's session servers (`pwsh -s`), one per open session. */
  servers(): number[];
}

export interface TestTenant<Api extends SandboxApi, Options extends TenantConnectOptions>
  extends TenantView<Api, Options> {
  /** Deletes the tenant directory. */
  remove(): Promise<void>;
  /** Deletes the tenant directory, then fails if a session outlived the test. */
  dispose(): Promise<void>;
}

/** A view of the sandbox tenant in `directory` (one a test made, or a copy of one). */
export function tenantAt<Api extends SandboxApi, Options extends TenantConnectOptions = TenantConnectOptions>(
  sandbox: Api,
  directory: string,
): TenantView<Api, Options> {
  const env = { ...(process.env as Record<string, string>), EXO_SANDBOX_DIR: directory };
  const processes = () => processesWithEnv(`EXO_SANDBOX_DIR=${directory}`);
  const status = () => sandbox.tenantStatus({ directory, env }) as ReturnType<Api['tenantStatus']>;
  return {
    directory,
    env,
    // The caller names its own options type (core's ConnectOptions); these four fields are all this sets.
    options: (extra = {}) =>
      ({
        environment: sandbox.sandboxEnvironment(),
        credential: sandbox.SANDBOX_DEMO_CREDENTIAL,
        env,
        handleSignals: false,
        ...extra,
      }) as unknown as Options,
    status,
    liveSessions: async () => (await status()).sessions.length,
    processes,
    servers: () => processes().filter((pid) => processArgv(pid)?.includes('-s') ?? false),
  };
}

export interface CreateTestTenantOptions {
  /** Generated mailboxes besides the fixed accounts. */
  mailboxCount: number;
  /** The temporary directory's name starts with this. */
  prefix?: string;
  /** More createTenant() options (seed, sessionLimit, …). */
  tenant?: Record<string, unknown>;
}

/** A fresh sandbox tenant in a temporary directory. */
export async function createTestTenant<
  Api extends SandboxApi,
  Options extends TenantConnectOptions = TenantConnectOptions,
>(sandbox: Api, options: CreateTestTenantOptions): Promise<TestTenant<Api, Options>> {
  const directory = await makeTempDir(options.prefix ?? 'exo-test-tenant-');
  const view = tenantAt<Api, Options>(sandbox, directory);
  await sandbox.createTenant({
    ...options.tenant,
    mailboxCount: options.mailboxCount,
    directory,
    env: view.env,
  } as Parameters<Api['createTenant']>[0]);
  const remove = () => rm(directory, { recursive: true, force: true });
  return {
    ...view,
    remove,
    dispose: async () => {
      const { sessions } = await view.status();
      await remove();
      if (sessions.length > 0) throw new Error(`Sessions outlived the test: ${JSON.stringify(sessions)}`);
    },
  };
}
