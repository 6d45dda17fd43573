import type { ServerResponse } from 'node:http';
import type { CallerIdentity } from '../contracts.js';
import type { ResolvedTenant, TenantResolver } from './auth.js';
import { admitRequest, type InvokeDeps, invokeCommand } from './invoke-command.js';
import {
  contentTypeOf,
  errorOutcome,
  isSuccess,
  JSON_CONTENT_TYPE,
  type Outcome,
  resetPoint,
} from './outcome.js';
import { ClientGoneError, createSink, type Sink, writePage } from './page-writer.js';
import { type Preferences, parsePrefer, queryOption } from './request-options.js';

/** The service's limit (REFERENCE §8; CIPP splits its work into batches of 10). */
export const MAX_BATCH_REQUESTS = 10;

export const BATCH_SHAPE_TEXT =
  'The request body must be a JSON object of the form {"requests":[{"id","method":"POST","url":"<InvokeCommand URL>","headers":{…},"body":{"CmdletInput":{…}}}]}.';

export interface BatchItem {
  id: string;
  method: string;
  url: string;
  /** Names in lower case. */
  headers: Record<string, string>;
  body: unknown;
}

/** The envelope, checked as a whole: its shape, the limit, and one unique id per request. */
export function readBatch(body: unknown): { ok: true; items: BatchItem[] } | { ok: false; message: string } {
  const requests = isObject(body) ? body.requests : undefined;
  if (!Array.isArray(requests)) return { ok: false, message: BATCH_SHAPE_TEXT };
  if (requests.length > MAX_BATCH_REQUESTS) {
    return {
      ok: false,
      message: `A batch can hold at most ${MAX_BATCH_REQUESTS} requests; this one has ${requests.length}.`,
    };
  }
  const items: BatchItem[] = [];
  const ids = new Set<string>();
  for (const [index, request] of requests.entries()) {
    const id = isObject(request) ? request.id : undefined;
    if ((typeof id !== 'string' || id === '') && typeof id !== 'number') {
      return { ok: false, message: `Request ${index + 1} of the batch has no id.` };
    }
    const key = String(id);
    if (ids.has(key))
      return { ok: false, message: `The id '${key}' is used by more than one request of the batch.` };
    ids.add(key);
    const { method, url, headers, body: itemBody } = request as Record<string, unknown>;
    const lowered: Record<string, string> = {};
    if (isObject(headers)) {
      for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = String(value);
    }
    items.push({
      id: key,
      method: typeof method === 'string' ? method.toUpperCase() : '',
      url: typeof url === 'string' ? url : '',
      headers: lowered,
      body: itemBody,
    });
  }
  return { ok: true, items };
}

export interface BatchContext {
  deps: InvokeDeps;
  resolveTenant: TenantResolver;
  tenant: ResolvedTenant;
  caller: CallerIdentity;
  /** The batch request's own X-AnchorMailbox and Prefer, for items without theirs. */
  anchor: string | undefined;
  prefer: string | undefined;
}

/**
 * Runs the items one after another with the batch's caller (the outer Authorization) and streams
 * `{"responses":[{"id","status","headers","body"}]}`. As OData batches do, processing stops after the first
 * failed item unless the batch says `Prefer: odata.continue-on-error`.
 */
export async function sendBatch(
  res: ServerResponse,
  context: BatchContext,
  items: BatchItem[],
): Promise<void> {
  const continueOnError = parsePrefer(context.prefer).continueOnError;
  res.statusCode = 200;
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('OData-Version', '4.0');
  const sink = createSink(res);
  try {
    await sink.write('{"responses":[');
    for (const [index, item] of items.entries()) {
      const outcome = await runItem(context, item);
      if (index > 0) await sink.write(',');
      if ((await writeItem(sink, item.id, outcome)) === 'reset') {
        await sink.flush();
        res.socket?.destroy();
        return;
      }
      if (!isSuccess(outcome) && !continueOnError) break;
    }
    await sink.write(']}');
    await sink.flush();
    res.end();
  } catch (error) {
    if (!(error instanceof ClientGoneError)) throw error;
  }
}

async function runItem(context: BatchContext, item: BatchItem): Promise<Outcome> {
  const { deps, tenant } = context;
  let url: URL;
  try {
    url = new URL(item.url, `${deps.baseUrl}/adminapi/beta/${encodeURIComponent(tenant.segment)}/`);
  } catch {
    return errorOutcome(400, `The url '${item.url}' of request '${item.id}' is not a valid URL.`);
  }
  const parts = url.pathname.split('/').map(safeDecode);
  const isInvoke =
    parts.length === 5 &&
    parts[1]?.toLowerCase() === 'adminapi' &&
    parts[2]?.toLowerCase() === 'beta' &&
    parts[4]?.toLowerCase() === 'invokecommand';
  if (!isInvoke)
    return errorOutcome(404, `A batch request can only run InvokeCommand, not '${url.pathname}'.`);
  const segment = parts[3]!;
  if (context.resolveTenant(segment)?.tenantId.toLowerCase() !== tenant.tenantId.toLowerCase()) {
    return errorOutcome(
      400,
      `Request '${item.id}' names tenant '${segment}', not the batch's tenant '${tenant.segment}'.`,
    );
  }
  const following = queryOption(url.searchParams, '$skiptoken') !== null;
  if (item.method !== 'POST' && !(item.method === 'GET' && following)) {
    return errorOutcome(405, `The method '${item.method}' is not allowed for InvokeCommand; use POST.`, {
      Allow: 'POST',
    });
  }
  const admitted = admitRequest(deps.faults, tenant, item.headers['x-anchormailbox'] ?? context.anchor);
  if (!admitted.ok) return admitted.outcome;
  let body = item.body;
  if (typeof body === 'string' && !following) {
    try {
      body = JSON.parse(body);
    } catch {
      return errorOutcome(400, `The body of request '${item.id}' is not valid JSON.`, admitted.headers);
    }
  }
  const preferences: Preferences = parsePrefer(item.headers.prefer ?? context.prefer);
  return invokeCommand(deps, {
    tenant: { tenantId: tenant.tenantId, segment },
    caller: context.caller,
    preferences,
    search: url.searchParams,
    body,
    headers: admitted.headers,
  });
}

async function writeItem(sink: Sink, id: string, outcome: Outcome): Promise<'done' | 'reset'> {
  const headers: Record<string, string> = { ...outcome.headers };
  const type = contentTypeOf(outcome);
  if (type) headers['Content-Type'] = type;
  await sink.write(
    `{"id":${JSON.stringify(id)},"status":${outcome.status},"headers":${JSON.stringify(headers)}`,
  );
  if (outcome.kind === 'page') {
    await sink.write(',"body":');
    const options = outcome.reset ? { resetAfter: resetPoint(outcome.page) } : {};
    if ((await writePage(sink, outcome.page, options)) === 'reset') return 'reset';
  } else if (outcome.kind === 'json') {
    await sink.write(`,"body":${JSON.stringify(outcome.body)}`);
  } else if (outcome.kind === 'text') {
    await sink.write(`,"body":${JSON.stringify(outcome.text)}`);
  }
  await sink.write('}');
  return 'done';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
