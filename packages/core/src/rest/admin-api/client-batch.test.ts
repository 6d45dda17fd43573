import { describe, expect, it } from 'vitest';
import { createAdminApiClient } from './create-admin-api-client.js';
import { ANCHOR, API, fakeApi, fakeTokens, page, type Seen, TENANT } from './test-support.js';

interface SubRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: { CmdletInput: { CmdletName: string; Parameters: Record<string, unknown> } };
}

const requestsOf = (seen: Seen) => (JSON.parse(seen.body) as { requests: SubRequest[] }).requests;

describe('batch', () => {
  it('sends chunks of 10, retries only the throttled item, follows an item’s nextLink, keeps the order', async () => {
    let throttledOnce = false;
    const api = fakeApi({
      [API]: (request) => {
        if (request.path.includes('InvokeCommand')) return page([{ Name: 'second page' }]);
        const responses = requestsOf(request).map((sub) => {
          const { CmdletName, Parameters } = sub.body.CmdletInput;
          if (Parameters.Identity === 'busy' && !throttledOnce) {
            throttledOnce = true;
            return {
              id: sub.id,
              status: 429,
              headers: { 'Retry-After': '2' },
              body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
            };
          }
          if (Parameters.Identity === 'long') {
            return {
              id: sub.id,
              status: 200,
              body: {
                value: [{ Name: 'first page' }],
                '@odata.nextLink': `${API}/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=1`,
              },
            };
          }
          if (CmdletName === 'Set-Mailbox') return { id: sub.id, status: 504, body: '' };
          return {
            id: sub.id,
            status: 200,
            body: { value: [{ Name: Parameters.Identity }], '@adminapi.warnings': ['w'] },
          };
        });
        return { status: 200, body: { responses } };
      },
    });
    const waits: number[] = [];
    const client = createAdminApiClient({
      apiUrl: API,
      tenant: TENANT,
      anchorMailbox: ANCHOR,
      connectionId: 'c',
      tokens: fakeTokens(),
      http: api.http,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0,
    });
    const items = Array.from({ length: 12 }, (_, i) => ({
      cmdlet: 'Get-Mailbox',
      parameters: { Identity: `m${i}` },
    }));
    items[2] = { cmdlet: 'Get-Mailbox', parameters: { Identity: 'busy' } };
    items[5] = { cmdlet: 'Get-Mailbox', parameters: { Identity: 'long' } };
    items[11] = { cmdlet: 'Set-Mailbox', parameters: { Identity: 'm11' } };
    const results = await client.batch(items);

    expect(results).toHaveLength(12);
    expect(results[0]).toEqual({ ok: true, cmdlet: 'Get-Mailbox', value: [{ Name: 'm0' }], warnings: ['w'] });
    expect(results[2]).toMatchObject({ ok: true, value: [{ Name: 'busy' }] });
    expect(results[5]).toMatchObject({ ok: true, value: [{ Name: 'first page' }, { Name: 'second page' }] });
    expect(results[11]).toMatchObject({
      ok: false,
      cmdlet: 'Set-Mailbox',
      error: { code: 'SESSION_BROKEN' },
    });
    expect(waits).toEqual([2000]);

    const batches = api.seen.filter((s) => s.path.endsWith('/$batch'));
    expect(batches.map((b) => requestsOf(b).length)).toEqual([10, 1, 2]);
    expect(requestsOf(batches[1]!)[0]?.body.CmdletInput.Parameters.Identity).toBe('busy');
    expect(batches[0]?.headers.prefer).toBe('odata.continue-on-error');
    const sub = requestsOf(batches[0]!)[0]!;
    expect(sub).toMatchObject({ method: 'POST', url: `${API}/adminapi/beta/${TENANT}/InvokeCommand` });
    expect(sub.headers['x-cmdletname']).toBe('Get-Mailbox');
    // The write answered 504 was sent once.
    expect(
      batches.flatMap(requestsOf).filter((r) => r.body.CmdletInput.CmdletName === 'Set-Mailbox'),
    ).toHaveLength(1);
  });

  it('gives an invalid item its own error without sending it', async () => {
    const api = fakeApi({
      [API]: () => ({ status: 200, body: { responses: [{ id: '1', status: 200, body: { value: [] } }] } }),
    });
    const client = createAdminApiClient({
      apiUrl: API,
      tenant: TENANT,
      anchorMailbox: ANCHOR,
      connectionId: 'c',
      tokens: fakeTokens(),
      http: api.http,
    });
    const results = await client.batch([{ cmdlet: 'not a cmdlet' }, { cmdlet: 'Get-User' }]);
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(results[1]).toEqual({ ok: true, cmdlet: 'Get-User', value: [], warnings: [] });
    expect(requestsOf(api.seen[0]!)).toHaveLength(1);
  });
});
