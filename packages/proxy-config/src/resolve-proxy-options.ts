import type { ExoError } from '@exo-connect/errors';
import type { z } from 'zod';
import { parseBypassEntry, splitBypassList } from './bypass-list.js';
import { readEnvironmentProxy } from './env-proxy.js';
import { proxyConfigError } from './errors/proxy-config-error.js';
import { assertAccessTypeSupported, type ProxyPlatform } from './platform-rules.js';
import { ProxyCredential, type ProxyCredentialValue } from './proxy-credential.js';
import {
  type ProxyAccessType,
  type ProxyAuthentication,
  type ProxyField,
  type ProxyOptions,
  type ProxyOptionsInput,
  proxyOptionsSchema,
} from './proxy-options-schema.js';
import { parseProxyUrl } from './proxy-url.js';
import { SKIP_CHECKS, skipCheckWarning } from './security-warnings.js';

/** Where a value came from, highest precedence first: flags > config > env. */
export type ProxySource = 'flags' | 'config' | 'env';

/** The options in effect after precedence, checked and normalised. Safe to log: the password is redacted. */
export interface ResolvedProxyOptions {
  readonly accessType?: ProxyAccessType;
  /** `scheme://host[:port]`, never with a user name or password (those are in `credential`). */
  readonly proxyUrl?: string;
  /** Normalised NO_PROXY entries; only ever non-empty together with `proxyUrl`. */
  readonly bypass: readonly string[];
  readonly authentication?: ProxyAuthentication;
  readonly credential?: ProxyCredential;
  readonly openTimeoutMs?: number;
  readonly operationTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly skipCACheck: boolean;
  readonly skipCNCheck: boolean;
  readonly skipRevocationCheck: boolean;
  readonly culture?: string;
  readonly uiCulture?: string;
}

export interface ResolvedProxy {
  readonly options: ResolvedProxyOptions;
  /** Loud, specific sentences for the user: switched-off certificate checks, settings that were not used. */
  readonly warnings: readonly string[];
  /** The source of each option that is set. */
  readonly sources: Readonly<Partial<Record<ProxyField, ProxySource>>>;
  /** For values from the environment, the variable they came from (`HTTPS_PROXY`, `no_proxy`, …). */
  readonly variables: Readonly<{ proxyUrl?: string; bypass?: string }>;
  /** The platform the options were checked for. */
  readonly platform: ProxyPlatform;
}

export interface ResolveProxyOptionsInput {
  /** Explicit options, usually from CLI flags. Highest precedence. */
  flags?: ProxyOptionsInput;
  /** The proxy section of a config file or profile, as read (checked here). */
  config?: unknown;
  /** Environment variables; defaults to process.env. Only HTTP(S)_PROXY and NO_PROXY are read. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Defaults to process.platform. */
  platform?: ProxyPlatform;
}

export const SOURCE_LABELS: Readonly<Record<ProxySource, string>> = Object.freeze({
  flags: 'the command-line flags',
  config: 'the config file',
  env: 'the environment',
});

interface Layer {
  source: ProxySource;
  options: Partial<ProxyOptions>;
  /** The user name and password written into this source's proxy URL. */
  urlCredential?: ProxyCredentialValue;
  /** Malformed environment values: an error only if precedence would use them. */
  invalid?: { proxyUrl?: ExoError; bypass?: ExoError };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

function invalidFromZod(error: z.ZodError, source: ProxySource): ExoError {
  const label = SOURCE_LABELS[source];
  const issues = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          field: formatPath([...issue.path, key]),
          message: 'is not a known proxy or session option (check its spelling)',
        }))
      : [{ field: formatPath(issue.path), message: issue.message }],
  );
  const first = issues[0] ?? { field: '(root)', message: 'is invalid' };
  const lines = issues.map((issue) => `  ${issue.field}: ${issue.message}`);
  return proxyConfigError(
    'INVALID_ARGUMENT',
    [`Invalid proxy or session option in ${label}:`, ...lines].join('\n'),
    {
      field: first.field,
      remediation: `Correct ${first.field} in ${label} and try again.`,
      details: { source, issues },
    },
  );
}

function contradiction(layer: Layer, field: ProxyField, message: string, remediation: string): ExoError {
  return proxyConfigError('INVALID_ARGUMENT', `${message} (both in ${SOURCE_LABELS[layer.source]}).`, {
    field,
    remediation,
    details: { source: layer.source },
  });
}

function explicitLayer(source: 'flags' | 'config', input: unknown): Layer {
  if (input === undefined) return { source, options: {} };
  const parsed = proxyOptionsSchema.safeParse(input);
  if (!parsed.success) throw invalidFromZod(parsed.error, source);
  const options = parsed.data;
  const layer: Layer = { source, options };
  if (options.proxyUrl !== undefined) {
    const url = parseProxyUrl(options.proxyUrl);
    // The schema already checked the URL; this only splits the credential off.
    if (url.ok) {
      layer.options = { ...options, proxyUrl: url.url };
      if (url.credential) layer.urlCredential = url.credential;
    }
  }
  checkLayer(layer);
  return layer;
}

