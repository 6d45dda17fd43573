import { describe, expect, it } from 'vitest';
import type { AdminApiClientOptions } from '../contracts.js';
import { createAdminApiClient } from './create-admin-api-client.js';
import { ANCHOR, API, fakeApi, fakeTokens, page, type Reply, type Seen, TENANT } from './test-support.js';

type Answer = (request: Seen, index: number) => Reply;

function setup(answers: Record<string, Answer>, extra: Partial<AdminApiClientOptions> = {}) {
  const api = fakeApi(answers);
  const tokens = fakeTokens();
  const waits: number[] = [];
  const client = createAdminApiClient({
    apiUrl: API,
    tenant: TENANT,
    anchorMailbox: ANCHOR,
    connectionId: 'c',
    tokens,
    http: api.http,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0,
    ...extra,
  });
  const run = async (cmdlet: string, parameters: Record<string, unknown> = {}, signal?: AbortSignal) => {
    const out: Record<string, unknown>[] = [];
    for await (const o of client.invoke(cmdlet, parameters, { ...(signal ? { signal } : {}) })) out.push(o);
    return out;
  };
  return { api, tokens, waits, client, run };
}

const sequence =
  (...replies: Reply[]): Answer =>
  (_, index) =>
    replies[Math.min(index, replies.length - 1)]!;
const unauthorized: Reply = {
  status: 401,
  body: { error: { code: 'Unauthorized', message: 'The access token has expired.' } },
};

describe('invoke: failures and retries', () => {
  it('answers a 401 with one token refresh and one resend; a second 401 is AUTH_FAILED', async () => {
    const ok = setup({ [API]: sequence(unauthorized, page([{ Name: 'a' }])) });
    expect(await ok.run('Set-Mailbox', { Identity: 'a' })).toEqual([{ Name: 'a' }]);
    expect(ok.tokens.refreshes).toBe(1);
    expect(ok.api.seen.map((s) => s.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);

    const refused = setup({ [API]: sequence(unauthorized) });
    await expect(refused.run('Get-Mailbox')).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringContaining('The access token has expired.'),
    });
    expect(refused.api.seen).toHaveLength(2);
  });

  it('resends a read after a reset before any byte of the reply, never a write', async () => {
    const read = setup({ [API]: sequence({ error: 'ECONNRESET' }, page([{ Name: 'a' }])) });
    expect(await read.run('Get-Mailbox')).toEqual([{ Name: 'a' }]);
    expect(read.api.seen).toHaveLength(2);

    const write = setup({ [API]: sequence({ error: 'UND_ERR_SOCKET' }, page([])) });
    const error = await write.run('New-Mailbox', { Name: 'x', Shared: true }).catch((e) => e);
    expect(error).toMatchObject({ code: 'SESSION_BROKEN', retryable: false });
    expect(error.remediation).toContain('may or may not have run');
    expect(write.api.seen).toHaveLength(1);
  });

  it('retries throttling after the wait it names, and gives THROTTLED with the wait when exhausted', async () => {
    const throttled: Reply = {
      status: 429,
      body: 'You have reached the maximum number of concurrent requests per tenant. Please wait and try again.',
      headers: { 'retry-after': '3', 'content-type': 'text/plain' },
    };
    const ok = setup({ [API]: sequence(throttled, throttled, page([{ Name: 'a' }])) });
    expect(await ok.run('New-Mailbox', { Name: 'x', Shared: true })).toEqual([{ Name: 'a' }]);
    expect(ok.waits).toEqual([3000, 3000]);

    const exhausted = setup({ [API]: sequence(throttled) }, { retry: { maxAttempts: 3 } });
    const error = await exhausted.run('Get-Mailbox').catch((e) => e);
    expect(error).toMatchObject({ code: 'THROTTLED', retryable: true });
    expect(error.details.retryAfterMs).toBe(3000);
    expect(error.message).toContain('maximum number of concurrent requests per tenant');
    expect(exhausted.api.seen).toHaveLength(3);
  });

  it('gives a bare 403 as the missing role, without retrying', async () => {
    const denied = setup({ [API]: sequence({ status: 403 }) });
    const error = await denied.run('Set-Mailbox', { Identity: 'a' }).catch((e) => e);
    expect(error.code).toBe('CMDLET_ERROR');
    expect(error.remediation).toContain('lacks the Exchange role for Set-Mailbox');
    expect(denied.api.seen).toHaveLength(1);
  });

  it('stops waiting between retries at once on abort; a TimeoutError reason is TIMEOUT', async () => {
    const unavailable: Reply = { status: 503, headers: { 'retry-after': '20' } };
    const controller = new AbortController();
    const hanging = setup({ [API]: sequence(unavailable) }, { sleep: () => new Promise(() => undefined) });
    const running = hanging.run('Get-Mailbox', {}, controller.signal);
    await expect.poll(() => hanging.api.seen.length).toBe(1);
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'ABORTED' });

    const timed = setup({ [API]: sequence(unavailable) }, { sleep: () => new Promise(() => undefined) });
    const timeout = new AbortController();
    const slow = timed.run('Get-Mailbox', {}, timeout.signal);
    await expect.poll(() => timed.api.seen.length).toBe(1);
    timeout.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    await expect(slow).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('names the host when it cannot be reached or its certificate is not trusted', async () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']) {
      const down = setup({ [API]: sequence({ error: code }) });
      const error = await down.run('Get-Mailbox').catch((e) => e);
      expect(error.code).toBe('NETWORK_UNREACHABLE');
      expect(error.message).toContain('outlook.office365.com');
      expect(down.api.seen).toHaveLength(1);
    }
  });

  it('fails every call after close()', async () => {
    const closed = setup({ [API]: sequence(page([])) });
    closed.client.close();
    await expect(closed.run('Get-Mailbox')).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
    await expect(closed.client.exportedCmdlets()).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
    await expect(closed.client.batch([{ cmdlet: 'Get-Mailbox' }])).rejects.toMatchObject({
      code: 'SESSION_BROKEN',
    });
    expect(closed.api.seen).toHaveLength(0);
  });
});

