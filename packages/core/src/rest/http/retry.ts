import { ExoError } from '../../errors/exo-error.js';
import { isReadCommand } from '../../machine/machine.js';

/**
 * When the admin API client sends a request again (REFERENCE.md §8: clients retry 408, 429, 503, 504). Pure:
 * the clock and the jitter come in, a decision goes out; the caller does the waiting.
 */

export interface RetryPolicy {
  /** Sends of one request at most, the first included. */
  maxAttempts: number;
  /** The longest wait before a resend; a service that asks for longer is not retried. */
  maxDelayMs: number;
  /** The first backoff's ceiling; it doubles with each attempt. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  maxDelayMs: 30_000,
  baseDelayMs: 500,
});

/** The policy from the client's `retry` option; INVALID_ARGUMENT names a bad field. */
export function retryPolicy(options: { maxAttempts?: number; maxDelayMs?: number } = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(options) };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > 100) {
    throw invalid('retry.maxAttempts', 'a whole number from 1 to 100');
  }
  if (!Number.isFinite(policy.maxDelayMs) || policy.maxDelayMs < 0) {
    throw invalid('retry.maxDelayMs', 'a number of milliseconds of 0 or more');
  }
  return policy;
}

function invalid(field: string, expected: string): ExoError {
  return new ExoError('INVALID_ARGUMENT', `${field} must be ${expected}.`, { details: { field } });
}

/** What one send came to, as far as retrying is concerned. */
export type SendOutcome =
  /** The service answered with this status (and these headers); `throttled` when its text says so. */
  | { kind: 'answered'; status: number; headers: Headers; throttled?: boolean }
  /** The connection failed before any byte of a response: the request may have reached the service. */
  | { kind: 'lost' }
  /** No response within the headers timeout, after the request was sent. */
  | { kind: 'timeout' };

export type Headers = Record<string, string | string[] | undefined>;

export type RetryDecision =
  | { retry: true; delayMs: number }
  | {
      retry: false;
      /**
       * `final`: not a retryable outcome; `exhausted`: attempts used up; `too-long`: the service asks to wait
       * longer than maxDelayMs; `unsafe`: a write the service may have run.
       */
      reason: 'final' | 'exhausted' | 'too-long' | 'unsafe';
      /** The wait the service asked for, when it named one. */
      retryAfterMs?: number;
    };

const RETRIED_STATUSES = new Set([408, 429, 503, 504]);
/** Answers that prove the service did not run the request (so a write may be sent again). */
const NOT_RUN_STATUSES = new Set([408, 429, 503]);

/** A write is anything but the verbs the connection's machine counts as reads (Get-, Test-, Search-, …). */
export function isWriteCommand(cmdlet: string): boolean {
  return !isReadCommand(cmdlet);
}

export function isRetriedStatus(status: number): boolean {
  return RETRIED_STATUSES.has(status);
}

/**
 * The next step after `attempt` sends (1-based). A write is sent again only when the service's answer proves
 * it did not run it (408, 429, 503, a throttling text); a lost connection or a timeout does not.
 */
export function decideRetry(input: {
  attempt: number;
  outcome: SendOutcome;
  write: boolean;
  policy: RetryPolicy;
  now: number;
  random: () => number;
}): RetryDecision {
  const { attempt, outcome, write, policy } = input;
  let floorMs = 0;
  let retryAfter: number | undefined;
  if (outcome.kind === 'answered') {
    const throttled = outcome.throttled === true || outcome.status === 429;
    if (!throttled && !RETRIED_STATUSES.has(outcome.status)) return { retry: false, reason: 'final' };
    if (write && !throttled && !NOT_RUN_STATUSES.has(outcome.status))
      return { retry: false, reason: 'unsafe' };
    retryAfter = serverWaitMs(outcome.headers, input.now);
    floorMs = retryAfter ?? 0;
  } else if (write) {
    return { retry: false, reason: 'unsafe' };
  }
  const withWait = (reason: 'exhausted' | 'too-long') =>
    retryAfter === undefined
      ? { retry: false as const, reason }
      : { retry: false as const, reason, retryAfterMs: retryAfter };
  if (attempt >= policy.maxAttempts) return withWait('exhausted');
  if (floorMs > policy.maxDelayMs) return withWait('too-long');
  return { retry: true, delayMs: Math.max(floorMs, backoffMs(attempt, policy, input.random)) };
}

/** Full jitter: a uniform wait between 0 and min(maxDelay, base × 2^(attempt−1)). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(Math.min(1, Math.max(0, random())) * ceiling);
}

/**
 * The wait the service asked for: `Retry-After` (delta-seconds or an HTTP date), with `Rate-Limit-Reset`
 * (delta-seconds as the IETF draft writes it, or an instant as Exchange sends it) as a floor.
 */
export function serverWaitMs(headers: Headers, now: number): number | undefined {
  const waits = [
    parseWait(header(headers, 'retry-after'), now),
    parseWait(header(headers, 'rate-limit-reset'), now),
  ].filter((ms): ms is number => ms !== undefined);
  return waits.length === 0 ? undefined : Math.max(...waits);
}

function parseWait(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function header(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (an injected sleep may not listen). */
export async function waitAbortably(
  ms: number,
  signal: AbortSignal | undefined,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void> = defaultSleep,
): Promise<void> {
  signal?.throwIfAborted();
  if (!signal) return sleep(ms);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms, signal), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
