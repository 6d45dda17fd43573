import type { JsonValue, ParameterValue } from '../../bridge/encode-request.js';
import type { SecretValue } from '../../bridge/pwsh-bridge.js';
import { ExoError } from '../../errors/exo-error.js';
import type { Credential } from '../options.js';
import { type ConnectionStrategy, type PlanContext, planOf, type StepPlan } from './plan.js';
import { commandsOf, hasProxySettings, prefixedNames, resolveProxy } from './shared.js';

/** The credential's fields that are secrets: they travel as references, their values in `secrets`. */
const SECRET_FIELDS = ['password', 'clientSecret', 'certificatePassword', 'accessToken'] as const;

/** The rest transport's own commands (rest-transport.ts answers them in Node; no PowerShell runs). */
export const REST_COMMANDS = {
  token: 'Connect-ExoRestToken',
  session: 'Connect-ExoRest',
  import: 'Get-ExoRestCommand',
  disconnect: 'Disconnect-ExoRest',
} as const;

export function restEndpointOf(ctx: PlanContext) {
  const rest = ctx.environment.rest;
  if (rest) return rest;
  const other = ctx.environment.rps?.status.state === 'active' ? 'rps' : 'module';
  throw new ExoError(
    'INVALID_ARGUMENT',
    `strategy: environment "${ctx.environment.id}" has no REST admin API (no rest endpoint).`,
    {
      details: { field: 'strategy' },
      remediation:
        ctx.environment.id === 'exchange-server'
          ? 'Exchange Server on-premises speaks remote PowerShell only: use the rps strategy (--strategy rps).'
          : `Use the ${other} strategy for this environment (--strategy ${other}), or give it a rest block (env-endpoints).`,
    },
  );
}

/** The credential as data: every secret replaced by a reference, its value in `secrets`. */
function credentialCommand(credential: Credential | undefined): Omit<StepPlan, 'warnings'> {
  if (!credential) {
    throw new ExoError('CREDENTIAL_MISSING', 'No credential was given for the rest strategy.', {
      remediation:
        'Give a credential: { kind: "device" }, { userPrincipalName, password }, { kind: "certificate", … }, ' +
        '{ kind: "clientSecret", … }, { kind: "managedIdentity", … } or { kind: "accessToken", … }.',
    });
  }
  const data: Record<string, ParameterValue> = {};
  const secrets: Record<string, SecretValue> = {};
  for (const [name, value] of Object.entries(credential)) {
    if (value === undefined) continue;
    if ((SECRET_FIELDS as readonly string[]).includes(name)) {
      data[name] = { $exoSecret: name };
      secrets[name] = { kind: 'string', value: String(value) };
    } else data[name] = value as JsonValue;
  }
  return {
    commands: [
      { command: REST_COMMANDS.token, parameters: { Credential: data as never }, secrets, classify: {} },
    ],
  };
}

/**
 * The REST admin API the ExchangeOnlineManagement module itself speaks (REFERENCE.md §8), from Node:
 * credential = a token, session = tenant, anchor mailbox and connection id, import = EXOModuleFile's
 * cmdlets, disconnect = cancel and drop the tokens. The commands are the rest transport's own.
 */
export const restStrategy: ConnectionStrategy = {
  importReportsProgress: true,
  runsPowerShell: false,

  credential(ctx) {
    restEndpointOf(ctx);
    return { ...credentialCommand(ctx.credential), warnings: [] };
  },

  session(ctx) {
    restEndpointOf(ctx);
    const warnings = hasProxySettings(ctx) ? [...resolveProxy(ctx).warnings] : [];
    return { commands: [{ command: REST_COMMANDS.session, parameters: {}, secrets: {} }], warnings };
  },

  import: () => planOf({ command: REST_COMMANDS.import, parameters: {}, secrets: {} }),

  /** The cmdlets the caller's roles allow, with the prefix on the noun and the commandNames filter applied. */
  imported(ctx, output) {
    const exported = commandsOf(output).map((c) => (ctx.prefix ? c.replace('-', `-${ctx.prefix}`) : c));
    const filter = prefixedNames(ctx);
    if (!filter) return exported;
    const asked = new Set(filter.map((c) => c.toLowerCase()));
    return exported.filter((c) => asked.has(c.toLowerCase()));
  },

  disconnect: () => planOf({ command: REST_COMMANDS.disconnect, parameters: {}, secrets: {} }),
};
