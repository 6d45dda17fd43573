import { type EnvironmentDefinition, validateEnvironment } from '@exo-connect/env-endpoints';
import type { ProxyOptionsInput } from '@exo-connect/proxy-config';
import { z } from 'zod';
import { MAX_SECRET_LENGTH } from '../bridge/encode-request.js';
import { ExoError } from '../errors/exo-error.js';

// pwsh holds a secret in a SecureString: at most 65,536 characters, and its conversions back to text end at
// the first NUL; a lone surrogate would be replaced on the way. Refuse what could not arrive unchanged.
const secretText = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(MAX_SECRET_LENGTH, { error: `must be at most ${MAX_SECRET_LENGTH} characters` })
  .refine((s) => !s.includes('\0'), { error: 'must not contain a NUL character' })
  .refine((s) => !/\p{Cs}/u.test(s), { error: 'must be well-formed Unicode (no lone UTF-16 surrogate)' });

/** The seed's Get-Credential: a work or school account and its password (rps, or module without MFA). */
export const passwordCredentialSchema = z.strictObject({
  kind: z.literal('password').optional(),
  userPrincipalName: z.string().min(3).regex(/@/, { error: 'must be a user principal name (user@domain)' }),
  password: secretText,
});

/** One sign-in per `kind` (none: a password); errors name the field of the kind given, e.g. credential.organization. */
export const credentialSchema = z.discriminatedUnion('kind', [
  passwordCredentialSchema,
  z.strictObject({ kind: z.literal('device'), userPrincipalName: z.string().optional() }),
  z
    .strictObject({
      kind: z.literal('certificate'),
      appId: z.string().min(1),
      organization: z.string().min(1),
      certificateFilePath: z.string().min(1).optional(),
      certificatePassword: secretText.optional(),
      certificateThumbprint: z
        .string()
        .regex(/^[0-9A-Fa-f]{40}$/, { error: 'must be 40 hex digits' })
        .optional(),
    })
    // Connect-ExchangeOnline takes the certificate from a file or from the certificate store, never both.
    .superRefine((value, ctx) => {
      const file = value.certificateFilePath !== undefined;
      const thumbprint = value.certificateThumbprint !== undefined;
      if (file === thumbprint) {
        ctx.addIssue({
          code: 'custom',
          path: ['certificateFilePath'],
          message: file
            ? 'give certificateFilePath or certificateThumbprint, not both'
            : 'give certificateFilePath (a .pfx file) or certificateThumbprint (a certificate in the store)',
        });
      } else if (value.certificatePassword !== undefined && !file) {
        ctx.addIssue({
          code: 'custom',
          path: ['certificatePassword'],
          message: 'goes with certificateFilePath (the password of the .pfx file)',
        });
      }
    }),
  // App-only with a client secret: the rest strategy only (Connect-ExchangeOnline takes no client secret).
  z.strictObject({
    kind: z.literal('clientSecret'),
    appId: z.string().min(1),
    organization: z.string().min(1),
    clientSecret: secretText,
  }),
  z.strictObject({
    kind: z.literal('managedIdentity'),
    organization: z.string().min(1),
    accountId: z.string().min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal('accessToken'),
    accessToken: secretText,
    organization: z.string().min(1),
    userPrincipalName: z.string().optional(),
  }),
]);

export type Credential = z.infer<typeof credentialSchema>;
export type PasswordCredential = z.infer<typeof passwordCredentialSchema>;

/** Supplies the credential when the credential step runs (a prompt, a vault); called again on reconnect. */
export type CredentialProvider = () => Promise<Credential> | Credential;

const timeoutMs = z
  .number()
  .int()
  .positive()
  .max(24 * 60 * 60 * 1000);

export const timeoutsSchema = z.strictObject({
  policy: timeoutMs.optional(),
  credential: timeoutMs.optional(),
  session: timeoutMs.optional(),
  import: timeoutMs.optional(),
  disconnect: timeoutMs.optional(),
  /** Default limit for each invoke()/stream() call; none when unset. */
  command: timeoutMs.optional(),
});

export type Timeouts = z.infer<typeof timeoutsSchema>;

export const DEFAULT_TIMEOUTS: Required<Omit<Timeouts, 'command'>> = {
  policy: 60_000,
  credential: 300_000,
  session: 120_000,
  import: 300_000,
  disconnect: 30_000,
};

const commandName = z.string().regex(/^[A-Za-z][A-Za-z0-9]*-[A-Za-z][A-Za-z0-9_]*$/, {
  error: 'must be a cmdlet name (Verb-Noun)',
});

