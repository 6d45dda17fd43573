import { createHash } from 'node:crypto';
import {
  configPath,
  createKeychain,
  createProgressReporter,
  keychainTokenCache,
  loadConfig,
  type Profile,
  passwordFromEnv,
  promptPassword,
  readPasswordFromStdin,
  resolveProfile,
} from '@exo-connect/cli';
import {
  type Connection,
  type ConnectOptions,
  type Credential,
  connect,
  ExoError,
  type TokenCacheStore,
} from '@exo-connect/core';
import type { ProxyOptionsInput } from '@exo-connect/proxy-config';
import {
  createTenant,
  defaultTenantDir,
  findSandboxServer,
  SANDBOX_DEMO_CREDENTIAL,
  sandboxEnvironment,
  startSandboxServer,
  tenantStatus,
} from '@exo-connect/sandbox';
import { type AppSignInFlags, appCredential, appSignInOf, describeAppSignIn } from './app-sign-in.js';

export interface ConnectionFlagValues extends AppSignInFlags {
  environment?: string;
  'device-code'?: boolean;
  'token-cache'?: boolean;
  user?: string;
  strategy?: string;
  'password-stdin'?: boolean;
  'connection-uri'?: string;
  'proxy-access-type'?: string;
  proxy?: string;
  profile?: string;
  quiet?: boolean;
}