/** Settings that contradict each other inside one source; across sources, precedence decides instead. */
function checkLayer(layer: Layer): void {
  const { accessType, proxyUrl, bypass, credential, authentication } = layer.options;
  if (accessType !== undefined && proxyUrl !== undefined) {
    throw contradiction(
      layer,
      'proxyUrl',
      `accessType ${accessType} and proxyUrl both choose the proxy`,
      'Give either accessType (how WSMan finds the proxy) or proxyUrl (the proxy itself), not both.',
    );
  }
  if (accessType !== undefined && bypass !== undefined) {
    throw contradiction(
      layer,
      'bypass',
      `a bypass list only applies to a proxy URL, but accessType ${accessType} is given`,
      accessType === 'NoProxyServer' || accessType === 'None'
        ? 'Remove bypass: no proxy is used, so nothing is bypassed.'
        : `Remove bypass: with ${accessType} the exceptions come from the same Windows settings as the proxy.`,
    );
  }
  if (credential !== undefined && layer.urlCredential !== undefined) {
    throw contradiction(
      layer,
      'credential',
      'a proxy credential is given both as credential and inside proxyUrl',
      'Give the proxy user name and password once, preferably as credential.',
    );
  }
  const hasCredential = credential !== undefined || layer.urlCredential !== undefined;
  if (authentication === 'NegotiateWithImplicitCredential' && hasCredential) {
    throw contradiction(
      layer,
      'credential',
      'authentication NegotiateWithImplicitCredential uses the signed-in user, but a proxy credential is given',
      'Remove the proxy credential, or choose another authentication.',
    );
  }
  if (accessType === 'NoProxyServer' && (hasCredential || authentication !== undefined)) {
    throw contradiction(
      layer,
      hasCredential ? 'credential' : 'authentication',
      'accessType NoProxyServer connects directly, so there is no proxy to authenticate to',
      'Remove the proxy credential and authentication, or choose a proxy.',
    );
  }
}

// A malformed variable is reported only when precedence would use it: an explicit proxy on the command line
// must still work in a shell whose HTTPS_PROXY is broken.
function environmentLayer(env: Readonly<Record<string, string | undefined>>): {
  layer: Layer;
  variables: { proxyUrl?: string; bypass?: string };
} {
  const read = readEnvironmentProxy(env);
  const invalid: NonNullable<Layer['invalid']> = {};
  const layer: Layer = { source: 'env', options: {}, invalid };
  const variables: { proxyUrl?: string; bypass?: string } = {};
  if (read.proxyUrl) {
    const { value, variable } = read.proxyUrl;
    variables.proxyUrl = variable;
    const url = parseProxyUrl(value);
    if (url.ok) {
      layer.options.proxyUrl = url.url;
      if (url.credential) layer.urlCredential = url.credential;
    } else {
      invalid.proxyUrl = proxyConfigError(
        'INVALID_ARGUMENT',
        `The environment variable ${variable} ${url.reason}.`,
        {
          field: 'proxyUrl',
          remediation: `Fix ${variable} (for example ${variable}=http://proxy.corp:8080) or unset it.`,
          details: { source: 'env', variable },
        },
      );
    }
  }
  if (read.bypass) {
    const { value, variable } = read.bypass;
    variables.bypass = variable;
    const entries: string[] = [];
    for (const [index, entry] of splitBypassList(value).entries()) {
      const parsed = parseBypassEntry(entry);
      if (!parsed.ok) {
        invalid.bypass = proxyConfigError(
          'INVALID_ARGUMENT',
          `Entry ${JSON.stringify(entry)} of the environment variable ${variable} ${parsed.reason}.`,
          {
            field: `bypass.${index}`,
            remediation: `Fix or remove that entry of ${variable}.`,
            details: { source: 'env', variable },
          },
        );
        break;
      }
      if (!entries.includes(parsed.entry)) entries.push(parsed.entry);
    }
    if (invalid.bypass === undefined) layer.options.bypass = entries;
  }
  return { layer, variables };
}

function credentialOf(layer: Layer, routeLayer: Layer | undefined): ProxyCredentialValue | undefined {
  // A user name and password written into a proxy URL belong to that proxy: they are used only when that
  // URL is the proxy in effect, never sent to a proxy named by another source.
  return layer.options.credential ?? (layer === routeLayer ? layer.urlCredential : undefined);
}

/**
 * Merges what the user said about their network. Precedence is flags > config > env, field by field, with one
 * grouping: accessType and proxyUrl choose the route together, from the highest source that sets either
 * (so `--proxy-access-type NoProxyServer` overrides HTTPS_PROXY). Lists replace, they never merge.
 *
 * Throws ExoError: INVALID_ARGUMENT for a malformed or unknown value or a contradiction (naming the
 * field), PROXY_UNSUPPORTED for an access type that does not exist on `platform`.
 */
