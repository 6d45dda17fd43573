import {
  type HostFacts,
  locatePwsh,
  MINIMUM_PWSH_VERSION,
  type PwshInfo,
  probeHost,
} from '@exo-connect/core';
import type { EnvironmentDefinition } from '@exo-connect/env-endpoints';
import { type ProxyOptionsInput, resolveProxyOptions } from '@exo-connect/proxy-config';
import type { Keychain } from '../keychain/keychain.js';
import { presentError } from '../present-error.js';
import { checkReachable, type ProxyHop } from './reachability.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  remediation?: string;
}

export interface DoctorReport {
  ok: boolean;
  environment: string;
  checks: DoctorCheck[];
}

/** The strategies doctor checks for: what each needs differs (pwsh, the module, WSMan, which hosts). */
export type DoctorStrategy = 'rps' | 'module' | 'rest';

export interface DoctorOptions {
  environment: EnvironmentDefinition;
  strategy: DoctorStrategy;
  proxy?: ProxyOptionsInput;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Validates the config file; returns its path and what was found, or throws. */
  checkConfig?: () => Promise<string>;
  /** The plain-HTTP port checked next to each endpoint's own port. Default 80. */
  httpPort?: number;
  timeoutMs?: number;
  /** Local endpoints need no network: the sandbox answers inside pwsh. */
  local?: boolean;
  /** rest: the keychain that keeps sign-ins between runs (its state is reported, never its contents). */
  keychain?: Keychain;
}

