import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { retryPolicy } from '../http/retry.js';
import { createAdminApiClient } from './create-admin-api-client.js';
import { exchange } from './exchange.js';
import { ANCHOR, API, fakeApi, fakeTokens, page, type Seen, TENANT } from './test-support.js';

const CONNECTION = '6f1c3a52-6a8e-4d55-8f0b-2f0d64a4c7a1';
const client = (http: ReturnType<typeof fakeApi>['http']) =>
  createAdminApiClient({
    apiUrl: API,
    tenant: TENANT,
    anchorMailbox: ANCHOR,
    connectionId: CONNECTION,
    tokens: fakeTokens(),
    http,
  });

/** Three pages of two, linked by nextLinks that carry a skiptoken. */
function paged(request: Seen) {
  const at = Number(/skiptoken=(\d)/.exec(request.path)?.[1] ?? 0);
  const value = [{ Name: `m${at * 2}` }, { Name: `m${at * 2 + 1}` }];
  const next =
    at < 2 ? { '@odata.nextLink': `${API}/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=${at + 1}` } : {};
  return page(value, { ...next, '@adminapi.warnings': at === 0 ? ['first page warning'] : [] });
}

describe('invoke: paging', () => {
  it('follows nextLinks by re-POSTing the same body, with the headers the module sends', async () => {
    const api = fakeApi({ [API]: paged });
    const warnings: string[] = [];
    const names: unknown[] = [];
    for await (const m of client(api.http).invoke(
      'Get-Mailbox',
      { ResultSize: 'Unlimited' },
      { pageSize: 2, onWarning: (w) => warnings.push(w) },
    )) {
      names.push(m.Name);
    }
    expect(names).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(warnings).toEqual(['first page warning']);
    expect(api.seen.map((s) => s.path)).toEqual([
      `/adminapi/beta/${TENANT}/InvokeCommand`,
      `/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=1`,
      `/adminapi/beta/${TENANT}/InvokeCommand?$skiptoken=2`,
    ]);
    const bodies = new Set(api.seen.map((s) => s.body));
    expect([...bodies]).toEqual([
      JSON.stringify({ CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: { ResultSize: 'Unlimited' } } }),
    ]);
    const [first] = api.seen;
    expect(first?.method).toBe('POST');
    expect(first?.headers).toMatchObject({
      authorization: 'Bearer token-1',
      'x-anchormailbox': ANCHOR,
      prefer: 'odata.maxpagesize=2',
      'x-cmdletname': 'Get-Mailbox',
      'x-responseformat': 'json',
      'connection-id': CONNECTION,
      'x-clientapplication': 'ExoManagementModule',
      accept: 'application/json',
      'content-type': 'application/json',
    });
    const ids = api.seen.map((s) => s.headers['client-request-id']);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('asks for a small first page and full ones after it, unless the caller names a page size', async () => {
    const api = fakeApi({ [API]: paged });
    for await (const _ of client(api.http).invoke('Get-Mailbox', { ResultSize: 'Unlimited' })) {
      // read them all
    }
    expect(api.seen.map((s) => s.headers.prefer)).toEqual([
      'odata.maxpagesize=100',
      'odata.maxpagesize=1000',
      'odata.maxpagesize=1000',
    ]);
  });

  it("gives undici a signal per request, and leaves no listener on the caller's long-lived signal", async () => {
    const api = fakeApi({ [API]: () => page([{ Name: 'a' }]) });
    const deps = {
      api: new URL(API),
      tenant: TENANT,
      pin: () => undefined,
      tokens: fakeTokens(),
      dispatcher: api.http.dispatcher,
      policy: retryPolicy(),
      random: () => 0,
      now: Date.now,
    };
    // A connection's signal lives for hours: whatever undici hangs on a signal it was given stays until the
    // body closes, so it never gets this one.
    const connection = new AbortController();
    for (let i = 0; i < 3; i++) {
      const reply = await exchange(deps, {
        method: 'POST',
        url: `${API}/adminapi/beta/${TENANT}/InvokeCommand`,
        headers: {},
        body: '{}',
        what: 'Get-Mailbox',
        write: false,
        signal: connection.signal,
      });
      expect(reply.status).toBe(200);
      expect(getEventListeners(connection.signal, 'abort')).toHaveLength(0);
    }
  });

  it('asks for the next page only when the consumer pulls past the current one', async () => {
    const api = fakeApi({ [API]: paged });
    const stream = client(api.http).invoke('Get-Mailbox', {}, { pageSize: 2 });
    const taken: unknown[] = [];
    for await (const m of stream) {
      taken.push(m.Name);
      if (taken.length === 3) break;
    }
    expect(taken).toEqual(['m0', 'm1', 'm2']);
    expect(api.seen).toHaveLength(2);
  });

  it('sends $select, and marks a plain-object parameter as a hashtable', async () => {
    const api = fakeApi({ [API]: () => page([]) });
    const parameters = { Identity: 'a', EmailAddresses: { Add: ['smtp:x@contoso.com'] }, List: [1, 2] };
    for await (const _ of client(api.http).invoke('Set-Mailbox', parameters, { select: ['Name', 'Alias'] })) {
      // no output
    }
    expect(api.seen[0]?.path).toBe(`/adminapi/beta/${TENANT}/InvokeCommand?$select=Name,Alias`);
    expect(JSON.parse(api.seen[0]!.body).CmdletInput.Parameters).toEqual({
      Identity: 'a',
      EmailAddresses: { '@odata.type': '#Exchange.GenericHashTable', Add: ['smtp:x@contoso.com'] },
      List: [1, 2],
    });
  });

  it('never sends the token to a host a nextLink names outside the service', async () => {
    const api = fakeApi({
      [API]: () =>
        page([{ Name: 'a' }], {
          '@odata.nextLink': 'https://evil.example/adminapi/beta/x/InvokeCommand?$skiptoken=1',
        }),
      'https://evil.example': () => page([]),
    });
    const names: unknown[] = [];
    const reading = (async () => {
      for await (const m of client(api.http).invoke('Get-Mailbox', {})) names.push(m.Name);
    })();
    await expect(reading).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
    expect(names).toEqual(['a']);
    expect(api.seen.map((s) => s.origin)).toEqual([API]);
  });

  it('refuses secret and host references, and bad names, before sending anything', async () => {
    const api = fakeApi({ [API]: () => page([]) });
    const c = client(api.http);
    const drain = async (cmdlet: string, parameters: Record<string, unknown>, options = {}) => {
      for await (const _ of c.invoke(cmdlet, parameters, options)) {
        // no output
      }
    };
    await expect(drain('Set-Mailbox', { Password: { $exoSecret: 'pw' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(drain('Set-Mailbox', { Session: { $exoRef: 's' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(drain('Get-Mailbox; rm', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(drain('Get-Mailbox', {}, { pageSize: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(drain('Get-Mailbox', {}, { select: ['Name,Alias'] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(api.seen).toHaveLength(0);
  });
});
