import { renderHttpProxy } from '@exo-connect/proxy-config';
import type { JsonValue, ParameterValue } from '../../bridge/encode-request.js';
import type { SecretValue } from '../../bridge/pwsh-bridge.js';
import { ExoError } from '../../errors/exo-error.js';
import { type ConnectionStrategy, type PlanContext, type PlannedCommand, planOf } from './plan.js';
import {
  addCredential,
  commandsOf,
  hasProxySettings,
  missingEndpoint,
  prefixedNames,
  resolveProxy,
} from './shared.js';

function proxyCommand(ctx: PlanContext, warnings: string[]): PlannedCommand {
  const resolved = resolveProxy(ctx);
  const rendered = renderHttpProxy(resolved);
  warnings.push(...resolved.warnings);
  const { secret, ...settings } = rendered;
  const parameters: Record<string, ParameterValue> = { ParametersJson: JSON.stringify(settings) };
  const secrets: Record<string, SecretValue> = {};
  if (secret.proxyCredential)
    addCredential(parameters, secrets, 'ProxyCredential', 'proxy', secret.proxyCredential);
  return { command: 'Set-ExoHttpProxy', parameters, secrets };
}

/** Connect-ExchangeOnline's parameters for the credential: values as data, secrets as references. */
function signIn(ctx: PlanContext, connect: Record<string, JsonValue>): Omit<PlannedCommand, 'command'> {
  const parameters: Record<string, ParameterValue> = {};
  const secrets: Record<string, SecretValue> = {};
  const credential = ctx.credential;
  switch (credential?.kind) {
    case undefined:
    case 'password':
      if (credential) {
        addCredential(parameters, secrets, 'Credential', 'credential', {
          userName: credential.userPrincipalName,
          password: credential.password,
        });
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
      if (credential.certificateThumbprint) connect.CertificateThumbprint = credential.certificateThumbprint;
      if (credential.certificatePassword) {
        parameters.CertificatePassword = { $exoSecret: 'certificatePassword' };
        secrets.certificatePassword = { kind: 'secureString', value: credential.certificatePassword };
      }
      break;
    case 'clientSecret':
      throw new ExoError(
        'INVALID_ARGUMENT',
        'credential.kind: Connect-ExchangeOnline takes no client secret.',
        {
          details: { field: 'credential.kind' },
          remediation:
            'Use the rest strategy (strategy "rest", --strategy rest), which signs in with a client secret, or give the app a certificate.',
        },
      );
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
  return { parameters, secrets };
}

/** ExchangeOnlineManagement: Connect-ExchangeOnline imports the cmdlets itself; Disconnect-ExchangeOnline ends it. */
export const moduleStrategy: ConnectionStrategy = {
  importReportsProgress: false,
  runsPowerShell: true,

  session(ctx) {
    const endpoint = ctx.environment.module;
    if (!endpoint) throw missingEndpoint(ctx, 'module', 'rps');
    const warnings: string[] = [];
    const commands: PlannedCommand[] = [];
    if (hasProxySettings(ctx)) commands.push(proxyCommand(ctx, warnings));

    const connect: Record<string, JsonValue> = { ExchangeEnvironmentName: endpoint.exchangeEnvironmentName };
    const uri = ctx.connectionUri ?? endpoint.connectionUri;
    if (uri) connect.ConnectionUri = uri;
    if (endpoint.azureADAuthorizationEndpointUri)
      connect.AzureADAuthorizationEndpointUri = endpoint.azureADAuthorizationEndpointUri;
    if (ctx.commandNames?.length) connect.CommandName = ctx.commandNames;
    if (ctx.prefix) connect.Prefix = ctx.prefix;
    if (ctx.skipLoadingFormatData) connect.SkipLoadingFormatData = true;
    commands.push({ command: 'Connect-ExoModule', ...signIn(ctx, connect), classify: { step: 'session' } });
    return { commands, warnings };
  },

  import: () => planOf({ command: 'Get-ExoModuleCommand', parameters: {}, secrets: {} }),

  imported(ctx, output) {
    const exported = commandsOf(output);
    const known = new Set(exported.map((c) => c.toLowerCase()));
    // The module imports its own cmdlets while connecting; check the ones the caller asked for are there.
    const wanted = prefixedNames(ctx) ?? [ctx.prefix ? `Get-${ctx.prefix}Mailbox` : 'Get-Mailbox'];
    const missing = wanted.filter((name) => !known.has(name.toLowerCase()));
    if (missing.length) {
      throw new ExoError(
        'MODULE_NOT_INSTALLED',
        `Connected, but these cmdlets were not imported: ${missing.join(', ')}.`,
        {
          remediation: 'Check the account has the roles for these cmdlets, and the -CommandName list.',
        },
      );
    }
    const filter = prefixedNames(ctx);
    if (!filter) return exported;
    const asked = new Set(filter.map((c) => c.toLowerCase()));
    return exported.filter((c) => asked.has(c.toLowerCase()));
  },

  disconnect: () =>
    planOf({
      command: 'Disconnect-ExoModule',
      parameters: {},
      secrets: {},
      classify: { step: 'disconnect' },
    }),
};
