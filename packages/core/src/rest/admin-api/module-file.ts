import { ExoError } from '../../errors/exo-error.js';
import type { ClientContext } from './client-context.js';
import { exchange } from './exchange.js';
import { commonHeaders, tenantPath } from './invoke-request.js';

/** The module version the request names, as Connect-ExchangeOnline 3.9.0 would send it. */
export const MODULE_VERSION = '3.9.0';

/**
 * EXOModuleFile with `CommandName: *`: the cmdlets this caller's roles allow, from each file's comma-separated
 * `exportedCmdlets` (trimmed, empty names dropped, each name once). A redirect to a regional host pins the
 * connection there (exchange() does that, and checks the host first).
 */
export async function exportedCmdlets(context: ClientContext, signal: AbortSignal): Promise<string[]> {
  const url = `${tenantPath(context.origin(), 'v1.0', context.tenant)}/EXOModuleFile?Version=${MODULE_VERSION}`;
  const reply = await exchange(context.deps, {
    method: 'GET',
    url,
    headers: { ...commonHeaders(context.identity), commandname: '*' },
    what: 'EXOModuleFile',
    write: false,
    signal,
  });
  return cmdletNames(reply.text, new URL(reply.url).host);
}

export function cmdletNames(text: string, host: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw unexpected(host, error);
  }
  const files = (json as { value?: unknown } | null)?.value;
  if (!Array.isArray(files)) throw unexpected(host);
  const seen = new Map<string, string>();
  for (const file of files) {
    const list = (file as { exportedCmdlets?: unknown } | null)?.exportedCmdlets;
    if (typeof list !== 'string') continue;
    for (const raw of list.split(',')) {
      const name = raw.trim();
      // PowerShell's names are case-insensitive: the first spelling is kept.
      if (name !== '' && !seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
    }
  }
  return [...seen.values()];
}

function unexpected(host: string, cause?: unknown): ExoError {
  return new ExoError('SESSION_BROKEN', `The EXOModuleFile reply of ${host} is not a list of module files.`, {
    details: { host },
    cause,
    retryable: false,
    remediation:
      'Check that rest.apiUrl names the Exchange admin API and that no proxy rewrites its replies.',
  });
}
