import { afterEach, describe, expect, it } from 'vitest';
import { createFaultPolicy } from './faults.js';
import { createTestEngine } from './test-engine.js';
import { headersFor, invoke, type Reply, startTestApi, TENANT_ID, type TestApi } from './test-server.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function clockedFaults() {
  const clock = { now: Date.UTC(2026, 4, 1, 12, 0, 0) };
  return { clock, faults: createFaultPolicy({ now: () => clock.now }) };
}

describe('faults over HTTP', () => {
  it('throttles after N requests in the window with the service headers, and recovers after it', async () => {
    const { clock, faults } = clockedFaults();
    api = await startTestApi({ faults });
    faults.configure(TENANT_ID, { throttle: { limit: 2, windowSeconds: 60 } });
    const reset = new Date(clock.now + 60_000).toISOString();

    const first = await invoke(api, 'Get-Mailbox', { Identity: 'mbx0001' });
    expect(first.status).toBe(200);
    expect(first.headers.get('rate-limit-limit')).toBe('2');
    expect(first.headers.get('rate-limit-remaining')).toBe('1');
    expect(first.headers.get('rate-limit-reset')).toBe(reset);
    expect((await invoke(api, 'Get-Mailbox')).headers.get('rate-limit-remaining')).toBe('0');

    clock.now += 15_000;
    const throttled = await invoke(api, 'Get-Mailbox');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('45');
    expect(throttled.headers.get('rate-limit-remaining')).toBe('0');
    expect(throttled.headers.get('rate-limit-reset')).toBe(reset);
    expect(throttled.body.error.code).toBe('TooManyRequests');
    expect(throttled.body.error.message).toBe(
      `Too many requests for this tenant: the limit is 2 requests until ${reset}. Please retry after 45 seconds.`,
    );
    expect(api.engine.requests).toHaveLength(2);

    clock.now += 45_000;
    const recovered = await invoke(api, 'Get-Mailbox', { Identity: 'mbx0001' });
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get('rate-limit-remaining')).toBe('1');
  });

  it('can throttle with the plain-text reply of the concurrency limit', async () => {
    const { faults } = clockedFaults();
    api = await startTestApi({ faults });
    faults.configure(TENANT_ID, { throttle: { limit: 1, windowSeconds: 10, plainText: true } });
    await invoke(api, 'Get-User', { Identity: 'mbx0001' });
    const response = await fetch(`${api.tenantUrl}InvokeCommand`, {
      method: 'POST',
      headers: headersFor(),
      body: '{"CmdletInput":{"CmdletName":"Get-User"}}',
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('retry-after')).toBe('10');
    expect(await response.text()).toBe(
      'You have reached the maximum number of concurrent requests per tenant. Please wait and try again.',
    );
  });

  it('answers 503 while the tenant is unavailable, then serves again', async () => {
    const { faults } = clockedFaults();
    api = await startTestApi({ faults });
    faults.configure(TENANT_ID, { unavailable: { count: 1, retryAfterSeconds: 2 } });
    const unavailable = await invoke(api, 'Get-User', { Identity: 'mbx0001' });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('2');
    expect(unavailable.body.error).toMatchObject({
      code: 'ServiceUnavailable',
      message: 'The service is temporarily unavailable. Please retry after 2 seconds.',
    });
    expect((await invoke(api, 'Get-User', { Identity: 'mbx0001' })).status).toBe(200);
  });

  it('resets the connection mid-page; the client sees a socket error, the link still works', async () => {
    const { faults } = clockedFaults();
    api = await startTestApi({ faults, engine: createTestEngine({ mailboxes: 300, padding: 2000 }) });
    const first = await invoke(api, 'Get-Mailbox', {}, { headers: { Prefer: 'odata.maxpagesize=100' } });
    const next: string = first.body['@odata.nextLink'];
    faults.configure(TENANT_ID, { resetMidPage: { count: 1 } });

    // The status and the first part arrive; the rest of the page never does.
    const broken = await fetch(next, { headers: headersFor() });
    expect(broken.status).toBe(200);
    const reader = broken.body!.getReader();
    const { value: part } = await reader.read();
    expect(new TextDecoder().decode(part)).toMatch(/^\{"@odata\.context":/);
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
    ).rejects.toThrow(/terminated/);

    const retried = await fetch(next, { headers: headersFor() });
    expect(retried.status).toBe(200);
    const body = (await retried.json()) as Reply;
    expect(body.value.map((mailbox: Reply) => mailbox.Name).slice(0, 2)).toEqual(['mbx0101', 'mbx0102']);
    expect(body.value).toHaveLength(100);
  });

  it('waits before each page when pages are slow', async () => {
    const { faults } = clockedFaults();
    const waits: number[] = [];
    api = await startTestApi({
      faults,
      engine: createTestEngine({ mailboxes: 3 }),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    faults.configure(TENANT_ID, { slowPages: { delayMs: 1500 } });
    let url: string | undefined = `${api.tenantUrl}InvokeCommand`;
    let first = true;
    while (url) {
      const response: Response = await fetch(url, {
        method: first ? 'POST' : 'GET',
        headers: headersFor('admin', { Prefer: 'odata.maxpagesize=1' }),
        ...(first ? { body: '{"CmdletInput":{"CmdletName":"Get-Mailbox"}}' } : {}),
      });
      first = false;
      url = ((await response.json()) as Reply)['@odata.nextLink'];
    }
    expect(waits).toEqual([1500, 1500, 1500]);
  });
});
