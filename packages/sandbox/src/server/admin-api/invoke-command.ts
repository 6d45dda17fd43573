import type { CallerIdentity, Engine, EngineResult } from '../contracts.js';
import type { ResolvedTenant } from './auth.js';
import { MISSING_ANCHOR_TEXT } from './auth.js';
import { type CursorStore, callerKey } from './cursors.js';
import type { FaultPolicy } from './faults.js';
import { cmdletError, commandNotFound, httpStatusOf } from './odata-error.js';
import { errorOutcome, jsonOutcome, type Outcome } from './outcome.js';
import { bindParameters } from './parameters.js';
import { type Preferences, parseSelect, preferenceApplied, queryOption } from './request-options.js';
import { mayInvoke } from './roles.js';

export interface CommandInfo {
  name: string;
  parameters: string[];
}

export interface InvokeDeps {
  engine: Engine;
  /** engine.commands(), fetched once. */
  commands: () => Promise<readonly CommandInfo[]>;
  cursors: CursorStore;
  faults: FaultPolicy;
  /** Scheme and authority the client reached, without a trailing slash. */
  baseUrl: string;
  sleep: (ms: number) => Promise<void>;
}

/** The plain-text reply of the service's concurrency throttling (the text ExoHelper matches to retry). */
export const CONCURRENCY_THROTTLING_TEXT =
  'You have reached the maximum number of concurrent requests per tenant. Please wait and try again.';

export const BODY_SHAPE_TEXT =
  'The request body must be a JSON object of the form {"CmdletInput":{"CmdletName":"<cmdlet>","Parameters":{…}}}.';

/**
 * The checks between authentication and the body: X-AnchorMailbox, then the tenant's faults (throttling,
 * 503). Passing requests carry the rate-limit headers on to their reply.
 */
export function admitRequest(
  faults: FaultPolicy,
  tenant: ResolvedTenant,
  anchor: string | undefined,
): { ok: true; headers: Record<string, string> } | { ok: false; outcome: Outcome } {
  if (anchor === undefined || anchor.trim() === '') {
    return { ok: false, outcome: errorOutcome(400, MISSING_ANCHOR_TEXT) };
  }
  const decision = faults.admit(tenant.tenantId);
  const { headers } = decision;
  if (decision.kind === 'unavailable') {
    const text = `The service is temporarily unavailable. Please retry after ${headers['Retry-After']} seconds.`;
    return { ok: false, outcome: errorOutcome(503, text, headers) };
  }
  if (decision.kind === 'throttled') {
    if (decision.plainText) {
      return {
        ok: false,
        outcome: { kind: 'text', status: 429, headers, text: CONCURRENCY_THROTTLING_TEXT },
      };
    }
    const text =
      `Too many requests for this tenant: the limit is ${headers['Rate-Limit-Limit']} requests until ` +
      `${headers['Rate-Limit-Reset']}. Please retry after ${headers['Retry-After']} seconds.`;
    return { ok: false, outcome: errorOutcome(429, text, headers) };
  }
  return { ok: true, headers };
}

export interface InvokeInput {
  tenant: ResolvedTenant;
  caller: CallerIdentity;
  preferences: Preferences;
  search: URLSearchParams;
  /** The parsed request body; not read when following a nextLink ($skiptoken). */
  body: unknown;
  /** Headers every reply to this request carries (rate limits). */
  headers: Record<string, string>;
}

