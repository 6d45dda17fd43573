import { resolveProxyOptions } from '@exo-connect/proxy-config';
import type { ParameterValue } from '../../bridge/encode-request.js';
import type { SecretValue } from '../../bridge/pwsh-bridge.js';
import { ExoError } from '../../errors/exo-error.js';
import type { PlanContext, StrategyName } from './plan.js';

export function hasProxySettings(ctx: PlanContext): boolean {
  const env = ctx.env;
  const fromEnv = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((n) => env[n]?.trim());
  return fromEnv || (ctx.proxy !== undefined && Object.keys(ctx.proxy).length > 0);
}

export function resolveProxy(ctx: PlanContext) {
  return resolveProxyOptions({ flags: ctx.proxy, env: ctx.env, platform: ctx.platform as never });
}

export function missingEndpoint(ctx: PlanContext, kind: string, other: StrategyName): ExoError {
  return new ExoError(
    'INVALID_ARGUMENT',
    `strategy: environment "${ctx.environment.id}" has no ${kind} endpoint.`,
    {
      details: { field: 'strategy' },
      remediation: `Use the ${other} strategy for this environment.`,
    },
  );
}

/** The names the caller asked to import, as the session exports them (with the prefix on the noun). */
export function prefixedNames(ctx: PlanContext): string[] | undefined {
  if (!ctx.commandNames?.length) return undefined;
  return ctx.commandNames.map((n) => (ctx.prefix ? n.replace('-', `-${ctx.prefix}`) : n));
}

/** Reads the `Commands` list the bridge's import functions return. */
export function commandsOf(output: unknown[]): string[] {
  const [result] = output as Array<{ Commands?: unknown }>;
  const commands = result?.Commands;
  return Array.isArray(commands) ? commands.filter((c): c is string => typeof c === 'string') : [];
}

/**
 * Puts a user name and password into a planned command as a PSCredential parameter: the parameter holds only
 * a reference, the secrets map the value the host asks for.
 */
export function addCredential(
  parameters: Record<string, ParameterValue>,
  secrets: Record<string, SecretValue>,
  parameter: string,
  secret: string,
  credential: { userName: string; password: string },
): void {
  parameters[parameter] = { $exoSecret: secret };
  secrets[secret] = { kind: 'credential', userName: credential.userName, password: credential.password };
}