export function resolveProxyOptions(input: ResolveProxyOptionsInput = {}): ResolvedProxy {
  const platform = input.platform ?? process.platform;
  const flags = explicitLayer('flags', input.flags);
  const config = explicitLayer('config', input.config);
  const { layer: env, variables } = environmentLayer(input.env ?? process.env);
  const layers = [flags, config, env];
  const warnings: string[] = [];
  const sources: Partial<Record<ProxyField, ProxySource>> = {};

  const pick = <K extends ProxyField>(field: K): ProxyOptions[K] | undefined => {
    for (const layer of layers) {
      const value = layer.options[field];
      if (value !== undefined) {
        sources[field] = layer.source;
        return value;
      }
    }
    return undefined;
  };

  const routeLayer = layers.find(
    (l) => l.options.accessType !== undefined || l.options.proxyUrl !== undefined || l.invalid?.proxyUrl,
  );
  if (routeLayer?.invalid?.proxyUrl) throw routeLayer.invalid.proxyUrl;
  const accessType = routeLayer?.options.accessType;
  const proxyUrl = routeLayer?.options.proxyUrl;
  if (routeLayer && accessType !== undefined) sources.accessType = routeLayer.source;
  if (routeLayer && proxyUrl !== undefined) sources.proxyUrl = routeLayer.source;
  const routeLabel = routeLayer ? SOURCE_LABELS[routeLayer.source] : '';
  assertAccessTypeSupported(accessType, platform, routeLabel);

  let bypass: readonly string[] = [];
  if (proxyUrl !== undefined) {
    const bypassLayer = layers.find((l) => l.options.bypass !== undefined || l.invalid?.bypass);
    if (bypassLayer?.invalid?.bypass) throw bypassLayer.invalid.bypass;
    bypass = pick('bypass') ?? [];
  } else {
    const unused = layers.find((l) => l.source !== 'env' && l.options.bypass !== undefined);
    if (unused) {
      warnings.push(
        `The proxy bypass list from ${SOURCE_LABELS[unused.source]} is not used: no proxy URL is in effect` +
          `${accessType === undefined ? '' : ` (accessType ${accessType} from ${routeLabel})`}.`,
      );
    }
  }

  let authentication = pick('authentication');
  let credential: ProxyCredentialValue | undefined;
  for (const layer of layers) {
    credential = credentialOf(layer, routeLayer);
    if (credential !== undefined) {
      sources.credential = layer.source;
      break;
    }
  }
  if (accessType === 'NoProxyServer' && (credential !== undefined || authentication !== undefined)) {
    warnings.push(
      `The proxy credential and authentication are not used: accessType NoProxyServer from ${routeLabel} ` +
        'connects directly.',
    );
    credential = undefined;
    authentication = undefined;
    delete sources.credential;
    delete sources.authentication;
  }
  if (authentication === 'NegotiateWithImplicitCredential' && credential !== undefined) {
    throw proxyConfigError(
      'INVALID_ARGUMENT',
      `authentication NegotiateWithImplicitCredential (from ${SOURCE_LABELS[sources.authentication ?? 'flags']}) ` +
        `uses the signed-in user, but a proxy credential is also given (from ${SOURCE_LABELS[sources.credential ?? 'flags']}).`,
      {
        field: 'credential',
        remediation: 'Remove the proxy credential, or choose another authentication.',
        details: { sources: { authentication: sources.authentication, credential: sources.credential } },
      },
    );
  }

  const skip = { skipCACheck: false, skipCNCheck: false, skipRevocationCheck: false };
  for (const check of SKIP_CHECKS) {
    skip[check] = pick(check) ?? false;
    const source = sources[check];
    if (skip[check] && source !== undefined) {
      warnings.push(skipCheckWarning(check, SOURCE_LABELS[source]));
    }
  }

  const options: ResolvedProxyOptions = Object.freeze({
    ...(accessType !== undefined && { accessType }),
    ...(proxyUrl !== undefined && { proxyUrl }),
    bypass: Object.freeze([...bypass]),
    ...(authentication !== undefined && { authentication }),
    ...(credential !== undefined && {
      credential: new ProxyCredential(credential.userName, credential.password),
    }),
    ...definedOnly({
      openTimeoutMs: pick('openTimeoutMs'),
      operationTimeoutMs: pick('operationTimeoutMs'),
      idleTimeoutMs: pick('idleTimeoutMs'),
    }),
    ...skip,
    ...definedOnly({ culture: pick('culture'), uiCulture: pick('uiCulture') }),
  });
  if (sources.bypass !== 'env') delete variables.bypass;
  if (sources.proxyUrl !== 'env') delete variables.proxyUrl;
  return Object.freeze({
    options,
    warnings: Object.freeze(warnings),
    sources: Object.freeze(sources),
    variables: Object.freeze(variables),
    platform,
  });
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
