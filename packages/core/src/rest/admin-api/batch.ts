import { stoppedError } from '../../connect/run-command.js';
import { ExoError } from '../../errors/exo-error.js';
import type { BatchItem, BatchResult } from '../contracts.js';
import { decideRetry, isWriteCommand, waitAbortably } from '../http/retry.js';
import type { ClientContext } from './client-context.js';
import { bestText, isThrottlingText, parseErrorBody } from './error-body.js';
import { exchange } from './exchange.js';
import {
  checkInvoke,
  cmdletBody,
  commonHeaders,
  invokeHeaders,
  invokeUrl,
  tenantPath,
} from './invoke-request.js';
import { brokenError } from './network-error.js';
import { checkedTarget } from './origin.js';
import { readPage } from './page.js';
import { mayHaveRunRemedy, serviceError } from './service-error.js';

/** The service's limit of requests per $batch (REFERENCE.md §8). */
export const BATCH_SIZE = 10;

interface Pending {
  index: number;
  item: BatchItem;
  attempt: number;
}

interface SubResponse {
  id?: unknown;
  status?: unknown;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * `$batch` in chunks of 10 with `Prefer: odata.continue-on-error`: one result per item, in order. A 429 inside
 * the envelope is retried for that item alone (the service ran nothing); a nextLink is followed for its item.
 * A failure of a whole chunk (its connection, its throttling) fails that chunk's items; the others still run.
 */
export async function runBatch(
  context: ClientContext,
  items: readonly BatchItem[],
  signal: AbortSignal,
): Promise<BatchResult[]> {
  const results: BatchResult[] = new Array(items.length);
  const pending: Pending[] = [];
  items.forEach((item, index) => {
    try {
      checkInvoke(item.cmdlet, item.parameters ?? {});
      pending.push({ index, item, attempt: 1 });
    } catch (error) {
      results[index] = { ok: false, cmdlet: item.cmdlet, error: error as ExoError };
    }
  });
  for (let at = 0; at < pending.length; at += BATCH_SIZE) {
    await runChunk(context, pending.slice(at, at + BATCH_SIZE), results, signal);
  }
  return results;
}

async function runChunk(
  context: ClientContext,
  chunk: Pending[],
  results: BatchResult[],
  signal: AbortSignal,
): Promise<void> {
  let pending = chunk;
  while (pending.length > 0) {
    const url = `${tenantPath(context.origin(), 'beta', context.tenant)}/$batch`;
    const envelope = {
      requests: pending.map(({ index, item }) => ({
        id: String(index),
        method: 'POST',
        url: invokeUrl(context.origin(), context.tenant),
        headers: invokeHeaders(context.identity, item.cmdlet),
        body: cmdletBody(item.cmdlet, item.parameters ?? {}),
      })),
    };
    let responses: SubResponse[];
    try {
      const reply = await exchange(context.deps, {
        method: 'POST',
        url,
        headers: {
          ...commonHeaders(context.identity),
          'content-type': 'application/json',
          prefer: 'odata.continue-on-error',
        },
        body: JSON.stringify(envelope),
        what: '$batch',
        // Resent after a lost connection only when every item only reads.
        write: pending.some(({ item }) => isWriteCommand(item.cmdlet)),
        signal,
      });
      responses = subResponses(reply.text);
    } catch (error) {
      if (signal.aborted) throw stoppedError(signal, '$batch');
      for (const p of pending)
        results[p.index] = { ok: false, cmdlet: p.item.cmdlet, error: itemError(error, p, context) };
      return;
    }
    const retry: Pending[] = [];
    let delayMs = 0;
    for (const p of pending) {
      const sub = responses.find((r) => String(r.id) === String(p.index));
      const outcome = await settle(context, p, sub, signal);
      if (outcome.retry) {
        retry.push({ ...p, attempt: p.attempt + 1 });
        delayMs = Math.max(delayMs, outcome.delayMs);
      } else {
        results[p.index] = outcome.result;
      }
    }
    if (retry.length > 0)
      await waitAbortably(delayMs, signal, context.deps.sleep).catch(() =>
        Promise.reject(stoppedError(signal, '$batch')),
      );
    pending = retry;
  }
}

type Settled = { retry: true; delayMs: number } | { retry: false; result: BatchResult };

async function settle(
  context: ClientContext,
  p: Pending,
  sub: SubResponse | undefined,
  signal: AbortSignal,
): Promise<Settled> {
  const { cmdlet } = p.item;
  const write = isWriteCommand(cmdlet);
  const host = new URL(context.origin()).host;
  const fail = (error: ExoError): Settled => ({ retry: false, result: { ok: false, cmdlet, error } });
  if (!sub || typeof sub.status !== 'number') {
    const message = `The $batch reply has no response for ${cmdlet} (item ${p.index + 1}).`;
    return fail(
      new ExoError('SESSION_BROKEN', message, {
        details: { cmdlet, host },
        retryable: !write,
        ...(write ? { remediation: mayHaveRunRemedy(cmdlet) } : {}),
      }),
    );
  }
  const status = sub.status;
  if (status >= 200 && status < 300) {
    try {
      return { retry: false, result: { ok: true, cmdlet, ...(await collect(context, p, sub.body, signal)) } };
    } catch (error) {
      if (signal.aborted) throw stoppedError(signal, '$batch');
      return fail(error as ExoError);
    }
  }
  const headers = sub.headers ?? {};
  const body = parseErrorBody(typeof sub.body === 'string' ? sub.body : JSON.stringify(sub.body ?? ''));
  const throttled = !body.detail && isThrottlingText(bestText(body));
  const decision = decideRetry({
    attempt: p.attempt,
    outcome: { kind: 'answered', status, headers, throttled },
    write,
    policy: context.deps.policy,
    now: context.deps.now(),
    random: context.deps.random,
  });
  if (decision.retry) return { retry: true, delayMs: decision.delayMs };
  const requestId = headers['request-id'];
  return fail(
    serviceError(
      {
        status,
        body,
        ...(throttled ? { throttled } : {}),
        ...(decision.retryAfterMs === undefined ? {} : { retryAfterMs: decision.retryAfterMs }),
        ...(decision.reason === 'unsafe' ? { unsafeWrite: true } : {}),
      },
      { cmdlet, what: cmdlet, host, tenant: context.tenant, ...(requestId ? { requestId } : {}) },
    ),
  );
}

/** An item's objects: its page in the envelope, then its nextLinks (reads of the same result). */
async function collect(context: ClientContext, p: Pending, first: unknown, signal: AbortSignal) {
  const { cmdlet } = p.item;
  let page = readPage(first, cmdlet, new URL(context.origin()).host);
  const value = [...page.value];
  const warnings = [...page.warnings];
  let base = invokeUrl(context.origin(), context.tenant);
  while (page.nextLink) {
    const url = checkedTarget(context.deps.api, base, page.nextLink, cmdlet).href;
    const reply = await exchange(context.deps, {
      method: 'POST',
      url,
      headers: invokeHeaders(context.identity, cmdlet),
      body: JSON.stringify(cmdletBody(cmdlet, p.item.parameters ?? {})),
      what: cmdlet,
      cmdlet,
      write: false,
      signal,
    });
    base = reply.url;
    page = readPage(reply.text, cmdlet, new URL(reply.url).host);
    value.push(...page.value);
    warnings.push(...page.warnings);
  }
  return { value, warnings };
}

function subResponses(text: string): SubResponse[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const responses = (json as { responses?: unknown } | undefined)?.responses;
  if (!Array.isArray(responses)) {
    throw new ExoError('SESSION_BROKEN', 'The $batch reply is not a list of responses.', {
      retryable: false,
    });
  }
  return responses as SubResponse[];
}

/** A whole chunk failed: each item gets the error, a lost connection told apart for writes and reads. */
function itemError(error: unknown, p: Pending, context: ClientContext): ExoError {
  if (!ExoError.is(error)) {
    return new ExoError('SESSION_BROKEN', `$batch failed: ${String(error)}`, { cause: error });
  }
  if (error.details.connectionLost !== true) return error;
  return brokenError(p.item.cmdlet, new URL(context.origin()).host, {
    write: isWriteCommand(p.item.cmdlet),
    cause: error,
    timeout: error.code === 'TIMEOUT',
  });
}