/** Hosts (with the port their URI names) that a connection to this environment reaches. */
export function endpointTargets(
  environment: EnvironmentDefinition,
  strategy: DoctorStrategy,
): Array<{ host: string; port: number; role: string }> {
  const rest = environment.rest;
  const uris: Array<[string, string | undefined]> =
    strategy === 'rps'
      ? [['remote PowerShell', environment.rps?.connectionUri]]
      : strategy === 'rest'
        ? [
            ['REST admin API', rest?.apiUrl],
            ...(rest?.alternateApiUrls ?? []).map((url): [string, string] => [
              'REST admin API (alternate)',
              url,
            ]),
            ['sign-in', rest?.authority],
          ]
        : [
            ['Exchange Online', environment.module?.connectionUri ?? environment.rps?.connectionUri],
            ['sign-in', environment.module?.azureADAuthorizationEndpointUri],
          ];
  const seen = new Set<string>();
  const targets: Array<{ host: string; port: number; role: string }> = [];
  for (const [role, uri] of uris) {
    if (!uri) continue;
    const url = new URL(uri);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const key = `${url.hostname}:${port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    targets.push({ host: url.hostname.replace(/^\[|\]$/g, ''), port, role });
  }
  return targets;
}

/** The checks core's probe of a connection's host answers: execution policy, the module, WSMan. */
function hostChecks(facts: HostFacts, options: DoctorOptions, platform: NodeJS.Platform): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const policy = facts.executionPolicy;
  if (!policy.applicable) {
    checks.push({ name: 'execution policy', ok: true, detail: `not applicable on ${platform}` });
  } else if (policy.enforced) {
    checks.push({
      name: 'execution policy',
      ok: false,
      detail: `${policy.enforced.scope} enforces ${policy.enforced.policy}`,
      remediation:
        'Group Policy overrides -ExecutionPolicy Bypass; ask your administrator to allow RemoteSigned.',
    });
  } else {
    checks.push({
      name: 'execution policy',
      ok: true,
      detail: `${policy.effective}; exo runs its host with Bypass (process only)`,
    });
  }

  const module = facts.exchangeOnlineManagement;
  const needed = options.strategy === 'module' && !options.local;
  checks.push(
    module
      ? { name: 'ExchangeOnlineManagement', ok: true, detail: `${module.version} at ${module.path}` }
      : {
          name: 'ExchangeOnlineManagement',
          ok: !needed,
          detail: needed
            ? 'not installed (the module strategy needs it)'
            : 'not installed (not needed for this environment)',
          remediation: needed ? 'Install-Module ExchangeOnlineManagement -Scope CurrentUser' : undefined,
        },
  );

  // On Linux and macOS a session fails before any network step when no WSMan client library exists.
  const rpsNeedsWsman = options.strategy === 'rps' && !options.local;
  checks.push(
    facts.wsman.available
      ? { name: 'WSMan', ok: true, detail: 'client library available' }
      : {
          name: 'WSMan',
          ok: !rpsNeedsWsman,
          detail: rpsNeedsWsman
            ? 'no WSMan client library: remote PowerShell sessions cannot be opened from this pwsh'
            : `no WSMan client library (${options.local ? 'the sandbox does not need it' : 'the module strategy does not need it'})`,
          remediation: rpsNeedsWsman
            ? 'Use the module strategy (--strategy module), or run the rps strategy on Windows.'
            : undefined,
        },
  );
  return checks;
}

/** Runs every check and reports each with ✓/✗ and a remedy; never throws for a broken setup. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const checks: DoctorCheck[] = [];
  const fail = (name: string, error: unknown, prefix = '') => {
    const presented = presentError(error);
    checks.push({
      name,
      ok: false,
      detail: `${prefix}${presented.message}`,
      remediation: presented.remediation,
    });
  };

  let info: PwshInfo | undefined;
  const rest = options.strategy === 'rest';
  try {
    info = await locatePwsh({ env });
    const via = info.resolvedFromShim ? ` (via ${info.foundAt})` : '';
    checks.push({ name: 'pwsh', ok: true, detail: `PowerShell ${info.version} at ${info.executable}${via}` });
  } catch (error) {
    if (rest) {
      checks.push({ name: 'pwsh', ok: true, detail: 'not found (the rest strategy does not need it)' });
    } else fail('pwsh', error, `need ${MINIMUM_PWSH_VERSION}+: `);
  }

  if (rest && !options.local && !options.environment.rest) {
    checks.push({
      name: 'REST admin API',
      ok: false,
      detail: `environment "${options.environment.id}" has no rest endpoint`,
      remediation:
        options.environment.id === 'exchange-server'
          ? 'Exchange Server on-premises speaks remote PowerShell only: check --strategy rps.'
          : 'Check --strategy module, or give the environment a rest block (env-endpoints).',
    });
  }

  // The rest strategy starts no PowerShell: its execution policy, modules and WSMan do not matter.
  if (info && !rest) {
    const facts = await probeHost({ info, env }).catch((error: unknown) => {
      fail('pwsh host', error);
      return undefined;
    });
    if (facts) checks.push(...hostChecks(facts, options, platform));
  }

  let proxyHop: ProxyHop | undefined;
  try {
    const resolved = resolveProxyOptions({ flags: options.proxy, env, platform: platform as never });
    const url = resolved.options.proxyUrl;
    if (url) {
      const parsed = new URL(typeof url === 'string' ? url : String(url));
      proxyHop = {
        host: parsed.hostname,
        port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
      };
    }
    const source = resolved.sources.proxyUrl ?? resolved.sources.accessType;
    const what = url
      ? `proxy ${proxyHop?.host}:${proxyHop?.port}${source ? ` (from ${source})` : ''}`
      : 'no proxy';
    checks.push({ name: 'proxy', ok: true, detail: [what, ...resolved.warnings].join('; ') });
  } catch (error) {
    fail('proxy', error);
  }

  if (options.local) {
    checks.push({ name: 'network', ok: true, detail: 'not needed: the sandbox runs on this machine' });
  } else {
    for (const target of endpointTargets(options.environment, options.strategy)) {
      // Remote PowerShell and the module also use port 80 (redirects, CRL checks); the REST API is HTTPS only.
      const ports = rest ? [target.port] : [...new Set([target.port, options.httpPort ?? 80])];
      for (const port of ports) {
        const r = await checkReachable(
          { host: target.host, port },
          { proxy: proxyHop, timeoutMs: options.timeoutMs },
        );
        checks.push({
          name: `reach ${target.host}:${port}`,
          ok: r.ok,
          detail: `${target.role}: ${r.detail}${r.via ? ` via ${r.via}` : ''} (${r.ms} ms)`,
          remediation: r.ok
            ? undefined
            : `TCP port ${port} to ${target.host} must be open${proxyHop ? ' through the proxy' : ''}: check the firewall, DNS and proxy settings.`,
        });
      }
    }
  }

  if (rest && options.keychain) {
    const state = await options.keychain.availability().catch((error: unknown) => ({
      available: false,
      reason: presentError(error).message,
    }));
    checks.push({
      name: 'token cache',
      ok: true,
      detail: state.available
        ? `the OS keychain (${options.keychain.backend}): a sign-in is remembered, the next run is silent`
        : `none: ${state.reason ?? 'no OS keychain'}; every run signs in again`,
      ...(!state.available && {
        remediation:
          'On Linux install secret-tool (libsecret-tools) in a desktop session with a keyring; exo never keeps tokens in plain files.',
      }),
    });
  }

  if (options.checkConfig) {
    try {
      checks.push({ name: 'config', ok: true, detail: await options.checkConfig() });
    } catch (error) {
      fail('config', error);
    }
  }

  return { ok: checks.every((c) => c.ok), environment: options.environment.id, checks };
}