export const connectOptionsSchema = z.strictObject({
  environment: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).default('worldwide'),
  strategy: z.enum(['rps', 'module', 'rest']).optional(),
  /** Required by environments that need one (exchange-server); overrides the endpoint otherwise. */
  connectionUri: z.string().url().optional(),
  allowRetired: z.boolean().optional(),
  credential: z
    .union([credentialSchema, z.custom<CredentialProvider>((v) => typeof v === 'function')])
    .optional(),
  proxy: z.record(z.string(), z.unknown()).optional(),
  commandNames: z.array(commandName).optional(),
  /** Commands to run besides those the session exported, e.g. ['Start-Sleep']; others are COMMAND_NOT_ALLOWED. */
  allowCommands: z.array(commandName).optional(),
  /** Run any command in the local PowerShell host (Get-Content, Invoke-Expression, …). Default false. */
  allowLocalCommands: z.boolean().optional(),
  prefix: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,31}$/, { error: 'must be letters and digits' })
    .optional(),
  skipLoadingFormatData: z.boolean().optional(),
  /** Windows: 'bypass' (process scope, default) or 'remoteSigned' (Set-ExecutionPolicy RemoteSigned -Scope CurrentUser). */
  executionPolicy: z.enum(['bypass', 'remoteSigned']).optional(),
  signal: z
    .custom<AbortSignal>((v) => v instanceof AbortSignal, { error: 'must be an AbortSignal' })
    .optional(),
  timeouts: timeoutsSchema.optional(),
  onEvent: z.custom<(event: unknown) => void>((v) => typeof v === 'function').optional(),
  /**
   * Concurrent sessions per account in this process; connects beyond it wait. Default 3 (the service's
   * limit for remote PowerShell and the module), 50 for rest, which holds no session.
   */
  maxSessionsPerAccount: z.number().int().min(1).max(1000).optional(),
  /** Depth of objects returned by invoke() and stream(). Default 4. */
  depth: z.number().int().min(1).max(20).optional(),
  /** Path of the pwsh executable; default: EXO_PWSH, then PATH, then ~/.dotnet/tools. */
  pwsh: z.string().min(1).optional(),
  /** Disconnect on SIGINT/SIGTERM before the process ends. Default true. */
  handleSignals: z.boolean().optional(),
  /**
   * rest, delegated sign-ins (device code, password): where MSAL's token cache persists between processes,
   * so a later connect signs in silently. The data is secret (a refresh token): keep it in a keychain.
   */
  tokenCache: z
    .custom<TokenCacheStore>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as TokenCacheStore).read === 'function' &&
        typeof (v as TokenCacheStore).write === 'function',
      { error: 'must be an object with read() and write(data)' },
    )
    .optional(),
  /** Environment for the pwsh host (default process.env); secret variables are never passed on. */
  env: z
    .custom<Record<string, string | undefined>>((v) => typeof v === 'object' && v !== null, {
      error: 'must be an object',
    })
    .optional(),
});

/** Somewhere to keep one connection's serialized token cache between processes (a keychain entry). */
export interface TokenCacheStore {
  /** The data last written, or undefined when there is none. */
  read(): Promise<string | undefined>;
  write(data: string): Promise<void>;
}

export type ConnectOptionsInput = z.input<typeof connectOptionsSchema>;

export interface ConnectOptions
  extends Omit<ConnectOptionsInput, 'environment' | 'proxy' | 'onEvent' | 'credential'> {
  environment?: string | EnvironmentDefinition;
  proxy?: ProxyOptionsInput;
  credential?: Credential | CredentialProvider;
  onEvent?: (event: import('./events.js').ConnectionEvent) => void;
}

/**
 * The most specific reason behind a zod issue. A union (a credential object or a provider function) that no
 * branch accepts reports only "Invalid input" at its own path; the branch that got furthest names the field.
 */
function specificIssue(
  issue: z.core.$ZodIssue,
  base: PropertyKey[] = [],
): { path: string[]; message: string } {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length) {
    const candidates = issue.errors
      .filter((branch) => branch.length > 0)
      .map((branch) => specificIssue(branch[0]!, path));
    const best = candidates.sort((a, b) => b.path.length - a.path.length)[0];
    if (best) return best;
  }
  return { path: path.map(String), message: issue.message };
}

/** Validates options with zod; INVALID_ARGUMENT names the path of the first bad field. */
export function parseConnectOptions(input: ConnectOptions): z.infer<typeof connectOptionsSchema> {
  const result = connectOptionsSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = specificIssue(result.error.issues[0]!);
    const path = issue.path.join('.') || '(options)';
    throw new ExoError('INVALID_ARGUMENT', `connect options: ${path}: ${issue.message}`, {
      details: { field: path, issues: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
    });
  }
  return result.data;
}

export function parseCredential(value: unknown): Credential {
  const result = credentialSchema.safeParse(value);
  if (!result.success) {
    const issue = specificIssue(result.error.issues[0]!);
    const path = ['credential', ...issue.path].join('.');
    // Never echo the value: it may be a password.
    throw new ExoError('INVALID_ARGUMENT', `${path}: ${issue.message}`, { details: { field: path } });
  }
  return result.data;
}

export function resolveEnvironmentInput(
  value: string | Record<string, unknown>,
): EnvironmentDefinition | string {
  return typeof value === 'string' ? value : validateEnvironment(value);
}
