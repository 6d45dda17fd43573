import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { type UriProtocols, uriProblem } from './uri.js';

/** How to connect: remote PowerShell (New-PSSession) or the ExchangeOnlineManagement module. */
export const STRATEGIES = ['rps', 'module', 'rest'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** The values Connect-ExchangeOnline accepts for -ExchangeEnvironmentName. */
export const EXCHANGE_ENVIRONMENT_NAMES = [
  'O365Default',
  'O365USGovGCCHigh',
  'O365USGovDoD',
  'O365China',
  'O365GermanyCloud',
] as const;
export type ExchangeEnvironmentName = (typeof EXCHANGE_ENVIRONMENT_NAMES)[number];

/** PowerShell's AuthenticationMechanism values, as New-PSSession -Authentication takes them. */
export const RPS_AUTHENTICATION_MECHANISMS = [
  'Default',
  'Basic',
  'Negotiate',
  'NegotiateWithImplicitCredential',
  'Credssp',
  'Digest',
  'Kerberos',
] as const;
export type RpsAuthentication = (typeof RPS_AUTHENTICATION_MECHANISMS)[number];

/** Ids and aliases: lower-case letters and digits in words joined by single hyphens (`gcc-high`, `21vianet`). */
export const NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const nameSchema = z
  .string({ error: 'must be a string' })
  .max(64, { error: 'must be at most 64 characters' })
  .regex(NAME_PATTERN, {
    error: 'must be lower-case kebab-case: letters and digits joined by single hyphens, e.g. "contoso-lab"',
  });

const textSchema = z.string({ error: 'must be a string' }).regex(/\S/, { error: 'must not be empty' });

function oneOf(values: readonly string[]) {
  return (issue: { input?: unknown }) =>
    `must be one of ${values.join(', ')}; got ${JSON.stringify(issue.input) ?? 'nothing'}`;
}

function uriSchema(protocols: UriProtocols) {
  return z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
    const problem = uriProblem(value, protocols);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}

const httpsUriSchema = uriSchema('https');

/** `active`, or `retired` on a date with a note saying what to use instead. */
export const statusSchema = z.discriminatedUnion(
  'state',
  [
    z.strictObject({ state: z.literal('active') }),
    z.strictObject({
      state: z.literal('retired'),
      date: z.iso.date({ error: 'must be a calendar date written YYYY-MM-DD' }),
      note: textSchema,
    }),
  ],
  { error: 'must be "active" or "retired"' },
);
export type EnvironmentStatus = z.infer<typeof statusSchema>;

const activeByDefault = () => ({ state: 'active' as const });

/**
 * Absolute paths in either platform's form, so a definition written on Windows still validates on Linux
 * (and the other way round); pwsh resolves them on the machine that runs it.
 */
function isAbsolutePath(value: string): boolean {
  return posix.isAbsolute(value) || win32.isAbsolute(value);
}

const MODULE_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const preludeModuleSchema = z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
  const looksLikePath = /[\\/]/.test(value) || /\.psd1$/i.test(value);
  const problem = !looksLikePath
    ? MODULE_NAME_PATTERN.test(value)
      ? undefined
      : `must be a module name (letters, digits, ".", "-", "_") or an absolute path to a .psd1 file: "${value}"`
    : !isAbsolutePath(value)
      ? `must be an absolute path (relative paths depend on the working directory of pwsh): "${value}"`
      : /\.psd1$/i.test(value)
        ? undefined
        : `must name a module manifest (.psd1): "${value}"`;
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
});

