import { z } from 'zod';
import { parseBypassEntry, splitBypassList } from './bypass-list.js';
import { canonicalCulture } from './culture.js';
import { parseProxyUrl } from './proxy-url.js';

/** New-PSSessionOption -ProxyAccessType values (System.Management.Automation.Remoting.ProxyAccessType). */
export const PROXY_ACCESS_TYPES = [
  'IEConfig',
  'WinHttpConfig',
  'AutoDetect',
  'NoProxyServer',
  'None',
] as const;
export type ProxyAccessType = (typeof PROXY_ACCESS_TYPES)[number];

/** How exo-connect authenticates to the proxy; which of them a strategy can use is checked when rendering. */
export const PROXY_AUTHENTICATIONS = [
  'Basic',
  'Digest',
  'Negotiate',
  'NegotiateWithImplicitCredential',
  'Kerberos',
  'Ntlm',
] as const;
export type ProxyAuthentication = (typeof PROXY_AUTHENTICATIONS)[number];

const INT32_MAX = 2_147_483_647;

// Case-insensitive, as PowerShell binds enum values: `--proxy-access-type ieconfig` is IEConfig.
function caseInsensitiveEnum<const T extends string>(values: readonly T[]) {
  return z.string().transform((value, ctx): T => {
    const match = values.find((v) => v.toLowerCase() === value.trim().toLowerCase());
    if (match === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
      return z.NEVER;
    }
    return match;
  });
}

function milliseconds(min: number) {
  return z
    .number({ error: 'must be a whole number of milliseconds' })
    .int({ error: 'must be a whole number of milliseconds' })
    .min(min, { error: `must be at least ${min} ms` })
    .max(INT32_MAX, { error: `must be at most ${INT32_MAX} ms` });
}

const cultureName = z.string().transform((value, ctx) => {
  const canonical = canonicalCulture(value.trim());
  if (canonical === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a culture name such as en-US, de-DE or zh-Hans-CN' });
    return z.NEVER;
  }
  return canonical;
});

const proxyUrl = z.string().superRefine((value, ctx) => {
  const parsed = parseProxyUrl(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
});

// A comma (or space) separated string, as NO_PROXY is written, or a list; stored as normalised entries.
const bypassList = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const entries = typeof value === 'string' ? splitBypassList(value) : value;
  const normalised: string[] = [];
  entries.forEach((entry, index) => {
    const parsed = parseBypassEntry(entry);
    if (parsed.ok) {
      if (!normalised.includes(parsed.entry)) normalised.push(parsed.entry);
    } else {
      ctx.addIssue({ code: 'custom', message: parsed.reason, path: [index] });
    }
  });
  return normalised;
});

/**
 * What a user says about their network, from CLI flags or a config file. Every field is optional; unknown
 * fields are refused so a typo is reported instead of ignored.
 */
export const proxyOptionsSchema = z.strictObject({
  /** New-PSSessionOption -ProxyAccessType. IEConfig, WinHttpConfig and AutoDetect exist only on Windows. */
  accessType: caseInsensitiveEnum(PROXY_ACCESS_TYPES).optional(),
  /** An explicit proxy, `http://proxy.corp:8080` (a user name and password in it become `credential`). */
  proxyUrl: proxyUrl.optional(),
  /** Hosts reached without the proxy, NO_PROXY syntax (see bypass-list.ts). Replaces, never merges. */
  bypass: bypassList.optional(),
  /** New-PSSessionOption -ProxyAuthentication, or the scheme used with the proxy for .NET HTTP. */
  authentication: caseInsensitiveEnum(PROXY_AUTHENTICATIONS).optional(),
  /** The proxy's user name and password. A secret: redacted once resolved, never rendered into text. */
  credential: z
    .strictObject({
      userName: z.string().trim().min(1, { error: 'must not be empty' }),
      password: z.string().min(1, { error: 'must not be empty' }),
    })
    .optional(),
  /** New-PSSessionOption -OpenTimeout: how long to wait for the session to open. */
  openTimeoutMs: milliseconds(0).optional(),
  /** New-PSSessionOption -OperationTimeout: the longest any single remote operation may take. */
  operationTimeoutMs: milliseconds(0).optional(),
  /** New-PSSessionOption -IdleTimeout: -1 (the server's default), or 60000 ms and up. */
  idleTimeoutMs: z
    .number({ error: 'must be a whole number of milliseconds' })
    .int({ error: 'must be a whole number of milliseconds' })
    .refine((ms) => ms === -1 || (ms >= 60_000 && ms <= INT32_MAX), {
      error: `must be -1 (the server default) or from 60000 to ${INT32_MAX} ms`,
    })
    .optional(),
  /** New-PSSessionOption -SkipCACheck. Dangerous: warned about loudly. */
  skipCACheck: z.boolean().optional(),
  /** New-PSSessionOption -SkipCNCheck. Dangerous: warned about loudly. */
  skipCNCheck: z.boolean().optional(),
  /** New-PSSessionOption -SkipRevocationCheck. Dangerous: warned about loudly. */
  skipRevocationCheck: z.boolean().optional(),
  /** New-PSSessionOption -Culture of the remote session, e.g. en-US. */
  culture: cultureName.optional(),
  /** New-PSSessionOption -UICulture of the remote session, e.g. en-US. */
  uiCulture: cultureName.optional(),
});

/** The user-facing model, as parsed: enum values in their canonical casing, bypass entries normalised. */
export type ProxyOptions = z.output<typeof proxyOptionsSchema>;
/** What callers may pass in (flags, a config file section) before parsing. */
export type ProxyOptionsInput = z.input<typeof proxyOptionsSchema>;
/** The name of one option, used for `sources` and error `details.field`. */
export type ProxyField = keyof ProxyOptions;