export interface Io {
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

export interface Target {
  /** What the one line on stderr says we connect to. */
  label: string;
  sandbox: boolean;
  options: ConnectOptions;
  /** Ends what the target started for the connection (the sandbox's REST face for --strategy rest). */
  cleanup?: () => Promise<void>;
}

export type StrategyFlag = 'rps' | 'module' | 'rest';

const SANDBOX_MAILBOXES = 25;

function isSandbox(environment: string | undefined): boolean {
  return environment !== undefined && ['sandbox', 'local'].includes(environment.trim().toLowerCase());
}

/** Creates the sandbox tenant on first use, so `exo run Get-Mailbox` works on a fresh machine. */
export async function ensureSandbox(io: Io, quiet: boolean | undefined): Promise<string> {
  const directory = defaultTenantDir({ env: io.env });
  const status = await tenantStatus({ directory, env: io.env });
  if (!status.exists) {
    if (!quiet)
      io.stderr.write(`› creating the sandbox tenant in ${directory} (${SANDBOX_MAILBOXES} mailboxes)\n`);
    await createTenant({ directory, mailboxCount: SANDBOX_MAILBOXES, env: io.env });
  }
  return directory;
}

async function password(
  flags: ConnectionFlagValues,
  io: Io,
  profile: Profile | undefined,
  user: string,
): Promise<string> {
  if (flags['password-stdin']) return readPasswordFromStdin(io.stdin);
  const fromEnv = passwordFromEnv(io.env);
  if (fromEnv !== undefined) return fromEnv;
  if (profile?.credentialStore === 'keychain') {
    const stored = await createKeychain({ env: io.env }).getPassword(user);
    if (stored !== undefined) return stored;
  }
  if (io.stdin.isTTY)
    return promptPassword({ input: io.stdin, output: io.stderr, prompt: `Password for ${user}: ` });
  throw new ExoError(
    'CREDENTIAL_MISSING',
    `No password for ${user}: stdin is not a terminal, so exo cannot ask.`,
    {
      remediation:
        'Pipe it with --password-stdin, or set EXO_PASSWORD (least safe: other processes of yours can read it).',
    },
  );
}

/** A tenant directory as a short key: its path may hold characters no keychain entry name takes. */
function directoryKey(directory: string): string {
  return createHash('sha256').update(directory).digest('hex').slice(0, 16);
}

/**
 * The OS keychain as the rest strategy's token cache, under `key`, unless --no-token-cache or there is no
 * keychain here (then every run signs in, as before; `exo doctor` says why).
 */
async function tokenCacheFor(
  flags: ConnectionFlagValues,
  io: Io,
  key: string,
): Promise<{ tokenCache?: TokenCacheStore }> {
  if (flags['token-cache'] === false) return {};
  const keychain = createKeychain({ env: io.env });
  return (await keychain.isAvailable()) ? { tokenCache: keychainTokenCache(keychain, key) } : {};
}

function proxyFrom(flags: ConnectionFlagValues, profile: Profile | undefined): ProxyOptionsInput | undefined {
  const proxy: Record<string, unknown> = { ...(profile?.proxy ?? {}) };
  if (flags.proxy) proxy.proxyUrl = flags.proxy;
  if (flags['proxy-access-type']) proxy.accessType = flags['proxy-access-type'];
  return Object.keys(proxy).length ? (proxy as ProxyOptionsInput) : undefined;
}

/**
 * Decides what to connect to: -e/-u flags, else the named or current profile, else the sandbox (created on
 * first use), saying so in one line.
 */
export async function resolveTarget(flags: ConnectionFlagValues, io: Io): Promise<Target> {
  const config = await loadConfig(configPath({ env: io.env }));
  const chosen = flags.environment ? undefined : resolveProfile(config, flags.profile);
  const profile = chosen?.profile;
  const environment = flags.environment ?? profile?.environment;
  const strategy = (flags.strategy ?? profile?.strategy) as StrategyFlag | undefined;
  const proxy = proxyFrom(flags, profile);

  const app = appSignInOf(flags, profile);
  if (app && flags.user !== undefined) {
    throw new ExoError(
      'INVALID_ARGUMENT',
      '-u/--user and an app-only sign-in (--app-id, --managed-identity) exclude each other.',
      {
        details: { field: 'user' },
        remediation: 'Sign in as a user (-u) or as an app (--app-id …), not both.',
      },
    );
  }

  if (environment === undefined || isSandbox(environment)) {
    // The REST face `exo sandbox serve` runs for the tenant: it exists (no pwsh need ask), and rest uses it.
    const tenantDir = defaultTenantDir({ env: io.env });
    const running = strategy === 'rest' ? await findSandboxServer(tenantDir) : undefined;
    const directory = running ? tenantDir : await ensureSandbox(io, flags.quiet);
    const user = flags.user ?? profile?.userPrincipalName;
    const credential: Credential = app
      ? await appCredential(app, flags, profile, io)
      : flags['device-code']
        ? { kind: 'device', ...(user && { userPrincipalName: user }) }
        : user
          ? { userPrincipalName: user, password: await password(flags, io, profile, user) }
          : SANDBOX_DEMO_CREDENTIAL;
    const who = app
      ? describeAppSignIn(app)
      : credential.kind === 'device'
        ? `a device code sign-in${user ? ` (${user})` : ''}`
        : 'userPrincipalName' in credential
          ? credential.userPrincipalName
          : '';
    // The sandbox's REST face: the one `exo sandbox serve` runs for the tenant (above), else one started for
    // this command and stopped when the connection ends.
    const started =
      strategy === 'rest' && !running
        ? await startSandboxServer({ directory, workers: 1, env: io.env })
        : undefined;
    const server = running ?? started;
    return {
      label:
        environment === undefined
          ? `no profile configured: using the local sandbox tenant (${directory}) as ${who}`
          : `sandbox tenant (${directory}) as ${who}`,
      sandbox: true,
      cleanup: started ? () => started.stop() : undefined,
      options: {
        environment: sandboxEnvironment({ server }),
        strategy,
        credential,
        ...(await tokenCacheFor(flags, io, `sandbox.${directoryKey(directory)}.${user ?? 'default'}`)),
        proxy,
        env: { ...io.env, EXO_SANDBOX_DIR: directory } as Record<string, string>,
      },
    };
  }

  if (app) {
    return {
      label: `${environment}${chosen ? ` (profile ${chosen.name})` : ''} as ${describeAppSignIn(app)}`,
      sandbox: false,
      options: {
        environment,
        strategy,
        connectionUri: flags['connection-uri'] ?? profile?.connectionUri,
        credential: () => appCredential(app, flags, profile, io),
        proxy,
        env: io.env as Record<string, string>,
      },
    };
  }

  const user = flags.user ?? profile?.userPrincipalName;
  const usesPassword =
    !flags['device-code'] &&
    (strategy === 'rps' ||
      (strategy === undefined && environment === 'exchange-server') ||
      user !== undefined);
  const credential: ConnectOptions['credential'] = usesPassword
    ? async () => {
        if (!user) {
          throw new ExoError('CREDENTIAL_MISSING', 'No user given.', {
            remediation: 'Pass -u user@contoso.com, or set it in the profile.',
          });
        }
        return { userPrincipalName: user, password: await password(flags, io, profile, user) };
      }
    : { kind: 'device', userPrincipalName: user };
  return {
    label: `${environment}${chosen ? ` (profile ${chosen.name})` : ''}${user ? ` as ${user}` : ''}`,
    sandbox: false,
    options: {
      environment,
      strategy,
      connectionUri: flags['connection-uri'] ?? profile?.connectionUri,
      credential,
      ...(await tokenCacheFor(flags, io, `${environment}.${user ?? 'device'}`)),
      proxy,
      env: io.env as Record<string, string>,
    },
  };
}

export interface OpenedConnection {
  connection: Connection;
  clearProgress: () => void;
  /** Disconnects, then ends what the target started; safe to call more than once. */
  close: () => Promise<void>;
}

/** Connects with progress on stderr, cancelled by `signal` (Ctrl+C). */
export async function openConnection(
  flags: ConnectionFlagValues,
  io: Io,
  signal: AbortSignal,
  extra: Partial<ConnectOptions> = {},
): Promise<OpenedConnection> {
  const target = await resolveTarget(flags, io);
  if (!flags.quiet) io.stderr.write(`› ${target.label}\n`);
  const progress = createProgressReporter({ stream: io.stderr, quiet: flags.quiet, env: io.env });
  try {
    const connection = await connect({
      ...target.options,
      ...extra,
      signal,
      handleSignals: false,
      onEvent: progress.onEvent,
    });
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= connection.disconnect().finally(() => target.cleanup?.());
      return closing;
    };
    return { connection, clearProgress: () => progress.clear(), close };
  } catch (error) {
    await target.cleanup?.();
    throw error;
  } finally {
    progress.clear();
  }
}

/** Ctrl+C, SIGTERM and SIGHUP abort the work; the command disconnects, then fails with ABORTED (exit 130). */
export function interruptSignal(): { signal: AbortSignal; interrupted: () => NodeJS.Signals | undefined } {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (name: NodeJS.Signals) => {
    if (received) return;
    received = name;
    controller.abort(
      new ExoError('ABORTED', name === 'SIGINT' ? 'Interrupted (Ctrl+C).' : `Stopped by ${name}.`),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  return {
    signal: controller.signal,
    interrupted: () => received,
  };
}
