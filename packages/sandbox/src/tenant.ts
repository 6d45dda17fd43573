import { SandboxError } from './errors/sandbox-error.js';
import { type RunSandboxCommandOptions, runSandboxCommand } from './run-sandbox-command.js';
import { type RestSettings, validateRestSettings, writeRestSettings } from './server/rest-settings.js';
import { ensureTenantAuthority } from './server/tenant-authority.js';
import { defaultTenantDir } from './tenant-dir.js';

export interface TenantOptions extends RunSandboxCommandOptions {
  /** The tenant directory; defaults to defaultTenantDir() (EXO_SANDBOX_DIR, else the user's state directory). */
  directory?: string;
}

export interface CreateTenantOptions extends TenantOptions {
  /** Generated mailboxes besides the fixed accounts, 0–100,000 (default 50). */
  mailboxCount?: number;
  /** Same seed and count, same tenant (default 1). */
  seed?: number;
  /** Concurrent sessions per account (default 3, as the real service). */
  sessionLimit?: number;
  /** Seconds after which a session expires (default 3600). */
  sessionLifetimeSeconds?: number;
  /** Replace an existing tenant instead of failing. */
  force?: boolean;
}

export interface ConfigureTenantOptions extends TenantOptions {
  sessionLimit?: number;
  sessionLifetimeSeconds?: number;
  /**
   * Milliseconds each cmdlet waits before it runs, 0–60,000 (default 0): the round trip to a distant service,
   * for measuring what concurrency buys against Exchange Online. Sessions opened later use it.
   */
  commandLatencyMs?: number;
  /**
   * The REST face's token lifetimes and faults (throttling, 503s, resets mid-page, slow pages); a running
   * startSandboxServer() applies them at its next request.
   */
  rest?: RestSettings;
}

export interface SandboxSession {
  sessionId: string;
  userPrincipalName: string;
  /** The session's server process (`pwsh -s`). */
  processId: number;
  clientProcessId: number;
  startedUtc: string;
  expiresUtc: string;
  expired: boolean;
}

export interface TenantStatus {
  directory: string;
  exists: boolean;
  tenantId?: string;
  organization?: string;
  generation: number;
  seed: number;
  generatedMailboxCount: number;
  /** Every mailbox: the fixed accounts plus the generated ones, plus any created since. */
  mailboxCount: number;
  recipientCount: number;
  sessionLimit: number;
  sessionLifetimeSeconds: number;
  commandLatencyMs: number;
  createdUtc?: string;
  updatedUtc?: string;
  /** Sessions whose server process is alive, oldest first. */
  sessions: SandboxSession[];
  /** Sessions holding a slot (alive and not expired), per account. */
  sessionsByUser: Record<string, number>;
}

export interface TenantIntegrity {
  generation: number;
  shardCount: number;
  recipientCount: number;
  /** Data files no manifest names (left by a killed writer until the next write sweeps them). */
  unreferencedFileCount: number;
}

type Raw = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const iso = (v: unknown): string | undefined =>
  typeof v === 'string' ? new Date(v).toISOString() : undefined;

function toSession(raw: Raw): SandboxSession {
  return {
    sessionId: str(raw.SessionId) ?? '',
    userPrincipalName: str(raw.UserPrincipalName) ?? '',
    processId: num(raw.ProcessId),
    clientProcessId: num(raw.ClientProcessId),
    startedUtc: iso(raw.StartedUtc) ?? '',
    expiresUtc: iso(raw.ExpiresUtc) ?? '',
    expired: raw.Expired === true,
  };
}

function toStatus(raw: Raw): TenantStatus {
  const byUser = (raw.SessionsByUser ?? {}) as Record<string, unknown>;
  return {
    directory: str(raw.Path) ?? '',
    exists: raw.Exists === true,
    tenantId: str(raw.TenantId),
    organization: str(raw.Organization),
    generation: num(raw.Generation),
    seed: num(raw.Seed),
    generatedMailboxCount: num(raw.GeneratedMailboxCount),
    mailboxCount: num(raw.MailboxCount),
    recipientCount: num(raw.RecipientCount),
    sessionLimit: num(raw.SessionLimit),
    sessionLifetimeSeconds: num(raw.SessionLifetimeSeconds),
    commandLatencyMs: num(raw.CommandLatencyMs),
    createdUtc: iso(raw.CreatedUtc),
    updatedUtc: iso(raw.UpdatedUtc),
    sessions: ((raw.Sessions as Raw[] | null) ?? []).map(toSession),
    sessionsByUser: Object.fromEntries(Object.entries(byUser).map(([k, v]) => [k, num(v)])),
  };
}