describe('exportedCmdlets', () => {
  const REGIONAL = 'https://nam13b.outlook.office365.com';
  const moduleFile = {
    status: 200,
    body: {
      value: [
        {
          fileName: 'ExchangeOnline.psm1',
          exportedCmdlets: 'Get-Mailbox, Set-Mailbox,,Get-Mailbox,get-user ',
        },
      ],
    },
  };

  it('follows a 302 to a regional host and pins later requests to it', async () => {
    const redirect = setup({
      [API]: (request) => ({ status: 302, headers: { location: `${REGIONAL}${request.path}` } }),
      [REGIONAL]: (request) => (request.path.includes('EXOModuleFile') ? moduleFile : page([{ Name: 'a' }])),
    });
    expect(await redirect.client.exportedCmdlets()).toEqual(['Get-Mailbox', 'Set-Mailbox', 'get-user']);
    const [first, second] = redirect.api.seen;
    expect(first).toMatchObject({
      origin: API,
      method: 'GET',
      path: `/adminapi/v1.0/${TENANT}/EXOModuleFile?Version=3.9.0`,
    });
    expect(first?.headers.commandname).toBe('*');
    expect(second?.origin).toBe(REGIONAL);
    await redirect.run('Get-Mailbox');
    expect(redirect.api.seen.at(-1)?.origin).toBe(REGIONAL);
  });

  it('refuses a redirect outside the service: the token is never sent there', async () => {
    for (const location of [
      'https://evil.example/x',
      'http://nam13b.outlook.office365.com/x',
      'https://office365.com.evil.example/x',
    ]) {
      const evil = setup({
        [API]: () => ({ status: 302, headers: { location } }),
        'https://evil.example': () => moduleFile,
      });
      await expect(evil.client.exportedCmdlets()).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
      expect(evil.api.seen.map((s) => s.origin)).toEqual([API]);
    }
  });
});
