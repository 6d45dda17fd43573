import type { EnvironmentDefinition } from '@exo-connect/env-endpoints';
import {
  type ProxyOptionsInput,
  renderHttpProxy,
  renderSessionOption,
  resolveProxyOptions,
} from '@exo-connect/proxy-config';
import type { JsonValue, ParameterValue } from '../bridge/encode-request.js';
import type { SecretValue } from '../bridge/pwsh-bridge.js';
import { ExoError } from '../errors/exo-error.js';
import type { ConnectionEvent } from './events.js';
import type { HostPort } from './host-port.js';
import type { Credential } from './options.js';
import { runCommand } from './run-command.js';

export type StrategyName = 'rps' | 'module';

export interface StepContext {
  host: HostPort;
  environment: EnvironmentDefinition;
  strategy: StrategyName;
  connectionUri?: string;
  credential?: Credential;
  proxy?: ProxyOptionsInput;
  commandNames?: string[];
  prefix?: string;
  skipLoadingFormatData?: boolean;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  emit: (event: ConnectionEvent) => void;
  signal: AbortSignal;
}

export interface ConnectionStrategy {
  session(ctx: StepContext): Promise<void>;
  import(ctx: StepContext): Promise<void>;
  disconnect(ctx: StepContext): Promise<void>;
}

function hasProxySettings(ctx: StepContext): boolean {
  const env = ctx.env;
  const fromEnv = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((n) => env[n]?.trim());
  return fromEnv || (ctx.proxy !== undefined && Object.keys(ctx.proxy).length > 0);
}

function resolveProxy(ctx: StepContext) {
  return resolveProxyOptions({ flags: ctx.proxy, env: ctx.env, platform: ctx.platform as never });
}

function missingEndpoint(ctx: StepContext, kind: string, other: StrategyName): ExoError {
  return new ExoError(
    'INVALID_ARGUMENT',
    `strategy: environment "${ctx.environment.id}" has no ${kind} endpoint.`,
    {
      details: { field: 'strategy' },
      remediation: `Use the ${other} strategy for this environment.`,
    },
  );
}

function rpsRetired(ctx: StepContext): boolean {
  return ctx.environment.rps?.status.state === 'retired';
}

const rps: ConnectionStrategy = {
  async session(ctx) {
    const endpoint = ctx.environment.rps;
    if (!endpoint) throw missingEndpoint(ctx, 'remote PowerShell', 'module');
    const connectionUri = ctx.connectionUri ?? endpoint.connectionUri;
    if (endpoint.requiresUserUri && !ctx.connectionUri) {
      throw new ExoError(
        'INVALID_ARGUMENT',
        `connectionUri: environment "${ctx.environment.id}" needs your server's URI.`,
        {
          details: { field: 'connectionUri' },
          remediation:
            'Pass connectionUri, e.g. http://mail.contoso.local/PowerShell/ (exo: --connection-uri).',
        },
      );
    }
    const credential = ctx.credential;
    if (credential && credential.kind !== undefined && credential.kind !== 'password') {
      throw new ExoError(
        'INVALID_ARGUMENT',
        `credential.kind: "${credential.kind}" needs the module strategy.`,
        {
          details: { field: 'credential.kind' },
          remediation:
            'Remote PowerShell takes a user name and password; use strategy "module" for other sign-ins.',
        },
      );
    }
    const parameters: Record<string, ParameterValue> = {
      ConnectionUri: connectionUri,
      Authentication: endpoint.authentication,
      AllowRedirection: endpoint.allowRedirection,
    };
    const secrets: Record<string, SecretValue> = {};
    if (credential) {
      parameters.Credential = { $exoSecret: 'credential' };
      secrets.credential = {
        kind: 'credential',
        userName: credential.userPrincipalName,
        password: credential.password,
      };
    }
    if (hasProxySettings(ctx)) {
      const resolved = resolveProxy(ctx);
      const rendered = renderSessionOption(resolved, { platform: ctx.platform as never });
      for (const warning of [...resolved.warnings, ...rendered.warnings])
        ctx.emit({ type: 'warning', message: warning });
      parameters.SessionOptionJson = JSON.stringify(rendered.parameters);
      const proxyCredential = rendered.secret.proxyCredential;
      if (proxyCredential) {
        parameters.ProxyCredential = { $exoSecret: 'proxy' };
        secrets.proxy = {
          kind: 'credential',
          userName: proxyCredential.userName,
          password: proxyCredential.password,
        };
      }
    }
    await runCommand(ctx.host, 'Connect-ExoRps', parameters, {
      secrets,
      signal: ctx.signal,
      emit: ctx.emit,
      classify: { step: 'session', rpsRetired: rpsRetired(ctx) },
    });
  },

  async import(ctx) {
    const parameters: Record<string, ParameterValue> = {};
    if (ctx.commandNames?.length) parameters.CommandName = ctx.commandNames;
    if (ctx.prefix) parameters.Prefix = ctx.prefix;
    await runCommand(ctx.host, 'Import-ExoRps', parameters, {
      signal: ctx.signal,
      emit: ctx.emit,
      classify: { step: 'import' },
    });
  },

  async disconnect(ctx) {
    await runCommand(
      ctx.host,
      'Disconnect-ExoRps',
      {},
      { signal: ctx.signal, emit: ctx.emit, classify: { step: 'disconnect' } },
    );
  },
};

