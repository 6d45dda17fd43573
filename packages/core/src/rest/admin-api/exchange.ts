import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, request } from 'undici';
import { stoppedError } from '../../connect/run-command.js';
import { ExoError } from '../../errors/exo-error.js';
import type { TokenSource } from '../contracts.js';
import { decideRetry, header, type RetryPolicy, type SendOutcome, waitAbortably } from '../http/retry.js';
import { bestText, isThrottlingText, parseErrorBody } from './error-body.js';
import { brokenError, transportFailure } from './network-error.js';
import { checkedTarget } from './origin.js';
import { type FailureContext, serviceError } from './service-error.js';

/** What one connection's requests share: where they go, the token, the HTTP stack and the retry policy. */
export interface ExchangeDeps {
  /** The configured API origin: what may receive the token is judged against it. */
  api: URL;
  tenant: string;
  /** Pins later requests to the origin a redirect named. */
  pin(origin: string): void;
  tokens: TokenSource;
  dispatcher: Dispatcher;
  policy: RetryPolicy;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
}

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  url: string;
  /** Without Authorization and client-request-id, which each send sets. */
  headers: Record<string, string>;
  body?: string;
  /** How messages name the call. */
  what: string;
  cmdlet?: string;
  /** Never sent twice once the service may have seen it. */
  write: boolean;
  signal: AbortSignal;
}

export interface ExchangeReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body: one page at most. */
  text: string;
  /** Where it came from, after redirects (nextLinks are resolved against it). */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * One admin API request to a 2xx reply: redirects followed only to hosts that may have the token (and pinned),
 * a 401 answered by one token refresh and one resend (the service ran nothing), and 408/429/503/504 and lost
 * connections retried as the policy says. Anything else throws an ExoError with a stable code.
 */
export async function exchange(deps: ExchangeDeps, req: ExchangeRequest): Promise<ExchangeReply> {
  const { signal } = req;
  const stopped = () => stoppedError(signal, req.what);
  const wait = (ms: number) => waitAbortably(ms, signal, deps.sleep).catch(() => Promise.reject(stopped()));
  let url = req.url;
  let sends = 0;
  let redirects = 0;
  let refreshed = false;
  if (signal.aborted) throw stopped();
  let token = await deps.tokens.get(signal);
  for (;;) {
    if (signal.aborted) throw stopped();
    sends += 1;
    const host = new URL(url).host;
    // Each send gets a signal of its own, linked to the caller's only while it runs: undici keeps what it
    // attaches to a signal until the body closes, and the caller's lives as long as the connection (passing
    // it straight in held ~30 MB more heap over a 100,000-mailbox stream).
    const send = new AbortController();
    const onAbort = () => send.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const unlink = () => signal.removeEventListener('abort', onAbort);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: req.method,
        headers: {
          ...req.headers,
          authorization: `Bearer ${token.token}`,
          'client-request-id': randomUUID(),
        },
        ...(req.body === undefined ? {} : { body: req.body }),
        dispatcher: deps.dispatcher,
        signal: send.signal,
      });
    } catch (error) {
      unlink();
      if (signal.aborted) throw stopped();
      const failure = transportFailure(error, host);
      if (failure.kind === 'unreachable') throw failure.error;
      const decision = decideRetry({ ...retryInput(deps, sends, req), outcome: { kind: failure.kind } });
      if (!decision.retry) {
        throw brokenError(req.what, host, {
          write: req.write,
          cause: failure.cause,
          timeout: failure.kind === 'timeout',
        });
      }
      await wait(decision.delayMs);
      continue;
    }
    const status = response.statusCode;
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      if (signal.aborted) throw stopped();
      throw brokenError(req.what, host, { write: req.write, answered: status, cause: error });
    } finally {
      unlink();
    }
    if (status >= 200 && status < 300) return { status, headers: response.headers, text, url };
    const location = header(response.headers, 'location');
    if (REDIRECTS.has(status) && location) {
      redirects += 1;
      if (redirects > MAX_REDIRECTS) {
        throw new ExoError(
          'SESSION_BROKEN',
          `${req.what}: the service redirected more than ${MAX_REDIRECTS} times.`,
          {
            details: { host },
            retryable: false,
          },
        );
      }
      const target = checkedTarget(deps.api, url, location, req.what);
      deps.pin(target.origin);
      url = target.href;
      sends -= 1;
      continue;
    }
    if (status === 401 && !refreshed) {
      refreshed = true;
      token = await deps.tokens.refresh(signal);
      sends -= 1;
      continue;
    }
    const body = parseErrorBody(text);
    const outcome: SendOutcome = {
      kind: 'answered',
      status,
      headers: response.headers,
      throttled: !body.detail && isThrottlingText(bestText(body)),
    };
    const decision = decideRetry({ ...retryInput(deps, sends, req), outcome });
    if (decision.retry) {
      await wait(decision.delayMs);
      continue;
    }
    const context: FailureContext = {
      ...(req.cmdlet ? { cmdlet: req.cmdlet } : {}),
      what: req.what,
      host,
      tenant: deps.tenant,
      ...requestIdOf(response.headers),
    };
    throw serviceError(
      {
        status,
        body,
        ...(outcome.throttled ? { throttled: true } : {}),
        ...(decision.retryAfterMs === undefined ? {} : { retryAfterMs: decision.retryAfterMs }),
        ...(decision.reason === 'unsafe' ? { unsafeWrite: true } : {}),
      },
      context,
    );
  }
}

function retryInput(deps: ExchangeDeps, attempt: number, req: ExchangeRequest) {
  return { attempt, write: req.write, policy: deps.policy, now: deps.now(), random: deps.random };
}

export function requestIdOf(headers: IncomingHttpHeaders): { requestId?: string } {
  const id = header(headers, 'request-id');
  return id ? { requestId: id } : {};
}
