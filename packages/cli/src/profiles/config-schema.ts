import { isAbsolute } from 'node:path';
import { z } from 'zod';

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Keys that would hold a secret; refused anywhere in a profile, including inside `proxy`. */
export const SECRET_KEY = /password|passwd|passphrase|secret|token/i;
// scheme://user:password@host — a password in a proxy URL.
const URL_WITH_PASSWORD = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@]*:[^/?#@]*@/;

export const profileNameSchema = z.string().regex(PROFILE_NAME, {
  error: 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
});

function findSecrets(value: unknown, path: PropertyKey[], ctx: z.RefinementCtx): void {
  if (typeof value === 'string' && URL_WITH_PASSWORD.test(value)) {
    ctx.addIssue({ code: 'custom', path, message: 'must not contain a password (user:password@)' });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      findSecrets(item, [...path, i], ctx);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (SECRET_KEY.test(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, key],
          message: 'secrets are never stored in the config file',
        });
      } else {
        findSecrets(inner, [...path, key], ctx);
      }
    }
  }
}

/** One named way to connect. Never a password: that comes from the keychain, a pipe or the prompt. */
export const profileSchema = z.strictObject({
  /** An environment id or alias from env-endpoints (worldwide, gcc-high, sandbox …). */
  environment: z.string().trim().min(1, { error: 'must name an environment' }),
  strategy: z.enum(['rps', 'module', 'rest']).optional(),
  userPrincipalName: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+$/, { error: 'must be a user principal name (user@domain)' })
    .optional(),
  connectionUri: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Proxy options as @exo-connect/proxy-config reads them; checked there when connecting. */
  proxy: z
    .record(z.string(), z.unknown())
    .superRefine((proxy, ctx) => findSecrets(proxy, [], ctx))
    .optional(),
  /** Where the password (or an app's client secret) comes from: asked each time, or the OS keychain. */
  credentialStore: z.enum(['prompt', 'keychain']).optional(),
  /** App-only sign-in (rest; certificate and managed identity also module): the app's client id. */
  appId: z.string().trim().min(1, { error: 'must name the app (its client id)' }).optional(),
  /** The tenant of an app-only sign-in: its GUID or <name>.onmicrosoft.com. */
  organization: z.string().trim().min(1, { error: 'must name the tenant' }).optional(),
  /** The app's certificate: a .pfx or PEM file (its password is asked for, never stored here). */
  certificateFilePath: z
    .string()
    .refine((path) => isAbsolute(path), { error: 'must be an absolute path' })
    .optional(),
  certificateThumbprint: z
    .string()
    .regex(/^[0-9A-Fa-f]{40}$/, { error: 'must be 40 hex digits' })
    .optional(),
  /** Sign in as the managed identity of the Azure resource exo runs on. */
  managedIdentity: z.boolean().optional(),
});

export const configSchema = z
  .strictObject({
    version: z.literal(1, { error: 'must be 1 (this file is from another version of exo-connect)' }),
    currentProfile: profileNameSchema.optional(),
    profiles: z.record(profileNameSchema, profileSchema).default({}),
  })
  .superRefine((config, ctx) => {
    if (config.currentProfile !== undefined && !Object.hasOwn(config.profiles, config.currentProfile)) {
      ctx.addIssue({
        code: 'custom',
        path: ['currentProfile'],
        message: 'names a profile that does not exist',
      });
    }
  });

export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
export type ExoConfig = z.infer<typeof configSchema>;
