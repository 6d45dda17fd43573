import { ExoError } from '../../errors/exo-error.js';
import type { AccessToken, TokenSource } from '../contracts.js';

/** Refresh this long before expiry, but never sooner than half-way through the token's life. */
export const REFRESH_SKEW_MS = 5 * 60_000;

/**
 * Gets a token; `forced`: the current one was refused (401), do not hand it out again from a cache. A load is
 * shared by every caller waiting for it, so it takes no caller's signal: close() is what cancels it.
 */
export type TokenLoader = (forced: boolean) => Promise<AccessToken>;

/** Waits for `work`, or rejects with ABORTED the moment `signal` aborts (the work itself is cancelled by its owner). */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(aborted(what, signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(what, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function aborted(what: string, signal: AbortSignal): ExoError {
  return ExoError.is(signal.reason)
    ? signal.reason
    : new ExoError('ABORTED', `${what} was cancelled.`, { cause: signal.reason });
}

/**
 * One token at a time for one connection: handed out until it is close to expiring, then loaded again. Calls
 * that come while a load is running share it, so a burst of requests signs in once.
 */
export function cachedTokenSource(
  load: TokenLoader,
  options: { now?: () => number; onClose?: () => void } = {},
): TokenSource {
  const now = options.now ?? Date.now;
  let current: { token: AccessToken; refreshAtMs: number } | undefined;
  let inFlight: Promise<AccessToken> | undefined;
  let closed = false;

  const start = (forced: boolean): Promise<AccessToken> => {
    const loadedAt = now();
    const running = load(forced).then(
      (token) => {
        if (closed) throw closedError();
        const lifetime = Math.max(0, token.expiresOnMs - loadedAt);
        current = { token, refreshAtMs: token.expiresOnMs - Math.min(REFRESH_SKEW_MS, lifetime / 2) };
        return token;
      },
      // A load cut short by close() (a device code's polling cancelled) failed because of the close, not the credential.
      (error: unknown) => {
        throw closed ? closedError() : error;
      },
    );
    inFlight = running;
    const clear = () => {
      if (inFlight === running) inFlight = undefined;
    };
    running.then(clear, clear);
    return running;
  };

  return {
    get(signal) {
      if (closed) return Promise.reject(closedError());
      if (current && now() < current.refreshAtMs) return Promise.resolve(current.token);
      return abortable(inFlight ?? start(false), signal, 'The sign-in');
    },
    refresh(signal) {
      if (closed) return Promise.reject(closedError());
      current = undefined;
      return abortable(inFlight ?? start(true), signal, 'The sign-in');
    },
    close() {
      closed = true;
      current = undefined;
      options.onClose?.();
    },
  };
}

function closedError(): ExoError {
  return new ExoError('SESSION_BROKEN', 'The connection that held these tokens was closed.', {
    remediation: 'Connect again.',
  });
}