/** InvokeCommand after authentication and admission, for a request of its own or an item of a $batch. */
export async function invokeCommand(deps: InvokeDeps, input: InvokeInput): Promise<Outcome> {
  const { tenant, caller, preferences, headers } = input;
  const owner = callerKey(caller);
  const skiptoken = queryOption(input.search, '$skiptoken');
  let run: { cmdlet: string; parameters: Record<string, unknown>; pageSize: number; cursor?: string };
  let select: readonly string[] | undefined;
  if (skiptoken !== null) {
    const entry = deps.cursors.get(skiptoken, tenant.tenantId, owner);
    if (!entry) {
      const text = `The $skiptoken '${skiptoken}' is not valid or has expired: run the command again.`;
      return errorOutcome(400, text, headers);
    }
    const pageSize = preferences.maxPageSizeApplied ? preferences.pageSize : entry.pageSize;
    run = { cmdlet: entry.cmdlet, parameters: entry.parameters, pageSize, cursor: entry.cursor };
    select = entry.select;
  } else {
    const input_ = readCmdletInput(input.body);
    if (!input_.ok) return errorOutcome(400, input_.message, headers);
    const wanted = input_.name.toLowerCase();
    const command = (await deps.commands()).find((candidate) => candidate.name.toLowerCase() === wanted);
    if (!command) return jsonOutcome(400, cmdletError(commandNotFound(input_.name)), headers);
    if (!mayInvoke(caller, command.name)) return { kind: 'bare', status: 403, headers };
    const bound = bindParameters(input_.parameters, command.parameters);
    if (!bound.ok) return jsonOutcome(httpStatusOf(bound.error), cmdletError(bound.error), headers);
    run = { cmdlet: command.name, parameters: bound.parameters, pageSize: preferences.pageSize };
    select = parseSelect(queryOption(input.search, '$select'));
  }

  const fault = deps.faults.page(tenant.tenantId);
  if (fault.delayMs > 0) await deps.sleep(fault.delayMs);
  let result: EngineResult;
  try {
    result = await deps.engine.invoke({ ...run, caller });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return errorOutcome(500, `The sandbox engine failed to run ${run.cmdlet}: ${reason}`, headers);
  }
  if (!result.ok) return jsonOutcome(httpStatusOf(result.error), cmdletError(result.error), headers);

  const tenantPath = `${deps.baseUrl}/adminapi/beta/${encodeURIComponent(tenant.segment)}`;
  let nextLink: string | undefined;
  if (result.nextCursor !== undefined) {
    const id = deps.cursors.put({
      tenantId: tenant.tenantId,
      owner,
      cmdlet: run.cmdlet,
      parameters: run.parameters,
      pageSize: run.pageSize,
      cursor: result.nextCursor,
      ...(select ? { select } : {}),
    });
    nextLink = `${tenantPath}/InvokeCommand?$skiptoken=${id}`;
  }
  return {
    kind: 'page',
    status: 200,
    headers: { ...headers, 'Preference-Applied': preferenceApplied(preferences) },
    page: {
      context: `${tenantPath}/$metadata#Collection(Exchange.GenericHashTable)`,
      warnings: result.warnings,
      objects: result.objects,
      ...(nextLink ? { nextLink } : {}),
      ...(select ? { select } : {}),
    },
    reset: fault.reset,
  };
}

type CmdletInput =
  | { ok: true; name: string; parameters: Record<string, unknown> }
  | { ok: false; message: string };

/** `{"CmdletInput":{"CmdletName","Parameters"}}`, its member names matched in any case. */
export function readCmdletInput(body: unknown): CmdletInput {
  const input = member(body, 'CmdletInput');
  if (!isObject(input)) return { ok: false, message: BODY_SHAPE_TEXT };
  const name = member(input, 'CmdletName');
  if (typeof name !== 'string' || name.trim() === '') {
    return { ok: false, message: 'CmdletInput.CmdletName must be the name of the cmdlet to run.' };
  }
  const parameters = member(input, 'Parameters') ?? {};
  if (!isObject(parameters)) {
    return {
      ok: false,
      message: 'CmdletInput.Parameters must be a JSON object of parameter names and values.',
    };
  }
  return { ok: true, name: name.trim(), parameters };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function member(value: unknown, name: string): unknown {
  if (!isObject(value)) return undefined;
  const key = Object.keys(value).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : value[key];
}
