import { renderSessionOption } from '@exo-connect/proxy-config';
import type { ParameterValue } from '../../bridge/encode-request.js';
import type { SecretValue } from '../../bridge/pwsh-bridge.js';
import { ExoError } from '../../errors/exo-error.js';
import { type ConnectionStrategy, type PlanContext, planOf, type StepPlan } from './plan.js';
import { addCredential, commandsOf, hasProxySettings, missingEndpoint, resolveProxy } from './shared.js';

function rpsRetired(ctx: PlanContext): boolean {
  return ctx.environment.rps?.status.state === 'retired';
}

/** The seed's flow: New-PSSession to the environment's endpoint, then Import-PSSession, then Remove-PSSession. */
export const rps: ConnectionStrategy = {
  importReportsProgress: true,
  runsPowerShell: true,

  session(ctx): StepPlan {
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
        `credential.kind: "${credential.kind}" needs the module or rest strategy.`,
        {
          details: { field: 'credential.kind' },
          remediation:
            'Remote PowerShell takes a user name and password; use strategy "rest" or "module" for other sign-ins.',
        },
      );
    }
    const parameters: Record<string, ParameterValue> = {
      ConnectionUri: connectionUri,
      Authentication: endpoint.authentication,
      AllowRedirection: endpoint.allowRedirection,
    };
    const secrets: Record<string, SecretValue> = {};
    const warnings: string[] = [];
    if (credential) {
      addCredential(parameters, secrets, 'Credential', 'credential', {
        userName: credential.userPrincipalName,
        password: credential.password,
      });
    }
    if (hasProxySettings(ctx)) {
      const resolved = resolveProxy(ctx);
      const rendered = renderSessionOption(resolved, { platform: ctx.platform as never });
      warnings.push(...resolved.warnings, ...rendered.warnings);
      parameters.SessionOptionJson = JSON.stringify(rendered.parameters);
      const proxyCredential = rendered.secret.proxyCredential;
      if (proxyCredential) addCredential(parameters, secrets, 'ProxyCredential', 'proxy', proxyCredential);
    }
    const command = {
      command: 'Connect-ExoRps',
      parameters,
      secrets,
      classify: { step: 'session' as const, rpsRetired: rpsRetired(ctx) },
    };
    return { commands: [command], warnings };
  },

  import(ctx) {
    const parameters: Record<string, ParameterValue> = {};
    if (ctx.commandNames?.length) parameters.CommandName = ctx.commandNames;
    if (ctx.prefix) parameters.Prefix = ctx.prefix;
    return planOf({ command: 'Import-ExoRps', parameters, secrets: {}, classify: { step: 'import' } });
  },

  // Import-PSSession applied the -CommandName filter and the prefix already.
  imported: (_, output) => commandsOf(output),

  disconnect: () =>
    planOf({ command: 'Disconnect-ExoRps', parameters: {}, secrets: {}, classify: { step: 'disconnect' } }),
};
