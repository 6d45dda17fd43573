import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../errors/sandbox-error.js';
import { createFaultPolicy } from './faults.js';

const TENANT = '8c2d5e1a-0000-4000-8000-000000000001';

function clocked(start = Date.UTC(2026, 0, 1)) {
  const clock = { now: start };
  return { clock, policy: createFaultPolicy({ now: () => clock.now }) };
}

describe('fault policy', () => {
  it('passes everything for a tenant without settings', () => {
    const { policy } = clocked();
    expect(policy.admit(TENANT)).toEqual({ kind: 'pass', headers: {} });
    expect(policy.page(TENANT)).toEqual({ delayMs: 0, reset: false });
  });

  it('counts requests down within the window, then throttles until it ends', () => {
    const { clock, policy } = clocked();
    policy.configure(TENANT, { throttle: { limit: 3, windowSeconds: 10 } });
    const reset = new Date(clock.now + 10_000).toISOString();
    for (const remaining of ['2', '1', '0']) {
      expect(policy.admit(TENANT)).toEqual({
        kind: 'pass',
        headers: { 'Rate-Limit-Limit': '3', 'Rate-Limit-Remaining': remaining, 'Rate-Limit-Reset': reset },
      });
    }
    clock.now += 2_500;
    expect(policy.admit(TENANT)).toEqual({
      kind: 'throttled',
      plainText: false,
      headers: {
        'Retry-After': '8',
        'Rate-Limit-Limit': '3',
        'Rate-Limit-Remaining': '0',
        'Rate-Limit-Reset': reset,
      },
    });
    clock.now += 7_499;
    expect(policy.admit(TENANT)).toMatchObject({ kind: 'throttled', headers: { 'Retry-After': '1' } });
    clock.now += 1;
    expect(policy.admit(TENANT)).toMatchObject({ kind: 'pass', headers: { 'Rate-Limit-Remaining': '2' } });
  });

  it('keeps tenants apart and matches tenant ids in any case', () => {
    const { policy } = clocked();
    policy.configure(TENANT.toUpperCase(), { throttle: { limit: 1, windowSeconds: 60, plainText: true } });
    expect(policy.admit(TENANT).kind).toBe('pass');
    expect(policy.admit(TENANT)).toMatchObject({ kind: 'throttled', plainText: true });
    expect(policy.admit('another-tenant').kind).toBe('pass');
  });

  it('answers 503 for the next N requests, then recovers; unbounded until cleared', () => {
    const { policy } = clocked();
    policy.configure(TENANT, { unavailable: { count: 2, retryAfterSeconds: 3 } });
    expect(policy.admit(TENANT)).toEqual({ kind: 'unavailable', headers: { 'Retry-After': '3' } });
    expect(policy.admit(TENANT).kind).toBe('unavailable');
    expect(policy.admit(TENANT).kind).toBe('pass');

    policy.configure(TENANT, { unavailable: {} });
    for (let i = 0; i < 5; i++) expect(policy.admit(TENANT).kind).toBe('unavailable');
    policy.clear(TENANT);
    expect(policy.admit(TENANT).kind).toBe('pass');
  });

  it('does not count unavailable requests against the throttling budget', () => {
    const { policy } = clocked();
    policy.configure(TENANT, { unavailable: { count: 1 }, throttle: { limit: 1, windowSeconds: 5 } });
    expect(policy.admit(TENANT).kind).toBe('unavailable');
    expect(policy.admit(TENANT).kind).toBe('pass');
    expect(policy.admit(TENANT).kind).toBe('throttled');
  });

  it('resets the next N pages and delays every page', () => {
    const { policy } = clocked();
    policy.configure(TENANT, { resetMidPage: { count: 1 }, slowPages: { delayMs: 250 } });
    expect(policy.page(TENANT)).toEqual({ delayMs: 250, reset: true });
    expect(policy.page(TENANT)).toEqual({ delayMs: 250, reset: false });
  });

  it('starts afresh when configured again and hands out copies of its settings', () => {
    const { policy } = clocked();
    policy.configure(TENANT, { throttle: { limit: 1, windowSeconds: 60 } });
    policy.admit(TENANT);
    expect(policy.admit(TENANT).kind).toBe('throttled');
    const settings = policy.settings(TENANT)!;
    settings.throttle!.limit = 100;
    policy.configure(TENANT, policy.settings(TENANT)!);
    expect(policy.admit(TENANT).kind).toBe('pass');
    expect(policy.admit(TENANT).kind).toBe('throttled');
    policy.clear();
    expect(policy.settings(TENANT)).toBeUndefined();
  });

  it.each([
    ['throttle.limit', { throttle: { limit: 0, windowSeconds: 1 } }],
    ['throttle.windowSeconds', { throttle: { limit: 1, windowSeconds: 0 } }],
    ['unavailable.count', { unavailable: { count: 1.5 } }],
    ['resetMidPage.count', { resetMidPage: { count: 0 } }],
    ['slowPages.delayMs', { slowPages: { delayMs: -1 } }],
  ])('refuses a bad %s', (option, settings) => {
    const { policy } = clocked();
    const error = (() => {
      try {
        policy.configure(TENANT, settings);
      } catch (caught) {
        return caught;
      }
    })();
    expect(SandboxError.is(error, 'INVALID_OPTION')).toBe(true);
    expect((error as SandboxError).details).toEqual({ option });
  });
});
