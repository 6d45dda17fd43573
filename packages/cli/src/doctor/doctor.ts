import {
  classifyText,
  type Frame,
  locatePwsh,
  MINIMUM_PWSH_VERSION,
  PwshBridge,
  type PwshInfo,
} from '@exo-connect/core';
import type { EnvironmentDefinition } from '@exo-connect/env-endpoints';
import { type ProxyOptionsInput, resolveProxyOptions } from '@exo-connect/proxy-config';
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

export interface DoctorOptions {
  environment: EnvironmentDefinition;
  strategy: 'rps' | 'module';
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
}

async function firstObject(
  frames: AsyncGenerator<Frame, unknown>,
): Promise<{ value?: unknown; error?: string }> {
  let value: unknown;
  let error: string | undefined;
  for await (const frame of frames) {
    if (frame.t === 'o' && value === undefined) value = frame.v;
    if (frame.t === 'e' && error === undefined) error = frame.message;
  }
  return { value, error };
}

/** Hosts (with the port their URI names) that a connection to this environment reaches. */
export function endpointTargets(
  environment: EnvironmentDefinition,
  strategy: 'rps' | 'module',
): Array<{ host: string; port: number; role: string }> {
  const uris: Array<[string, string | undefined]> =
    strategy === 'rps'
      ? [['remote PowerShell', environment.rps?.connectionUri]]
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
  try {
    info = await locatePwsh({ env });
    const via = info.resolvedFromShim ? ` (via ${info.foundAt})` : '';
    checks.push({ name: 'pwsh', ok: true, detail: `PowerShell ${info.version} at ${info.executable}${via}` });
  } catch (error) {
    fail('pwsh', error, `need ${MINIMUM_PWSH_VERSION}+: `);
  }

  if (info) {
    const host = await PwshBridge.start({ info, env }).catch((error: unknown) => {
      fail('pwsh host', error);
      return undefined;
    });
    if (host) {
      try {
        const policy = await firstObject(host.request('Get-ExoExecutionPolicy', {}, { depth: 3 }));
        const p = policy.value as {
          Applicable: boolean;
          Effective: string;
          Scopes: Array<{ Scope: string; Policy: string }>;
        };
        if (!p?.Applicable) {
          checks.push({ name: 'execution policy', ok: true, detail: `not applicable on ${platform}` });
        } else {
          const enforced = p.Scopes.find(
            (s) => /Policy$/.test(s.Scope) && /^(Restricted|AllSigned)$/i.test(s.Policy),
          );
          checks.push(
            enforced
              ? {
                  name: 'execution policy',
                  ok: false,
                  detail: `${enforced.Scope} enforces ${enforced.Policy}`,
                  remediation:
                    'Group Policy overrides -ExecutionPolicy Bypass; ask your administrator to allow RemoteSigned.',
                }
              : {
                  name: 'execution policy',
                  ok: true,
                  detail: `${p.Effective}; exo runs its host with Bypass (process only)`,
                },
          );
        }

        const module = await firstObject(
          host.request('Get-Module', { ListAvailable: true, Name: 'ExchangeOnlineManagement' }, { depth: 1 }),
        );
        const m = module.value as
          | { Version?: string | { Major: number; Minor: number; Build: number }; ModuleBase?: string }
          | undefined;
        const version =
          typeof m?.Version === 'object'
            ? `${m.Version.Major}.${m.Version.Minor}.${m.Version.Build}`
            : m?.Version;
        const needed = options.strategy === 'module' && !options.local;
        checks.push(
          m
            ? { name: 'ExchangeOnlineManagement', ok: true, detail: `${version} at ${m.ModuleBase}` }
            : {
                name: 'ExchangeOnlineManagement',
                ok: !needed,
                detail: needed
                  ? 'not installed (the module strategy needs it)'
                  : 'not installed (not needed for this environment)',
                remediation: needed
                  ? 'Install-Module ExchangeOnlineManagement -Scope CurrentUser'
                  : undefined,
              },
        );

        // On Linux and macOS this fails before any network step when no WSMan client library exists.
        const wsman = await firstObject(
          host.request('New-PSSession', { ConnectionUri: 'http://127.0.0.1:9/wsman', ErrorAction: 'Stop' }),
        );
        const wsmanMissing =
          wsman.error !== undefined && classifyText(wsman.error).code === 'WSMAN_UNAVAILABLE';
        const rpsNeedsWsman = options.strategy === 'rps' && !options.local;
        checks.push(
          wsmanMissing
            ? {
                name: 'WSMan',
                ok: !rpsNeedsWsman,
                detail: rpsNeedsWsman
                  ? 'no WSMan client library: remote PowerShell sessions cannot be opened from this pwsh'
                  : `no WSMan client library (${options.local ? 'the sandbox does not need it' : 'the module strategy does not need it'})`,
                remediation: rpsNeedsWsman
                  ? 'Use the module strategy (--strategy module), or run the rps strategy on Windows.'
                  : undefined,
              }
            : { name: 'WSMan', ok: true, detail: 'client library available' },
        );
      } catch (error) {
        fail('pwsh host', error);
      } finally {
        await host.close();
      }
    }
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
      for (const port of [...new Set([target.port, options.httpPort ?? 80])]) {
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

  if (options.checkConfig) {
    try {
      checks.push({ name: 'config', ok: true, detail: await options.checkConfig() });
    } catch (error) {
      fail('config', error);
    }
  }

  return { ok: checks.every((c) => c.ok), environment: options.environment.id, checks };
}
