import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  decideRetry,
  isWriteCommand,
  retryPolicy,
  serverWaitMs,
  waitAbortably,
} from './retry.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const policy = DEFAULT_RETRY_POLICY;
const base = { policy, now: NOW, random: () => 0.5, write: false };

describe('decideRetry', () => {
  it('retries 408, 429, 503 and 504 for a read, and nothing else', () => {
    for (const status of [408, 429, 503, 504]) {
      expect(
        decideRetry({ ...base, attempt: 1, outcome: { kind: 'answered', status, headers: {} } }).retry,
      ).toBe(true);
    }
    for (const status of [400, 401, 403, 404, 500, 502]) {
      expect(
        decideRetry({ ...base, attempt: 1, outcome: { kind: 'answered', status, headers: {} } }),
      ).toEqual({
        retry: false,
        reason: 'final',
      });
    }
  });

  it('retries a write only when the answer proves it did not run', () => {
    const write = { ...base, write: true, attempt: 1 };
    expect(decideRetry({ ...write, outcome: { kind: 'answered', status: 429, headers: {} } }).retry).toBe(
      true,
    );
    expect(decideRetry({ ...write, outcome: { kind: 'answered', status: 503, headers: {} } }).retry).toBe(
      true,
    );
    expect(
      decideRetry({ ...write, outcome: { kind: 'answered', status: 400, headers: {}, throttled: true } })
        .retry,
    ).toBe(true);
    expect(decideRetry({ ...write, outcome: { kind: 'answered', status: 504, headers: {} } })).toMatchObject({
      retry: false,
      reason: 'unsafe',
    });
    expect(decideRetry({ ...write, outcome: { kind: 'lost' } })).toMatchObject({ reason: 'unsafe' });
    expect(decideRetry({ ...write, outcome: { kind: 'timeout' } })).toMatchObject({ reason: 'unsafe' });
    expect(decideRetry({ ...base, attempt: 1, outcome: { kind: 'lost' } }).retry).toBe(true);
    expect(decideRetry({ ...base, attempt: 1, outcome: { kind: 'timeout' } }).retry).toBe(true);
  });

  it('stops after maxAttempts and reports the wait the service asked for', () => {
    const outcome = { kind: 'answered' as const, status: 429, headers: { 'Retry-After': '7' } };
    expect(decideRetry({ ...base, attempt: 3, outcome })).toMatchObject({ retry: true, delayMs: 7000 });
    expect(decideRetry({ ...base, attempt: 4, outcome })).toEqual({
      retry: false,
      reason: 'exhausted',
      retryAfterMs: 7000,
    });
  });

  it('does not wait longer than maxDelayMs: a longer Retry-After ends the retries at once', () => {
    const outcome = { kind: 'answered' as const, status: 429, headers: { 'retry-after': '31' } };
    expect(decideRetry({ ...base, attempt: 1, outcome })).toEqual({
      retry: false,
      reason: 'too-long',
      retryAfterMs: 31_000,
    });
  });

  it('never waits less than the service asked, nor more than the jittered backoff otherwise', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 30 }),
        (attempt, r, seconds) => {
          const headers = { 'Retry-After': String(seconds) };
          const decision = decideRetry({
            ...base,
            random: () => r,
            attempt,
            outcome: { kind: 'answered', status: 503, headers },
          });
          if (!decision.retry) return false;
          const jitter = backoffMs(attempt, policy, () => r);
          return (
            decision.delayMs === Math.max(seconds * 1000, jitter) && decision.delayMs <= policy.maxDelayMs
          );
        },
      ),
    );
  });
});

describe('backoffMs', () => {
  it('is full jitter under a doubling ceiling capped at maxDelayMs', () => {
    expect(backoffMs(1, policy, () => 1)).toBe(500);
    expect(backoffMs(2, policy, () => 1)).toBe(1000);
    expect(backoffMs(3, policy, () => 0.5)).toBe(1000);
    expect(backoffMs(20, policy, () => 1)).toBe(30_000);
    expect(backoffMs(5, policy, () => 0)).toBe(0);
  });
});

describe('serverWaitMs', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(serverWaitMs({ 'retry-after': '3' }, NOW)).toBe(3000);
    expect(serverWaitMs({ 'retry-after': new Date(NOW + 5000).toUTCString() }, NOW)).toBe(5000);
    expect(serverWaitMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(serverWaitMs({}, NOW)).toBeUndefined();
  });

  it('takes Rate-Limit-Reset (delta-seconds or an instant) as a floor', () => {
    const reset = new Date(NOW + 12_000).toISOString();
    expect(serverWaitMs({ 'Retry-After': '2', 'Rate-Limit-Reset': reset }, NOW)).toBe(12_000);
    expect(serverWaitMs({ 'Retry-After': '20', 'Rate-Limit-Reset': '4' }, NOW)).toBe(20_000);
    expect(serverWaitMs({ 'Rate-Limit-Reset': new Date(NOW - 1000).toISOString() }, NOW)).toBe(0);
  });
});

describe('isWriteCommand', () => {
  it('treats only the read-only verbs as reads', () => {
    for (const read of [
      'Get-Mailbox',
      'get-user',
      'Test-MapiConnectivity',
      'Search-UnifiedAuditLog',
      'Export-QuarantineMessage',
    ]) {
      expect(isWriteCommand(read)).toBe(false);
    }
    for (const write of [
      'Set-Mailbox',
      'New-Mailbox',
      'Remove-Mailbox',
      'Add-DistributionGroupMember',
      'Enable-Mailbox',
      'Getaway-Thing',
    ]) {
      expect(isWriteCommand(write)).toBe(true);
    }
  });
});

describe('retryPolicy', () => {
  it('defaults to 4 attempts and 30 s, and refuses bad values', () => {
    expect(retryPolicy()).toMatchObject({ maxAttempts: 4, maxDelayMs: 30_000 });
    expect(retryPolicy({ maxAttempts: 1 }).maxAttempts).toBe(1);
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => retryPolicy({ maxDelayMs: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('waitAbortably', () => {
  it('stops waiting at once when the signal aborts, even if the injected sleep never returns', async () => {
    const controller = new AbortController();
    const waiting = waitAbortably(60_000, controller.signal, () => new Promise(() => undefined));
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('waits with the default timer when nothing aborts', async () => {
    await expect(waitAbortably(1, new AbortController().signal)).resolves.toBeUndefined();
  });
});
