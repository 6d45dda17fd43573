import { afterEach, describe, expect, it } from 'vitest';
import { createTestEngine } from './test-engine.js';
import {
  cmdletBody,
  headersFor,
  invoke,
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

const names = (body: Reply) => body.value.map((mailbox: { Name: string }) => mailbox.Name);

describe('InvokeCommand', () => {
  it('answers a page in the service shape, with its content type and context', async () => {
    api = await startTestApi();
    const { status, headers, body } = await invoke(api, 'Get-Mailbox', { Identity: 'mbx0002' });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe(
      'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
    );
    expect(headers.get('odata-version')).toBe('4.0');
    expect(headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(body)).toEqual([
      '@odata.context',
      'adminapi.warnings@odata.type',
      '@adminapi.warnings',
      'value',
    ]);
    expect(body['@odata.context']).toBe(
      `${api.base}/adminapi/beta/${ORGANIZATION}/$metadata#Collection(Exchange.GenericHashTable)`,
    );
    expect(body['@adminapi.warnings']).toEqual([]);
    expect(names(body)).toEqual(['mbx0002']);
  });

  it('pages by Prefer: odata.maxpagesize, followed by re-POSTing the body to each nextLink', async () => {
    api = await startTestApi({ engine: createTestEngine({ mailboxes: 23 }) });
    const seen: string[] = [];
    let url: string | undefined = `${api.tenantUrl}InvokeCommand`;
    let pages = 0;
    while (url) {
      const response = await fetch(url, {
        method: 'POST',
        headers: headersFor('admin', { Prefer: 'odata.maxpagesize=5' }),
        body: cmdletBody('Get-Mailbox'),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('preference-applied')).toBe(
        'odata.include-annotations="*", odata.maxpagesize=5',
      );
      const body: Reply = await response.json();
      expect(body.value.length).toBeLessThanOrEqual(5);
      seen.push(...names(body));
      url = body['@odata.nextLink'];
      if (url)
        expect(url).toMatch(
          new RegExp(`^${api.base}/adminapi/beta/${ORGANIZATION}/InvokeCommand\\?\\$skiptoken=`),
        );
      pages += 1;
    }
    expect(pages).toBe(5);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    expect(api.engine.requests.map((request) => request.pageSize)).toEqual([5, 5, 5, 5, 5]);
  });

  it('pages by GET of each nextLink, keeping the first request page size and $select', async () => {
    api = await startTestApi({ engine: createTestEngine({ mailboxes: 12 }) });
    const first = await invoke(
      api,
      'get-mailbox',
      {},
      { query: '?$select=name,PRIMARYSMTPADDRESS', headers: { Prefer: 'odata.maxpagesize = 4' } },
    );
    const seen = [...first.body.value];
    let url: string | undefined = first.body['@odata.nextLink'];
    while (url) {
      const response = await fetch(url, { headers: headersFor() });
      expect(response.status).toBe(200);
      const body: Reply = await response.json();
      seen.push(...body.value);
      url = body['@odata.nextLink'];
    }
    expect(seen).toHaveLength(12);
    expect(seen[11]).toEqual({ Name: 'mbx0012', PrimarySmtpAddress: 'mbx0012@sandbox.exo.localhost' });
    expect(api.engine.requests.map((request) => request.pageSize)).toEqual([4, 4, 4]);
    expect(api.engine.requests[0]!.cmdlet).toBe('Get-Mailbox');
  });

  it('keeps a selected property annotations and drops the rest', async () => {
    api = await startTestApi();
    const { body } = await invoke(
      api,
      'Get-Mailbox',
      { Identity: 'mbx0001' },
      { query: '?$select=EmailAddresses' },
    );
    expect(body.value).toEqual([
      {
        'EmailAddresses@odata.type': '#Collection(String)',
        EmailAddresses: ['SMTP:mbx0001@sandbox.exo.localhost'],
      },
    ]);
  });

  it('carries the engine warnings in @adminapi.warnings, on the last page', async () => {
    api = await startTestApi({ engine: createTestEngine({ mailboxes: 1001 }) });
    const first = await invoke(api, 'Get-Mailbox', {}, { headers: { Prefer: 'odata.maxpagesize=600' } });
    expect(first.body.value).toHaveLength(600);
    expect(first.body['@adminapi.warnings']).toEqual([]);
    const last: Reply = await (await fetch(first.body['@odata.nextLink'], { headers: headersFor() })).json();
    expect(last.value).toHaveLength(400);
    expect(last['@adminapi.warnings']).toEqual([
      expect.stringMatching(/^By default, only the first 1000 items/),
    ]);
    expect(last['@odata.nextLink']).toBeUndefined();
    const set = await invoke(api, 'Set-Mailbox', { Identity: 'mbx0001' });
    expect(set.body['@adminapi.warnings']).toEqual([
      "The command completed successfully but no settings of 'mbx0001' have been modified.",
    ]);
  });

  it.each([
    ['above 1000', 'odata.maxpagesize=5000', 1000, 'odata.include-annotations="*", odata.maxpagesize=1000'],
    ['zero', 'odata.maxpagesize=0', 1000, 'odata.include-annotations="*"'],
    ['not a number', 'odata.maxpagesize=lots', 1000, 'odata.include-annotations="*"'],
    [
      'with other preferences',
      'odata.continue-on-error, odata.maxpagesize="7"',
      7,
      'odata.include-annotations="*", odata.maxpagesize=7',
    ],
  ])('treats a page size %s as a hint', async (_, prefer, pageSize, applied) => {
    api = await startTestApi();
    const { status, headers } = await invoke(api, 'Get-Mailbox', {}, { headers: { Prefer: prefer } });
    expect(status).toBe(200);
    expect(headers.get('preference-applied')).toBe(applied);
    expect(api.engine.requests[0]!.pageSize).toBe(pageSize);
  });

  it('strips hashtable markers, drops annotations and binds names as PowerShell does', async () => {
    api = await startTestApi();
    const { status } = await invoke(api, 'SET-MAILBOX', {
      identity: 'mbx0001',
      'EmailAddresses@odata.type': '#Exchange.GenericHashTable',
      EmailAddresses: { '@odata.type': '#Exchange.GenericHashTable', Add: ['smtp:x@sandbox.exo.localhost'] },
      Disp: 'New name',
      confirm: false,
    });
    expect(status).toBe(200);
    expect(api.engine.requests[0]).toEqual({
      cmdlet: 'Set-Mailbox',
      parameters: {
        Identity: 'mbx0001',
        EmailAddresses: { Add: ['smtp:x@sandbox.exo.localhost'] },
        DisplayName: 'New name',
        Confirm: false,
      },
      caller: expect.objectContaining({ tenantId: TENANT_ID }),
      pageSize: 1000,
    });
  });

  it('answers an engine error with the service body and the engine status', async () => {
    api = await startTestApi();
    const { status, body } = await invoke(api, 'Get-Mailbox', { Identity: 'nobody' });
    expect(status).toBe(404);
    const message =
      "The operation couldn't be performed because object 'nobody' couldn't be found on 'SBXPR01A001DC01.SBXPR01A001.prod.exo.localhost'.";
    expect(body).toEqual({
      error: {
        code: 'NotFound',
        message: 'Error executing cmdlet',
        details: [
          {
            code: 'Context',
            message: `Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|${message}`,
            target: '',
          },
        ],
        innererror: {
          message: 'Error executing cmdlet',
          type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
          internalException: { message },
        },
      },
    });
  });

  it("refuses an unknown cmdlet with PowerShell's text, without running anything", async () => {
    api = await startTestApi();
    const { status, body } = await invoke(api, 'Get-Nothing');
    expect(status).toBe(400);
    expect(body.error.code).toBe('BadRequest');
    expect(body.error.details[0].message).toMatch(
      /^Ex[0-9A-F]{6}\|System\.Management\.Automation\.CommandNotFoundException\|The term 'Get-Nothing' is not recognized as a name of a cmdlet, function, script file, or executable program\.\nCheck the spelling/,
    );
    expect(api.engine.requests).toEqual([]);
  });

  it.each([
    [{ Zork: 1 }, "A parameter cannot be found that matches parameter name 'Zork'."],
    [
      { Custom: 'x' },
      "Parameter cannot be processed because the parameter name 'Custom' is ambiguous. Possible matches include: -CustomAttribute1 -CustomAttribute2.",
    ],
    [
      { Identity: 'a', IDENTITY: 'b' },
      "Cannot bind parameter because parameter 'Identity' is specified more than once.",
    ],
  ])('refuses parameters PowerShell would not bind: %j', async (parameters, text) => {
    api = await startTestApi();
    const { status, body } = await invoke(api, 'Set-Mailbox', parameters);
    expect(status).toBe(400);
    const [, type, message] = body.error.details[0].message.split('|');
    expect(type).toBe('System.Management.Automation.ParameterBindingException');
    expect(message.startsWith(text)).toBe(true);
    expect(api.engine.requests).toEqual([]);
  });

  it('answers 500 when the engine itself fails, and keeps serving', async () => {
    api = await startTestApi();
    const { status, body } = await invoke(api, 'Test-EngineCrash');
    expect(status).toBe(500);
    expect(body.error).toMatchObject({
      code: 'InternalServerError',
      message: 'The sandbox engine failed to run Test-EngineCrash: the worker process exited',
    });
    expect((await invoke(api, 'Get-Mailbox', { Identity: 'mbx0001' })).status).toBe(200);
  });

  it('refuses a $skiptoken it does not hold, or one of another caller', async () => {
    api = await startTestApi({ engine: createTestEngine({ mailboxes: 3 }) });
    const unknown = await fetch(`${api.tenantUrl}InvokeCommand?$skiptoken=forged`, { headers: headersFor() });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as Reply).error.message).toBe(
      "The $skiptoken 'forged' is not valid or has expired: run the command again.",
    );
    const first = await invoke(api, 'Get-Mailbox', {}, { headers: { Prefer: 'odata.maxpagesize=1' } });
    const stolen = await fetch(first.body['@odata.nextLink'], { headers: headersFor('app') });
    expect(stolen.status).toBe(400);
  });

  it('keeps its cursor map bounded', async () => {
    api = await startTestApi({ engine: createTestEngine({ mailboxes: 3 }), cursors: { maxEntries: 2 } });
    for (let i = 0; i < 5; i++)
      await invoke(api, 'Get-Mailbox', {}, { headers: { Prefer: 'odata.maxpagesize=1' } });
    expect(api.api.openCursors).toBe(2);
  });
});
