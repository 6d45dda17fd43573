import type { Credential, JsonValue, StrategyName } from '@exo-connect/core';
import { ExoError } from '@exo-connect/core';
import type { EnvironmentDefinition } from '@exo-connect/env-endpoints';
import {
  APPLY_HTTP_PROXY_SCRIPT,
  NEW_SESSION_OPTION_SCRIPT,
  type ProxyOptionsInput,
  renderHttpProxy,
  renderSessionOption,
  resolveProxyOptions,
} from '@exo-connect/proxy-config';

export interface ShellPlanInput {
  environment: EnvironmentDefinition;
  strategy?: StrategyName;
  connectionUri?: string;
  credential?: Credential;
  proxy?: ProxyOptionsInput;
  commandNames?: string[];
  /** What the shell says it is connected to, e.g. "sandbox". */
  label: string;
  quiet: boolean;
  /** No terminal: run the commands piped to stdin as one script, then leave. */
  stdinScript?: boolean;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
}

/** A fixed proxy-config script and the JSON it takes (run as a script block, never built from values). */
export interface ProxyScript {
  script: string;
  parametersJson: string;
}

/**
 * Everything shell-startup.ps1 needs, sent to it once as JSON over the private channel: values only (the
 * two proxy scripts are proxy-config's fixed text). Holds the password: never log or print it.
 */
export interface ShellPlan {
  label: string;
  quiet: boolean;
  /** Run stdin as one script instead of prompting (stdin is not a terminal). */
  stdinScript: boolean;
  strategy: StrategyName;
  /** The environment's remote PowerShell endpoint is retired: "Access is denied" then means RPS_RETIRED. */
  rpsRetired: boolean;
  /** Modules the environment loads first (the sandbox's New-PSSession and stand-in module). */
  modules: string[];
  credential?: { userName: string; password: string };
  proxyCredential?: { userName: string; password: string };
  /** rps: New-PSSession's parameters besides -ConfigurationName, -Credential and -SessionOption. */
  session?: { ConnectionUri: string; Authentication: string; AllowRedirection: boolean };
  /** rps: Import-PSSession -CommandName. */
  commandNames?: string[];
  sessionOption?: ProxyScript;
  /** module: Connect-ExchangeOnline's parameters besides -Credential. */
  connect?: Record<string, JsonValue>;
  httpProxy?: ProxyScript;
  /** Shown before the shell starts (a proxy setting that was not used, a switched-off check). */
  warnings: string[];
}

function hasProxySettings(input: ShellPlanInput): boolean {
  const fromEnv = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((n) =>
    input.env[n]?.trim(),
  );
  return fromEnv || (input.proxy !== undefined && Object.keys(input.proxy).length > 0);
}

function missingEndpoint(environment: EnvironmentDefinition, kind: string, other: StrategyName): ExoError {
  return new ExoError(
    'INVALID_ARGUMENT',
    `strategy: environment "${environment.id}" has no ${kind} endpoint.`,
    {
      details: { field: 'strategy' },
      remediation: `Use --strategy ${other} for this environment.`,
    },
  );
}

/**
 * What exo shell asks the interactive pwsh to do: the same endpoints, parameters and proxy handling as
 * core's strategies, as data. Sign-in is a password (rps or module) or, for the module strategy, a device
 * code shown in the shell.
 */
export function planShell(input: ShellPlanInput): ShellPlan {
  const { environment } = input;
  const strategy = input.strategy ?? environment.defaultStrategy;
  const credential = input.credential;
  if (credential && credential.kind !== undefined && credential.kind !== 'password') {
    if (strategy === 'rps' || credential.kind !== 'device') {
      throw new ExoError(
        'INVALID_ARGUMENT',
        `exo shell cannot sign in with a ${credential.kind} credential${strategy === 'rps' ? ' over remote PowerShell' : ''}.`,
        {
          details: { field: 'credential.kind' },
          remediation:
            strategy === 'rps'
              ? 'Pass -u user@domain: remote PowerShell signs in with a user name and password.'
              : 'Pass -u user@domain for a password sign-in, or leave it out to sign in with a device code.',
        },
      );
    }
  }
  const password =
    credential && (credential.kind === undefined || credential.kind === 'password')
      ? { userName: credential.userPrincipalName, password: credential.password }
      : undefined;
  const plan: ShellPlan = {
    label: input.label,
    quiet: input.quiet,
    stdinScript: input.stdinScript ?? false,
    strategy,
    rpsRetired: environment.rps?.status.state === 'retired',
    modules: [...(environment.prelude?.modules ?? [])],
    credential: password,
    warnings: [],
  };
  const proxy = hasProxySettings(input)
    ? resolveProxyOptions({ flags: input.proxy, env: input.env, platform: input.platform as never })
    : undefined;
  if (proxy) plan.warnings.push(...proxy.warnings);

  if (strategy === 'rps') {
    const endpoint = environment.rps;
    if (!endpoint) throw missingEndpoint(environment, 'remote PowerShell', 'module');
    if (endpoint.requiresUserUri && !input.connectionUri) {
      throw new ExoError(
        'INVALID_ARGUMENT',
        `connectionUri: environment "${environment.id}" needs your server's URI.`,
        {
          details: { field: 'connectionUri' },
          remediation: 'Pass --connection-uri, e.g. http://mail.contoso.local/PowerShell/.',
        },
      );
    }
    plan.session = {
      ConnectionUri: input.connectionUri ?? endpoint.connectionUri,
      Authentication: endpoint.authentication,
      AllowRedirection: endpoint.allowRedirection,
    };
    if (input.commandNames?.length) plan.commandNames = [...input.commandNames];
    if (proxy) {
      const rendered = renderSessionOption(proxy, { platform: input.platform as never });
      plan.warnings.push(...rendered.warnings);
      plan.sessionOption = {
        script: NEW_SESSION_OPTION_SCRIPT,
        parametersJson: JSON.stringify(rendered.parameters),
      };
      const secret = rendered.secret.proxyCredential;
      if (secret) plan.proxyCredential = { userName: secret.userName, password: secret.password };
    }
    return plan;
  }

  const endpoint = environment.module;
  if (!endpoint) throw missingEndpoint(environment, 'module', 'rps');
  const connect: Record<string, JsonValue> = { ExchangeEnvironmentName: endpoint.exchangeEnvironmentName };
  const uri = input.connectionUri ?? endpoint.connectionUri;
  if (uri) connect.ConnectionUri = uri;
  if (endpoint.azureADAuthorizationEndpointUri)
    connect.AzureADAuthorizationEndpointUri = endpoint.azureADAuthorizationEndpointUri;
  if (input.commandNames?.length) connect.CommandName = [...input.commandNames];
  if (credential?.kind === 'device') {
    connect.Device = true;
    if (credential.userPrincipalName) connect.UserPrincipalName = credential.userPrincipalName;
  }
  plan.connect = connect;
  if (proxy) {
    const { secret, ...settings } = renderHttpProxy(proxy);
    plan.httpProxy = { script: APPLY_HTTP_PROXY_SCRIPT, parametersJson: JSON.stringify(settings) };
    if (secret.proxyCredential)
      plan.proxyCredential = {
        userName: secret.proxyCredential.userName,
        password: secret.proxyCredential.password,
      };
  }
  return plan;
}
