import { SandboxError } from '../../errors/sandbox-error.js';

/**
 * Failures the admin API can be told to simulate for one tenant, changed at run time (tests, demos, the
 * reliability suite). Each is off unless set.
 */
export interface FaultSettings {
  /** After `limit` counted requests within a window of `windowSeconds`, answer 429 until the window ends. */
  throttle?: {
    limit: number;
    windowSeconds: number;
    /** Answer the service's plain-text throttling reply instead of the JSON error body. */
    plainText?: boolean;
  };
  /** Answer 503 to the next `count` requests (every request while unset). */
  unavailable?: { count?: number; retryAfterSeconds?: number };
  /** Destroy the connection halfway through the next `count` pages (every page while unset). */
  resetMidPage?: { count?: number };
  /** Wait this long before each page. */
  slowPages?: { delayMs: number };
}

export type AdmitDecision =
  | { kind: 'pass'; headers: Record<string, string> }
  | { kind: 'throttled'; headers: Record<string, string>; plainText: boolean }
  | { kind: 'unavailable'; headers: Record<string, string> };

export interface PageFault {
  delayMs: number;
  /** Write part of the page, then destroy the connection. */
  reset: boolean;
}

/**
 * A pure policy: no timers and no I/O, its clock injected, so every decision can be tested by stepping time.
 * The admin API asks it once per counted request (admit) and once per page (page).
 */
export interface FaultPolicy {
  /** Replaces the tenant's settings and starts its counters afresh. */
  configure(tenantId: string, settings: FaultSettings): void;
  /** Removes the faults of one tenant, or of all. */
  clear(tenantId?: string): void;
  settings(tenantId: string): FaultSettings | undefined;
  admit(tenantId: string): AdmitDecision;
  page(tenantId: string): PageFault;
}

interface TenantState {
  settings: FaultSettings;
  windowStart?: number;
  count: number;
  unavailableLeft: number;
  resetLeft: number;
}

const NO_PAGE_FAULT: PageFault = Object.freeze({ delayMs: 0, reset: false });

export function createFaultPolicy(options: { now?: () => number } = {}): FaultPolicy {
  const now = options.now ?? Date.now;
  const states = new Map<string, TenantState>();
  const key = (tenantId: string) => tenantId.toLowerCase();

  return {
    configure(tenantId, settings) {
      validate(settings);
      states.set(key(tenantId), {
        settings: structuredClone(settings),
        count: 0,
        unavailableLeft: settings.unavailable?.count ?? Number.POSITIVE_INFINITY,
        resetLeft: settings.resetMidPage?.count ?? Number.POSITIVE_INFINITY,
      });
    },
    clear(tenantId) {
      if (tenantId === undefined) states.clear();
      else states.delete(key(tenantId));
    },
    settings(tenantId) {
      const state = states.get(key(tenantId));
      return state ? structuredClone(state.settings) : undefined;
    },
    admit(tenantId): AdmitDecision {
      const state = states.get(key(tenantId));
      if (!state) return { kind: 'pass', headers: {} };
      const { unavailable, throttle } = state.settings;
      if (unavailable && state.unavailableLeft > 0) {
        state.unavailableLeft -= 1;
        return {
          kind: 'unavailable',
          headers: { 'Retry-After': String(unavailable.retryAfterSeconds ?? 1) },
        };
      }
      if (!throttle) return { kind: 'pass', headers: {} };
      const at = now();
      const windowMs = throttle.windowSeconds * 1000;
      if (state.windowStart === undefined || at >= state.windowStart + windowMs) {
        state.windowStart = at;
        state.count = 0;
      }
      const resetAt = state.windowStart + windowMs;
      const rate = (remaining: number) => ({
        'Rate-Limit-Limit': String(throttle.limit),
        'Rate-Limit-Remaining': String(remaining),
        // The service sends an ISO 8601 instant here (seen as 2024-05-22T16:52:26.365Z), not delta-seconds.
        'Rate-Limit-Reset': new Date(resetAt).toISOString(),
      });
      if (state.count >= throttle.limit) {
        const retryAfter = Math.max(1, Math.ceil((resetAt - at) / 1000));
        return {
          kind: 'throttled',
          headers: { 'Retry-After': String(retryAfter), ...rate(0) },
          plainText: throttle.plainText === true,
        };
      }
      state.count += 1;
      return { kind: 'pass', headers: rate(throttle.limit - state.count) };
    },
    page(tenantId): PageFault {
      const state = states.get(key(tenantId));
      if (!state) return NO_PAGE_FAULT;
      const { resetMidPage, slowPages } = state.settings;
      let reset = false;
      if (resetMidPage && state.resetLeft > 0) {
        state.resetLeft -= 1;
        reset = true;
      }
      return { delayMs: slowPages?.delayMs ?? 0, reset };
    },
  };
}

function validate(settings: FaultSettings): void {
  const { throttle, unavailable, resetMidPage, slowPages } = settings;
  if (throttle) {
    positiveInteger('throttle.limit', throttle.limit);
    if (!(throttle.windowSeconds > 0)) invalid('throttle.windowSeconds', 'a number of seconds above 0');
  }
  if (unavailable?.count !== undefined) positiveInteger('unavailable.count', unavailable.count);
  if (unavailable?.retryAfterSeconds !== undefined) {
    positiveInteger('unavailable.retryAfterSeconds', unavailable.retryAfterSeconds);
  }
  if (resetMidPage?.count !== undefined) positiveInteger('resetMidPage.count', resetMidPage.count);
  if (slowPages && !(Number.isFinite(slowPages.delayMs) && slowPages.delayMs >= 0)) {
    invalid('slowPages.delayMs', 'a number of milliseconds of 0 or more');
  }
}

function positiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) invalid(option, 'a whole number of 1 or more');
}

function invalid(option: string, expected: string): never {
  throw new SandboxError('INVALID_OPTION', `The fault setting ${option} must be ${expected}.`, {
    details: { option },
  });
}
