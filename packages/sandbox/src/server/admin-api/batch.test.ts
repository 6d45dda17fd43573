import { afterEach, describe, expect, it } from 'vitest';
import { createFaultPolicy } from './faults.js';
import { createTestEngine } from './test-engine.js';
import {
  headersFor,
  ORGANIZATION,
  type Reply,
  startTestApi,
  TENANT_ID,
  type TestApi,
} from './test-server.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const item = (id: string, cmdlet: string, parameters: Record<string, unknown> = {}, extra: object = {}) => ({
  id,
  method: 'POST',
  url: `/adminapi/beta/${ORGANIZATION}/InvokeCommand`,
  headers: { 'X-AnchorMailbox': 'UPN:admin@sandbox.exo.localhost' },
  body: { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } },
  ...extra,
});

async function batch(target: TestApi, requests: unknown[], headers: Record<string, string> = {}) {
  const response = await fetch(`${target.tenantUrl}$batch`, {
    method: 'POST',
    headers: headersFor('admin', headers),
    body: JSON.stringify({ requests }),
  });
  return { status: response.status, body: (await response.json()) as Reply };
}

describe('$batch', () => {
  it('answers each of up to 10 requests with its own status, headers and body', async () => {
    api = await startTestApi({ engine: createTestEngine({ mailboxes: 5 }) });
    const requests = [
      item('1', 'Get-Mailbox', { Identity: 'mbx0001' }),
      item('2', 'Get-Mailbox', {}, { headers: { Prefer: 'odata.maxpagesize=2' } }),
      item('3', 'Get-Mailbox', { Identity: 'nobody' }),
      item('4', 'Get-Nothing'),
      { ...item('5', 'Get-User'), url: `${api.base}/adminapi/beta/${TENANT_ID}/InvokeCommand?$select=Alias` },
      { ...item('6', 'Get-User'), url: 'InvokeCommand' },
      { ...item('7', 'Get-User'), method: 'DELETE' },
      { ...item('8', 'Get-User'), url: '/adminapi/beta/sandbox.exo.localhost/$batch' },
      { ...item('9', 'Get-User'), url: '/adminapi/beta/elsewhere.localhost/InvokeCommand' },
      { ...item('10', 'Get-User'), headers: {} },
    ];
    const { status, body } = await batch(api, requests, { Prefer: 'odata.continue-on-error' });
    expect(status).toBe(200);
    const responses = body.responses as Reply[];
    expect(responses.map((response) => [response.id, response.status])).toEqual([
      ['1', 200],
      ['2', 200],
      ['3', 404],
      ['4', 400],
      ['5', 200],
      ['6', 200],
      ['7', 405],
      ['8', 404],
      ['9', 400],
      ['10', 200],
    ]);
    expect(responses[0].headers['Content-Type']).toMatch(/^application\/json;odata\.metadata=minimal/);
    expect(responses[0].body.value.map((m: Reply) => m.Name)).toEqual(['mbx0001']);
    expect(responses[1].body.value).toHaveLength(2);
    expect(responses[1].body['@odata.nextLink']).toContain('$skiptoken=');
    expect(responses[2].body.error.details[0].message).toMatch(/ManagementObjectNotFoundException\|/);
    expect(responses[3].body.error.details[0].message).toMatch(/The term 'Get-Nothing' is not recognized/);
    expect(responses[4].body.value[0]).toEqual({ Alias: 'mbx0001' });
    expect(responses[4].body['@odata.context']).toContain(`/adminapi/beta/${TENANT_ID}/$metadata`);
    expect(responses[6].headers.Allow).toBe('POST');
    // The batch request's own X-AnchorMailbox stands in for an item without one.
    expect(responses[9].body.value).toHaveLength(5);
  });

  it('follows a nextLink inside a batch, by GET', async () => {
    api = await startTestApi({ engine: createTestEngine({ mailboxes: 3 }) });
    const first = await batch(api, [
      item('a', 'Get-Mailbox', {}, { headers: { Prefer: 'odata.maxpagesize=2' } }),
    ]);
    const next = first.body.responses[0].body['@odata.nextLink'];
    const second = await batch(api, [{ id: 'b', method: 'GET', url: next, headers: {} }]);
    expect(second.body.responses[0].body.value.map((m: Reply) => m.Name)).toEqual(['mbx0003']);
  });

  it('stops after the first failed request unless told to continue on error', async () => {
    api = await startTestApi();
    const requests = [item('1', 'Get-Nothing'), item('2', 'Get-Mailbox', { Identity: 'mbx0001' })];
    const stopped = await batch(api, requests);
    expect(stopped.body.responses.map((response: Reply) => response.id)).toEqual(['1']);
    const all = await batch(api, requests, { Prefer: 'odata.maxpagesize=10, odata.continue-on-error' });
    expect(all.body.responses.map((response: Reply) => response.status)).toEqual([400, 200]);
  });

  it('answers 400 to more than 10 requests, to duplicate ids and to a body without requests', async () => {
    api = await startTestApi();
    const eleven = Array.from({ length: 11 }, (_, i) => item(String(i + 1), 'Get-User'));
    const tooMany = await batch(api, eleven);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toBe('A batch can hold at most 10 requests; this one has 11.');
    expect(api.engine.requests).toEqual([]);
    const twice = await batch(api, [item('x', 'Get-User'), item('x', 'Get-User')]);
    expect(twice.body.error.message).toBe("The id 'x' is used by more than one request of the batch.");
    const shapeless = await fetch(`${api.tenantUrl}$batch`, {
      method: 'POST',
      headers: headersFor(),
      body: '[]',
    });
    expect(shapeless.status).toBe(400);
    expect(((await shapeless.json()) as Reply).error.message).toMatch(
      /^The request body must be a JSON object of the form \{"requests"/,
    );
  });

  it('runs every item with the batch Authorization', async () => {
    api = await startTestApi();
    const sneaky = item(
      '1',
      'Set-Mailbox',
      { Identity: 'mbx0001' },
      { headers: { Authorization: 'Bearer admin', 'X-AnchorMailbox': 'UPN:v' } },
    );
    const response = await fetch(`${api.tenantUrl}$batch`, {
      method: 'POST',
      headers: headersFor('viewonly'),
      body: JSON.stringify({ requests: [sneaky] }),
    });
    const body = (await response.json()) as Reply;
    expect(body.responses[0]).toEqual({ id: '1', status: 403, headers: {} });
    const unauthenticated = await fetch(`${api.tenantUrl}$batch`, {
      method: 'POST',
      body: '{"requests":[]}',
    });
    expect(unauthenticated.status).toBe(401);
  });

  it('answers a throttled item 429 inside the 200 envelope', async () => {
    const clock = { now: 0 };
    const faults = createFaultPolicy({ now: () => clock.now });
    faults.configure(TENANT_ID, { throttle: { limit: 2, windowSeconds: 30 } });
    api = await startTestApi({ faults });
    const requests = ['1', '2', '3'].map((id) => item(id, 'Get-Mailbox', { Identity: 'mbx0001' }));
    const { status, body } = await batch(api, requests, { Prefer: 'odata.continue-on-error' });
    expect(status).toBe(200);
    expect(body.responses.map((response: Reply) => response.status)).toEqual([200, 200, 429]);
    expect(body.responses[1].headers['Rate-Limit-Remaining']).toBe('0');
    expect(body.responses[2].headers).toMatchObject({ 'Retry-After': '30', 'Rate-Limit-Limit': '2' });
    expect(body.responses[2].body.error.code).toBe('TooManyRequests');
  });
});
