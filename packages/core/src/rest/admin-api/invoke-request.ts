import { assertCommandName, checkRequest, type ParameterValue } from '../../bridge/encode-request.js';
import { ExoError } from '../../errors/exo-error.js';

/** What the module sends as X-ClientApplication (REFERENCE.md §8). */
export const CLIENT_APPLICATION = 'ExoManagementModule';
export const HASHTABLE_TYPE = '#Exchange.GenericHashTable';
export const DEFAULT_PAGE_SIZE = 1000;
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** `{"CmdletInput":{"CmdletName","Parameters"}}`, the same for InvokeCommand, its nextLinks and $batch. */
export interface CmdletBody {
  CmdletInput: { CmdletName: string; Parameters: Record<string, unknown> };
}

export function tenantPath(origin: string, version: 'beta' | 'v1.0', tenant: string): string {
  return `${origin}/adminapi/${version}/${encodeURIComponent(tenant)}`;
}

export function invokeUrl(origin: string, tenant: string, select?: readonly string[]): string {
  const url = `${tenantPath(origin, 'beta', tenant)}/InvokeCommand`;
  return select && select.length > 0 ? `${url}?$select=${select.join(',')}` : url;
}

/**
 * Checks a call before anything is sent: the cmdlet's name, its parameters (the bridge's rules, so both
 * strategies refuse the same input), the page size and the selected properties.
 */
export function checkInvoke(
  cmdlet: string,
  parameters: Record<string, unknown>,
  options: { select?: readonly string[]; pageSize?: number } = {},
): void {
  assertCommandName(cmdlet, 'cmdlet');
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new ExoError('INVALID_ARGUMENT', 'parameters must be an object of parameter names and values.', {
      details: { field: 'parameters' },
    });
  }
  for (const [name, value] of Object.entries(parameters)) refuseReference(name, value);
  checkRequest(cmdlet, parameters as Record<string, ParameterValue>);
  const size = options.pageSize;
  if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= 1000)) {
    throw new ExoError('INVALID_ARGUMENT', `pageSize must be a whole number from 1 to 1000; got ${size}.`, {
      details: { field: 'pageSize' },
    });
  }
  for (const name of options.select ?? []) {
    if (typeof name !== 'string' || !PROPERTY_NAME.test(name)) {
      throw new ExoError(
        'INVALID_ARGUMENT',
        `select: "${String(name).slice(0, 80)}" is not a property name.`,
        {
          details: { field: 'select' },
        },
      );
    }
  }
}

/** Secret and host references mean something only to a pwsh host; the admin API would get them as data. */
function refuseReference(name: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  if (!('$exoSecret' in value) && !('$exoRef' in value)) return;
  throw new ExoError(
    'INVALID_ARGUMENT',
    `parameters.${name}: secret and host references ($exoSecret, $exoRef) cannot be sent to the REST admin API.`,
    {
      details: { field: `parameters.${name}` },
      remediation:
        'Pass the value itself, or use the module or rps strategy, whose pwsh host resolves references.',
    },
  );
}

/** A plain-object value is a hashtable parameter: the service wants it marked as one. */
export function cmdletBody(cmdlet: string, parameters: Record<string, unknown>): CmdletBody {
  const marked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const plain = typeof value === 'object' && value !== null && !Array.isArray(value);
    marked[name] =
      plain && !('@odata.type' in value) ? { '@odata.type': HASHTABLE_TYPE, ...(value as object) } : value;
  }
  return { CmdletInput: { CmdletName: cmdlet, Parameters: marked } };
}

export interface RequestIdentity {
  anchorMailbox: string;
  connectionId: string;
}

/** The headers of one InvokeCommand call (without Authorization, which is added at each send). */
export function invokeHeaders(
  identity: RequestIdentity,
  cmdlet: string,
  pageSize = DEFAULT_PAGE_SIZE,
): Record<string, string> {
  return {
    ...commonHeaders(identity),
    'content-type': 'application/json',
    prefer: `odata.maxpagesize=${pageSize}`,
    'x-cmdletname': cmdlet,
    'x-responseformat': 'json',
  };
}

/** What every admin API request carries: who it is for and the connection (client-request-id is per send). */
export function commonHeaders(identity: RequestIdentity): Record<string, string> {
  return {
    accept: 'application/json',
    'x-anchormailbox': identity.anchorMailbox,
    'connection-id': identity.connectionId,
    'x-clientapplication': CLIENT_APPLICATION,
  };
}
