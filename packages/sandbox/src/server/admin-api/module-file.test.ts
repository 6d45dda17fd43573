import { afterEach, describe, expect, it } from 'vitest';
import { headersFor, invoke, type Reply, startTestApi, TENANT_ID, type TestApi } from './test-server.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const ALL = 'Get-Mailbox,Get-User,Set-Mailbox,Remove-Mailbox,Test-EngineCrash';

async function exported(target: TestApi, token: string, commandName = '*') {
  const response = await fetch(`${target.base}/adminapi/v1.0/${TENANT_ID}/EXOModuleFile?Version=3.9.2`, {
    headers: { Authorization: `Bearer ${token}`, CommandName: commandName },
  });
  return { status: response.status, body: (await response.json()) as Reply };
}

describe('EXOModuleFile and roles', () => {
  it.each([
    ['a delegated admin', 'admin', ALL],
    ['an app with Exchange.ManageAsApp', 'app', ALL],
    ['the view-only persona', 'viewonly', 'Get-Mailbox,Get-User'],
    ['a token without the Exchange permission', 'noscope', ''],
  ])('exports to %s what its roles allow', async (_, token, cmdlets) => {
    api = await startTestApi();
    const { status, body } = await exported(api, token);
    expect(status).toBe(200);
    expect(body).toEqual({
      '@odata.context': `${api.base}/adminapi/v1.0/${TENANT_ID}/$metadata#EXOModuleFile`,
      value: [{ fileName: 'ExchangeOnline.psm1', exportedCmdlets: cmdlets }],
    });
  });

  it('narrows the export by the CommandName header, with wildcards', async () => {
    api = await startTestApi();
    expect((await exported(api, 'admin', 'get-user, *-Mailbox')).body.value[0].exportedCmdlets).toBe(
      'Get-Mailbox,Get-User,Set-Mailbox,Remove-Mailbox',
    );
    expect((await exported(api, 'viewonly', 'Set-Mailbox')).body.value[0].exportedCmdlets).toBe('');
  });

  it('needs a token like every other route', async () => {
    api = await startTestApi();
    const response = await fetch(`${api.base}/adminapi/v1.0/${TENANT_ID}/EXOModuleFile?Version=3.9.2`);
    expect(response.status).toBe(401);
    expect((await exported(api, 'expired')).status).toBe(401);
  });

  it('answers a bare 403 to a cmdlet outside the caller roles, before binding its parameters', async () => {
    api = await startTestApi();
    for (const token of ['viewonly', 'noscope']) {
      const response = await fetch(`${api.tenantUrl}InvokeCommand`, {
        method: 'POST',
        headers: headersFor(token),
        body: JSON.stringify({ CmdletInput: { CmdletName: 'Set-Mailbox', Parameters: { Zork: 1 } } }),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-length')).toBe('0');
      expect(await response.text()).toBe('');
    }
    expect((await invoke(api, 'Get-Mailbox', { Identity: 'mbx0001' }, { token: 'viewonly' })).status).toBe(
      200,
    );
    expect(api.engine.requests.map((request) => request.cmdlet)).toEqual(['Get-Mailbox']);
  });
});
