import { describe, expect, it } from 'vitest';
import { AccountLimiter } from './limiter.js';

describe('AccountLimiter', () => {
  it('lets `limit` holders in and queues the rest in order', async () => {
    const limiter = new AccountLimiter();
    const order: number[] = [];
    const releases = await Promise.all([1, 2, 3].map(() => limiter.acquire('a', 3)));
    const queued = [4, 5].map((n) =>
      limiter.acquire('a', 3).then((release) => {
        order.push(n);
        return release;
      }),
    );
    await Promise.resolve();
    expect(limiter.active('a')).toBe(3);
    expect(order).toEqual([]);
    releases[0]!();
    const r4 = await queued[0]!;
    expect(order).toEqual([4]);
    releases[0]!(); // releasing twice changes nothing
    expect(limiter.active('a')).toBe(3);
    releases[1]!();
    const r5 = await queued[1]!;
    expect(order).toEqual([4, 5]);
    for (const r of [releases[2]!, r4, r5]) r();
    expect(limiter.active('a')).toBe(0);
  });

  it('counts accounts separately', async () => {
    const limiter = new AccountLimiter();
    await limiter.acquire('a', 1);
    await expect(limiter.acquire('b', 1)).resolves.toBeTypeOf('function');
  });

  it('rejects a waiter with ABORTED when its signal aborts, and keeps the queue intact', async () => {
    const limiter = new AccountLimiter();
    const release = await limiter.acquire('a', 1);
    const controller = new AbortController();
    const waiting = limiter.acquire('a', 1, controller.signal);
    const next = limiter.acquire('a', 1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    release();
    await expect(next).resolves.toBeTypeOf('function');
  });

  it('reports how many wait', async () => {
    const limiter = new AccountLimiter();
    await limiter.acquire('a', 1);
    const seen: number[] = [];
    void limiter.acquire('a', 1, undefined, (n) => seen.push(n));
    void limiter.acquire('a', 1, undefined, (n) => seen.push(n));
    expect(seen).toEqual([1, 2]);
  });
});
