import { pwshHostFactory, type TransportFactory } from '../connect/host-port.js';
import { runCommand } from '../connect/run-command.js';
import { enforcedPolicy } from '../connect/steps/policy-step.js';
import { classifyText } from '../errors/classify-error.js';
import type { PwshInfo } from '../pwsh/locate-pwsh.js';

export interface ProbeHostOptions {
  /** The pwsh to probe; default: located as connect() does. */
  info?: PwshInfo;
  env?: Record<string, string | undefined>;
  /** The transport to start (tests); default the pwsh host. */
  transports?: TransportFactory;
}

/** What a connection's host would find on this machine, asked through the same host and functions. */
export interface HostFacts {
  executionPolicy:
    | { applicable: false }
    | {
        applicable: true;
        effective: string;
        /** A Group Policy scope that enforces Restricted or AllSigned: the policy step would fail. */
        enforced?: { scope: string; policy: string };
      };
  /** The newest ExchangeOnlineManagement installed, if any. */
  exchangeOnlineManagement?: { version: string; path: string };
  /** Whether this pwsh can open WSMan (remote PowerShell) sessions at all. */
  wsman: { available: boolean; message?: string };
}

interface RawFacts {
  Policy: { Applicable: boolean; Effective: string | null; Scopes: Array<{ Scope: string; Policy: string }> };
  Module: { Version: string; ModuleBase: string } | null;
  WsmanError: string | null;
}

/**
 * Starts a host as the policy step does, asks it the facts exo doctor reports, and ends it. Throws what
 * starting a connection's host would throw (PWSH_NOT_FOUND, …).
 */
export async function probeHost(options: ProbeHostOptions = {}): Promise<HostFacts> {
  const env = (options.env ?? process.env) as NodeJS.ProcessEnv;
  const host = await (options.transports ?? pwshHostFactory).start({
    info: options.info,
    env,
    executionPolicy: 'Bypass',
  });
  try {
    const [raw] = (await runCommand(host, 'Get-ExoHostFacts', {}, { depth: 4 })) as RawFacts[];
    const policy = raw?.Policy;
    const enforced = policy?.Applicable ? enforcedPolicy(policy.Scopes ?? []) : undefined;
    const wsmanMissing = raw?.WsmanError ? classifyText(raw.WsmanError).code === 'WSMAN_UNAVAILABLE' : false;
    return {
      executionPolicy: policy?.Applicable
        ? {
            applicable: true,
            effective: policy.Effective ?? 'Undefined',
            ...(enforced ? { enforced: { scope: enforced.Scope, policy: enforced.Policy } } : {}),
          }
        : { applicable: false },
      ...(raw?.Module
        ? { exchangeOnlineManagement: { version: raw.Module.Version, path: raw.Module.ModuleBase } }
        : {}),
      wsman: wsmanMissing ? { available: false, message: raw!.WsmanError! } : { available: true },
    };
  } finally {
    await host.close();
  }
}