const moduleStrategy: ConnectionStrategy = {
  async session(ctx) {
    const endpoint = ctx.environment.module;
    if (!endpoint) throw missingEndpoint(ctx, 'module', 'rps');
    if (hasProxySettings(ctx)) {
      const resolved = resolveProxy(ctx);
      const rendered = renderHttpProxy(resolved);
      for (const warning of resolved.warnings) ctx.emit({ type: 'warning', message: warning });
      const { secret, ...settings } = rendered;
      const parameters: Record<string, ParameterValue> = { ParametersJson: JSON.stringify(settings) };
      const secrets: Record<string, SecretValue> = {};
      if (secret.proxyCredential) {
        parameters.ProxyCredential = { $exoSecret: 'proxy' };
        secrets.proxy = { kind: 'credential', ...secret.proxyCredential };
      }
      await runCommand(ctx.host, 'Set-ExoHttpProxy', parameters, {
        secrets,
        signal: ctx.signal,
        emit: ctx.emit,
      });
    }

    const connect: Record<string, JsonValue> = { ExchangeEnvironmentName: endpoint.exchangeEnvironmentName };
    const uri = ctx.connectionUri ?? endpoint.connectionUri;
    if (uri) connect.ConnectionUri = uri;
    if (endpoint.azureADAuthorizationEndpointUri)
      connect.AzureADAuthorizationEndpointUri = endpoint.azureADAuthorizationEndpointUri;
    if (ctx.commandNames?.length) connect.CommandName = ctx.commandNames;
    if (ctx.prefix) connect.Prefix = ctx.prefix;
    if (ctx.skipLoadingFormatData) connect.SkipLoadingFormatData = true;

    const parameters: Record<string, ParameterValue> = {};
    const secrets: Record<string, SecretValue> = {};
    const credential = ctx.credential;
    switch (credential?.kind) {
      case undefined:
      case 'password':
        if (credential) {
          parameters.Credential = { $exoSecret: 'credential' };
          secrets.credential = {
            kind: 'credential',
            userName: credential.userPrincipalName,
            password: credential.password,
          };
        }
        break;
      case 'device':
        connect.Device = true;
        if (credential.userPrincipalName) connect.UserPrincipalName = credential.userPrincipalName;
        break;
      case 'certificate':
        connect.AppId = credential.appId;
        connect.Organization = credential.organization;
        if (credential.certificateFilePath) connect.CertificateFilePath = credential.certificateFilePath;
        if (credential.certificateThumbprint)
          connect.CertificateThumbprint = credential.certificateThumbprint;
        if (credential.certificatePassword) {
          parameters.CertificatePassword = { $exoSecret: 'certificatePassword' };
          secrets.certificatePassword = { kind: 'secureString', value: credential.certificatePassword };
        }
        break;
      case 'managedIdentity':
        connect.ManagedIdentity = true;
        connect.Organization = credential.organization;
        if (credential.accountId) connect.ManagedIdentityAccountId = credential.accountId;
        break;
      case 'accessToken':
        connect.Organization = credential.organization;
        if (credential.userPrincipalName) connect.UserPrincipalName = credential.userPrincipalName;
        parameters.AccessToken = { $exoSecret: 'accessToken' };
        secrets.accessToken = { kind: 'string', value: credential.accessToken };
        break;
    }
    parameters.Parameters = connect;
    await runCommand(ctx.host, 'Connect-ExoModule', parameters, {
      secrets,
      signal: ctx.signal,
      emit: ctx.emit,
      classify: { step: 'session' },
    });
  },

  async import(ctx) {
    // The module imports its own cmdlets while connecting; check the ones the caller asked for exist.
    const wanted = ctx.commandNames?.length ? ctx.commandNames : ['Get-Mailbox'];
    const names = wanted.map((n) => (ctx.prefix ? n.replace('-', `-${ctx.prefix}`) : n));
    const [result] = (await runCommand(
      ctx.host,
      'Test-ExoCommand',
      { Name: names },
      { signal: ctx.signal },
    )) as Array<{
      Missing: string[];
    }>;
    const missing = result?.Missing ?? [];
    if (missing.length) {
      throw new ExoError(
        'MODULE_NOT_INSTALLED',
        `Connected, but these cmdlets were not imported: ${missing.join(', ')}.`,
        {
          remediation: 'Check the account has the roles for these cmdlets, and the -CommandName list.',
        },
      );
    }
    ctx.emit({
      type: 'progress',
      activity: 'Importing cmdlets',
      status: 'done',
      percent: 100,
      completed: true,
    });
  },

  async disconnect(ctx) {
    await runCommand(
      ctx.host,
      'Disconnect-ExoModule',
      {},
      { signal: ctx.signal, emit: ctx.emit, classify: { step: 'disconnect' } },
    );
  },
};

export const STRATEGIES: Record<StrategyName, ConnectionStrategy> = { rps, module: moduleStrategy };