function integer(name: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SandboxError(
      'INVALID_OPTION',
      `${name} must be a whole number from ${min} to ${max}; got ${value}.`,
      {
        details: { option: name, value },
      },
    );
  }
  return value;
}

function directoryOf(options: TenantOptions): string {
  return options.directory ?? defaultTenantDir({ env: options.env ?? process.env });
}

function defined(parameters: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parameters).filter(([, v]) => v !== undefined));
}

/** Creates the tenant: the demo admin, the failure personas and `mailboxCount` generated mailboxes. */
export async function createTenant(options: CreateTenantOptions = {}): Promise<TenantStatus> {
  const parameters = defined({
    Path: directoryOf(options),
    MailboxCount: integer('mailboxCount', options.mailboxCount, 0, 100_000),
    Seed: integer('seed', options.seed, -2_147_483_648, 2_147_483_647),
    SessionLimit: integer('sessionLimit', options.sessionLimit, 1, 1000),
    SessionLifetimeSeconds: integer(
      'sessionLifetimeSeconds',
      options.sessionLifetimeSeconds,
      1,
      2_147_483_647,
    ),
    Force: options.force === true ? true : undefined,
  });
  const status = toStatus((await runSandboxCommand('New-ExoSandboxTenant', parameters, options)) as Raw);
  // The REST face's CA, made once per tenant (its key 0600 in <tenant>/rest/): startSandboxServer() serves with it.
  await ensureTenantAuthority(status.directory || directoryOf(options));
  return status;
}

/** Regenerates the tenant from its seed and mailbox count: every change since creation is undone. */
export async function resetTenant(options: TenantOptions = {}): Promise<TenantStatus> {
  return toStatus(
    (await runSandboxCommand('Reset-ExoSandboxTenant', { Path: directoryOf(options) }, options)) as Raw,
  );
}

/** Counts, settings and the live sessions per account. A missing tenant reports `exists: false`. */
export async function tenantStatus(options: TenantOptions = {}): Promise<TenantStatus> {
  return toStatus(
    (await runSandboxCommand('Get-ExoSandboxTenant', { Path: directoryOf(options) }, options)) as Raw,
  );
}

/** Changes the session limit per account, the session lifetime and the command latency; sessions opened later use them. */
export async function configureTenant(options: ConfigureTenantOptions): Promise<TenantStatus> {
  const parameters = defined({
    Path: directoryOf(options),
    SessionLimit: integer('sessionLimit', options.sessionLimit, 1, 1000),
    CommandLatencyMs: integer('commandLatencyMs', options.commandLatencyMs, 0, 60_000),
    SessionLifetimeSeconds: integer(
      'sessionLifetimeSeconds',
      options.sessionLifetimeSeconds,
      1,
      2_147_483_647,
    ),
  });
  // Checked before anything changes, so a bad REST setting leaves the PSSession settings as they were too.
  if (options.rest !== undefined) validateRestSettings(options.rest);
  const status = toStatus((await runSandboxCommand('Set-ExoSandboxTenant', parameters, options)) as Raw);
  if (options.rest !== undefined) await writeRestSettings(directoryOf(options), options.rest);
  return status;
}

/** Checks that every data file the manifest names parses; reports counts and leftover files. */
export async function verifyTenant(options: TenantOptions = {}): Promise<TenantIntegrity> {
  const raw = (await runSandboxCommand(
    'Test-ExoSandboxTenant',
    { Path: directoryOf(options) },
    options,
  )) as Raw;
  return {
    generation: num(raw.Generation),
    shardCount: num(raw.ShardCount),
    recipientCount: num(raw.RecipientCount),
    unreferencedFileCount: num(raw.UnreferencedFileCount),
  };
}

/** Kills the server process of live sessions (all, or one account's): their connections drop. */
export async function dropSessions(
  options: TenantOptions & { userPrincipalName?: string; processIds?: number[] } = {},
): Promise<SandboxSession[]> {
  const parameters = defined({
    Path: directoryOf(options),
    UserPrincipalName: options.userPrincipalName,
    ProcessId: options.processIds,
  });
  const raw = await runSandboxCommand('Stop-ExoSandboxSession', parameters, options);
  const list = raw === null || raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return (list as Raw[]).map(toSession);
}
