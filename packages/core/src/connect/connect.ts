import { type EnvironmentDefinition, getEnvironment, validateEnvironment } from '@exo-connect/env-endpoints';
import { locatePwsh } from '../pwsh/locate-pwsh.js';
import { restTransportFactory } from '../rest/rest-transport.js';
import { Connection, type ConnectionConfig, type Ports } from './connection.js';
import { pwshHostFactory, realClock } from './host-port.js';
import { type AccountLimiter, defaultLimiter } from './limiter.js';
import { type ConnectOptions, parseConnectOptions, type TokenCacheStore } from './options.js';
import { trackForSignals } from './signals.js';

export interface ConnectDependencies extends Partial<Ports> {
  limiter?: AccountLimiter;
}

function resolveEnvironment(value: unknown, allowRetired: boolean | undefined): EnvironmentDefinition {
  return typeof value === 'string' ? getEnvironment(value, { allowRetired }) : validateEnvironment(value);
}

function accountOf(environment: EnvironmentDefinition, options: ConnectOptions): string {
  const credential = typeof options.credential === 'object' ? options.credential : undefined;
  const who =
    credential && 'userPrincipalName' in credential && credential.userPrincipalName
      ? credential.userPrincipalName.toLowerCase()
      : credential && 'appId' in credential
        ? `app:${credential.appId}`
        : 'default';
  return `${environment.id}|${who}`;
}

/**
 * Connects to Exchange PowerShell: policy → credential → session → import → ready. Resolves with a ready
 * connection; rejects with an ExoError (stable code, message, remediation) after releasing everything.
 */
export async function connect(
  input: ConnectOptions = {},
  deps: ConnectDependencies = {},
): Promise<Connection> {
  const options = parseConnectOptions(input);
  const environment = resolveEnvironment(options.environment, options.allowRetired);
  const strategy = options.strategy ?? environment.defaultStrategy;
  const env = (options.env ?? process.env) as Record<string, string | undefined>;
  const pwsh = options.pwsh
    ? await locatePwsh({ env: { ...env, EXO_PWSH: options.pwsh }, cache: true })
    : undefined;
  const limiter = deps.limiter ?? defaultLimiter;
  const account = accountOf(environment, input);
  const onEvent = input.onEvent;

  const release = await limiter.acquire(
    account,
    options.maxSessionsPerAccount ?? (strategy === 'rest' ? 50 : 3),
    options.signal,
    (waiting) => onEvent?.({ type: 'queued', account, waiting }),
  );
  const config: ConnectionConfig = {
    environment,
    strategy,
    connectionUri: options.connectionUri,
    credential: input.credential,
    proxy: input.proxy,
    commandNames: options.commandNames,
    allowCommands: options.allowCommands,
    allowLocalCommands: options.allowLocalCommands,
    prefix: options.prefix,
    skipLoadingFormatData: options.skipLoadingFormatData,
    executionPolicy: options.executionPolicy ?? 'bypass',
    timeouts: options.timeouts ?? {},
    depth: options.depth ?? 4,
    pwsh,
    env,
    platform: process.platform,
    onEvent,
    ...(options.tokenCache && { tokenCache: options.tokenCache as TokenCacheStore }),
  };
  const hosts =
    deps.hosts ??
    (strategy === 'rest' ? restTransportFactory({ ...config, credential: undefined }) : pwshHostFactory);
  const connection = new Connection(config, { hosts, clock: deps.clock ?? realClock });
  connection.onSettled(release);
  if (options.handleSignals !== false) trackForSignals(connection);
  await connection.open(options.signal);
  return connection;
}
