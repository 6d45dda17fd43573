import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('returns true as soon as the condition holds', async () => {
    let calls = 0;
    expect(await waitFor(() => ++calls === 3, { intervalMs: 1 })).toBe(true);
    expect(calls).toBe(3);
  });

  it('awaits an async condition', async () => {
    let calls = 0;
    expect(await waitFor(async () => ++calls > 1, { intervalMs: 1 })).toBe(true);
  });

  it('returns false when the condition never holds within the timeout', async () => {
    expect(await waitFor(() => false, { timeoutMs: 30, intervalMs: 5 })).toBe(false);
  });
});
