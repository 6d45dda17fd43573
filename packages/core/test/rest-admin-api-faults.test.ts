/**
 * The admin API client under the sandbox server's faults: expired tokens, throttling, 503s, connections
 * reset mid-page, slow pages aborted, close(). Waits are injected or conditions, never the clock.
 */
import { configureTenant } from '@exo-connect/sandbox';
import { waitFor } from '@exo-connect/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExoError } from '../src/errors/exo-error.js';
import {
  accessToken,
  adminClient,
  drain,
  expiryOf,
  type RestFixture,
  startRestFixture,
} from './rest-helpers.js';

let fixture: RestFixture;
const faults = () => fixture.server.faults;
const tenantId = () => fixture.server.tenantId;

beforeAll(async () => {
  fixture = await startRestFixture(30);
});
afterEach(() => {
  faults().clear();
});
afterAll(async () => {
  await fixture?.stop();
});

/** How many recipients the tenant has with this name (what a duplicated New-Mailbox would show). */
async function countNamed(name: string): Promise<number> {
  const { client } = adminClient(fixture.server);
  return (await drain(client.invoke('Get-Recipient', { Identity: `${name}*`, ResultSize: 'Unlimited' })))
    .length;
}

describe('tokens', () => {
  it('refreshes an expired token once and resends (a 401 ran nothing)', async () => {
    const options = { directory: fixture.tenant.directory, env: fixture.tenant.env };
    await configureTenant({ ...options, rest: { accessTokenLifetimeSeconds: 2 } });
    try {
      const { client, tokens } = adminClient(fixture.server);
      const first = (await tokens.get()).token;
      // Expired by the token's own exp, as the server reads it (no clock skew allowed there).
      expect(await waitFor(() => Date.now() / 1000 >= expiryOf(first), { intervalMs: 50 })).toBe(true);
      const rows = await drain(client.invoke('Get-OrganizationConfig', {}));
      expect(rows).toHaveLength(1);
      expect(tokens.refreshes).toBe(1);
      expect(tokens.current).not.toBe(first);
    } finally {
      await configureTenant({ ...options, rest: { accessTokenLifetimeSeconds: 3600 } });
    }
  });

  it('gives AUTH_FAILED with the service’s text when the refreshed token is refused too', async () => {
    const bad = accessToken('e30.e30.x', tenantId());
    const { client, http } = adminClient(fixture.server, {
      tokens: { get: async () => bad, refresh: async () => bad, close: () => undefined },
    });
    const error = await drain(client.invoke('Get-Mailbox', {})).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('HTTP 401') });
    expect(http.seen).toHaveLength(2);
  });
});

describe('throttling and 503', () => {
  it('retries a 429 after its Retry-After, then succeeds', async () => {
    faults().configure(tenantId(), { throttle: { limit: 1, windowSeconds: 20 } });
    const waits: number[] = [];
    // The injected sleep ends the window, as waiting for real would.
    const sleep = async (ms: number) => {
      waits.push(ms);
      faults().clear(tenantId());
    };
    const { client, http } = adminClient(fixture.server, { sleep });
    await drain(client.invoke('Get-OrganizationConfig', {}));
    expect(await drain(client.invoke('New-Mailbox', { Name: 'throttled-once', Shared: true }))).toHaveLength(
      1,
    );
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(20_000);
    expect(http.seen.filter((s) => s.cmdlet === 'New-Mailbox')).toHaveLength(2);
    expect(await countNamed('throttled-once')).toBe(1);
  });

  it.each([false, true])(
    'ends in THROTTLED with the wait when the retries are used up (plain text: %s)',
    async (plainText) => {
      faults().configure(tenantId(), { throttle: { limit: 1, windowSeconds: 20, plainText } });
      const waits: number[] = [];
      const { client, http } = adminClient(fixture.server, {
        sleep: async (ms) => {
          waits.push(ms);
        },
      });
      await drain(client.invoke('Get-OrganizationConfig', {}));
      const error = await drain(client.invoke('Get-Mailbox', {})).catch((e: unknown) => e);
      expect(ExoError.is(error, 'THROTTLED')).toBe(true);
      expect((error as ExoError).details.retryAfterMs).toEqual(expect.any(Number));
      if (plainText)
        expect((error as ExoError).message).toContain('maximum number of concurrent requests per tenant');
      expect(http.seen.filter((s) => s.cmdlet === 'Get-Mailbox')).toHaveLength(4);
      expect(waits).toHaveLength(3);
    },
  );

  it('resends a write the service answered 503 (it ran nothing): created once', async () => {
    faults().configure(tenantId(), { unavailable: { count: 2, retryAfterSeconds: 1 } });
    const waits: number[] = [];
    const { client, http } = adminClient(fixture.server, { sleep: async (ms) => void waits.push(ms) });
    await drain(client.invoke('New-Mailbox', { Name: 'after-503', Shared: true }));
    expect(waits).toEqual([1000, 1000]);
    expect(http.seen.filter((s) => s.cmdlet === 'New-Mailbox')).toHaveLength(3);
    expect(await countNamed('after-503')).toBe(1);
  });
});

describe('connections reset mid-page', () => {
  it('a read gets SESSION_BROKEN after the pages it had, with no object twice', async () => {
    const { client, http } = adminClient(fixture.server);
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const mailbox of client.invoke(
        'Get-Mailbox',
        { ResultSize: 'Unlimited' },
        { pageSize: 4 },
      )) {
        seen.push(mailbox.Guid);
        if (seen.length === 4) faults().configure(tenantId(), { resetMidPage: { count: 1 } });
      }
    })();
    const error = await reading.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SESSION_BROKEN', retryable: true, details: { partial: true } });
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(http.seen.filter((s) => s.cmdlet === 'Get-Mailbox')).toHaveLength(2);
  });

  it('a write whose reply is cut is never sent again', async () => {
    faults().configure(tenantId(), { resetMidPage: { count: 1 } });
    const { client, http } = adminClient(fixture.server);
    const error = await drain(client.invoke('New-Mailbox', { Name: 'cut-reply', Shared: true })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'SESSION_BROKEN', retryable: false });
    expect(http.seen.filter((s) => s.cmdlet === 'New-Mailbox')).toHaveLength(1);
    expect(await countNamed('cut-reply')).toBe(1);
  });
});

describe('abort and close', () => {
  /** Streams 2-per-page, turns on slow pages after the first, and returns once the next page is in flight. */
  async function slowSecondPage(options: { signal?: AbortSignal } = {}) {
    const fresh = adminClient(fixture.server);
    const stream = fresh.client.invoke(
      'Get-Mailbox',
      { ResultSize: 'Unlimited' },
      { pageSize: 2, ...options },
    );
    await stream.next();
    await stream.next();
    faults().configure(tenantId(), { slowPages: { delayMs: 5000 } });
    const pending = stream.next();
    const second = () => fresh.http.seen.filter((s) => s.cmdlet === 'Get-Mailbox')[1];
    expect(await waitFor(() => second() !== undefined, { intervalMs: 10 })).toBe(true);
    return { ...fresh, pending, second };
  }

  it('an abort mid-stream cancels the request in flight and ends in ABORTED', async () => {
    const controller = new AbortController();
    const { pending, second } = await slowSecondPage({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(second()).toMatchObject({ error: 'AbortError', done: false });
  });

  it('close() aborts what is in flight and fails every later call', async () => {
    const { client, pending, second } = await slowSecondPage();
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    // undici aborts the request with the signal's reason: the client's ABORTED error.
    expect(second()).toMatchObject({ error: 'ExoError', done: false });
    await expect(client.exportedCmdlets()).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
  });
});
