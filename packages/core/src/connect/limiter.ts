import { ExoError } from '../errors/exo-error.js';

interface Slot {
  active: number;
  waiters: Array<{ resolve: () => void; limit: number }>;
}

/**
 * Keeps the sessions one account opens from this process under the service's limit (3): connects beyond
 * it wait in order instead of failing with the MaxConcurrency error.
 */
export class AccountLimiter {
  private readonly slots = new Map<string, Slot>();

  active(account: string): number {
    return this.slots.get(account)?.active ?? 0;
  }

  async acquire(
    account: string,
    limit: number,
    signal?: AbortSignal,
    onQueued?: (waiting: number) => void,
  ): Promise<() => void> {
    const slot = this.slots.get(account) ?? { active: 0, waiters: [] };
    this.slots.set(account, slot);
    if (slot.active >= limit) {
      await new Promise<void>((resolve, reject) => {
        const waiter = {
          limit,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          slot.waiters.splice(slot.waiters.indexOf(waiter), 1);
          reject(new ExoError('ABORTED', 'Aborted while waiting for a free session slot.'));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        slot.waiters.push(waiter);
        onQueued?.(slot.waiters.length);
      });
    }
    slot.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      slot.active--;
      const next = slot.waiters[0];
      if (next && slot.active < next.limit) {
        slot.waiters.shift();
        next.resolve();
      } else if (slot.active === 0 && slot.waiters.length === 0) {
        this.slots.delete(account);
      }
    };
  }
}

export const defaultLimiter = new AccountLimiter();