/** The `rps` strategy: New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri … */
export const rpsEndpointSchema = z
  .strictObject({
    connectionUri: uriSchema('http-or-https'),
    authentication: z.enum(RPS_AUTHENTICATION_MECHANISMS, { error: oneOf(RPS_AUTHENTICATION_MECHANISMS) }),
    allowRedirection: z.boolean({ error: 'must be true or false' }),
    status: statusSchema.default(activeByDefault),
    /** The caller must supply the URI (an on-premises server); `connectionUri` is only a placeholder. */
    requiresUserUri: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((rps, ctx) => {
    if (rps.authentication === 'Basic' && rps.connectionUri.startsWith('http:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['authentication'],
        message: 'Basic authentication over plain http would send the password in clear text; use https',
        input: rps.authentication,
      });
    }
  });
export type RpsEndpoint = z.infer<typeof rpsEndpointSchema>;

/** The `module` strategy: Connect-ExchangeOnline -ExchangeEnvironmentName … */
export const moduleEndpointSchema = z.strictObject({
  exchangeEnvironmentName: z.enum(EXCHANGE_ENVIRONMENT_NAMES, { error: oneOf(EXCHANGE_ENVIRONMENT_NAMES) }),
  connectionUri: httpsUriSchema.optional(),
  azureADAuthorizationEndpointUri: httpsUriSchema.optional(),
});
export type ModuleEndpoint = z.infer<typeof moduleEndpointSchema>;

/**
 * The REST admin API the ExchangeOnlineManagement module itself speaks (REFERENCE §8): where the API is, where
 * its tokens come from and for which scope; `caPath`, a CA certificate (PEM) to trust for both, only for a
 * private endpoint such as the local sandbox's.
 */
export const restEndpointSchema = z
  .strictObject({
    apiUrl: httpsUriSchema,
    /** Other hosts that serve the same API (21Vianet has two); doctor checks them, connections use `apiUrl`. */
    alternateApiUrls: z.array(httpsUriSchema, { error: 'must be a list of https URLs' }).optional(),
    authority: httpsUriSchema,
    scope: z
      .string({ error: 'must be a string' })
      .regex(/^https:\/\/\S+\/\.default$/, { error: 'must be "https://<api host>/.default"' }),
    caPath: z
      .string({ error: 'must be a string' })
      .refine(isAbsolutePath, { error: 'must be an absolute path to a PEM file' })
      .optional(),
  })
  .superRefine((rest, ctx) => {
    // The service refuses a token whose audience is another host: the scope names the API's own origin.
    const origin = (url: string) => (URL.canParse(url) ? new URL(url).origin : undefined);
    const api = origin(rest.apiUrl);
    if (api && origin(rest.scope.slice(0, -'/.default'.length)) !== api) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        message: `must be "${api}/.default", the API's own origin (a token for another host is refused)`,
        input: rest.scope,
      });
    }
  });
export type RestEndpoint = z.infer<typeof restEndpointSchema>;

const rpsOnlyEndpointSchema = z.strictObject({ rpsConnectionUri: httpsUriSchema });

/** One place to connect to: a Microsoft cloud, an on-premises organisation, or the local sandbox. */
export const environmentSchema = z
  .strictObject({
    id: nameSchema,
    aliases: z.array(nameSchema, { error: 'must be a list of names' }).default(() => []),
    displayName: textSchema,
    status: statusSchema.default(activeByDefault),
    defaultStrategy: z.enum(STRATEGIES, { error: oneOf(STRATEGIES) }),
    rps: rpsEndpointSchema.optional(),
    module: moduleEndpointSchema.optional(),
    rest: restEndpointSchema.optional(),
    /** Security & Compliance PowerShell. */
    compliance: rpsOnlyEndpointSchema.optional(),
    /** Standalone Exchange Online Protection PowerShell. */
    eop: rpsOnlyEndpointSchema.optional(),
    documentation: httpsUriSchema,
    /** PowerShell modules imported into the host pwsh before the session step (how the sandbox plugs in). */
    prelude: z
      .strictObject({
        modules: z.array(preludeModuleSchema).min(1, { error: 'must list at least one module' }),
      })
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.defaultStrategy === 'rps' && !env.rps) {
      ctx.addIssue({
        code: 'custom',
        path: ['rps'],
        message: 'is required because defaultStrategy is "rps"',
      });
    }
    if (env.defaultStrategy === 'rest' && !env.rest) {
      ctx.addIssue({
        code: 'custom',
        path: ['rest'],
        message: 'is required because defaultStrategy is "rest"',
      });
    }
    if (env.defaultStrategy === 'module' && !env.module) {
      ctx.addIssue({
        code: 'custom',
        path: ['module'],
        message: 'is required because defaultStrategy is "module"',
      });
    }
    const seen = new Set([env.id]);
    env.aliases.forEach((alias, index) => {
      if (seen.has(alias)) {
        ctx.addIssue({
          code: 'custom',
          path: ['aliases', index],
          message: alias === env.id ? `repeats the id "${alias}"` : `repeats the alias "${alias}"`,
          input: alias,
        });
      }
      seen.add(alias);
    });
  });

/** A validated environment, as the registry returns it. */
export type EnvironmentDefinition = z.infer<typeof environmentSchema>;
/** What a contributor writes: `aliases` and the statuses may be left out (no aliases, active). */
export type EnvironmentSpec = z.input<typeof environmentSchema>;

/** A contributor's JSON file: `{ "$schema"?: …, "environments": [ … ] }`. */
export const environmentsFileSchema = z.strictObject({
  $schema: z.string().optional(),
  environments: z.array(environmentSchema, { error: 'must be a list of environments' }).min(1, {
    error: 'must list at least one environment',
  }),
});
