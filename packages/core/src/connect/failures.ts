import { ExoError } from '../errors/exo-error.js';
import type { Failure } from '../machine/machine.js';

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** What the machine keeps of an error: its code and message, the error itself as the cause. */
export function toFailure(error: unknown): Failure {
  if (ExoError.is(error)) return { code: error.code, message: error.message, cause: error };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'CMDLET_ERROR', message, cause: error };
}

/** The error a failure is reported with: the original ExoError when the codes agree. */
export function failureError(failure: Failure): ExoError {
  const cause = failure.cause;
  if (ExoError.is(cause) && cause.code === failure.code) return cause;
  const remediation = ExoError.is(cause) ? cause.remediation : undefined;
  return new ExoError(failure.code, failure.message, { remediation, cause });
}

/** Runs a listener: its failure must never break the connection. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Ignored on purpose.
  }
}
