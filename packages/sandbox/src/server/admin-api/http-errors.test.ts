import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { cmdletBody, headersFor, invoke, type Reply, startTestApi, type TestApi } from './test-server.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const CHALLENGE =
  'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1"';

async function post(
  url: string,
  headers: Record<string, string>,
  body: string | Buffer = cmdletBody('Get-User'),
) {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as Reply,
  };
}

describe('admin API errors', () => {
  it('asks for a bearer token with the service challenge', async () => {
    api = await startTestApi();
    for (const authorization of [undefined, 'Basic YWRtaW46eA==', 'Bearer']) {
      const headers = headersFor();
      if (authorization === undefined) delete (headers as Partial<typeof headers>).Authorization;
      else headers.Authorization = authorization;
      const { status, headers: replyHeaders, body } = await post(`${api.tenantUrl}InvokeCommand`, headers);
      expect(status).toBe(401);
      expect(replyHeaders.get('www-authenticate')).toBe(
        `${CHALLENGE}, authorization_uri="${api.base}/organizations/oauth2/v2.0/authorize"`,
      );
      expect(body.error).toMatchObject({
        code: 'Unauthorized',
        message:
          'The request has no bearer token: send an Authorization: Bearer <access token> header with a token for https://outlook.office365.com.',
        innererror: { type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException' },
      });
    }
  });

  it.each([
    ['expired', 'The access token has expired. Acquire a new token and try again.'],
    ['signature', 'The access token signature is not valid.'],
    [
      'audience',
      'The audience of the access token is not valid: request a token for https://outlook.office365.com',
    ],
    ['tenant', 'The access token was issued for another tenant than the one in the request URL.'],
    ['malformed', 'The access token is not a valid JWT.'],
  ])('refuses a token that fails with %s', async (token, text) => {
    api = await startTestApi();
    const { status, headers, body } = await post(`${api.tenantUrl}InvokeCommand`, headersFor(token));
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toContain(`error="invalid_token", error_description="${text}`);
    expect(body.error.message.startsWith(text)).toBe(true);
  });

  it('refuses a token of another tenant (401) and an unknown tenant (404)', async () => {
    api = await startTestApi();
    const other = await post(`${api.tenantUrl}InvokeCommand`, headersFor('other'));
    expect(other.status).toBe(401);
    expect(other.body.error.message).toBe(
      "The access token was issued for another tenant than 'sandbox.onmicrosoft.localhost'.",
    );
    const unknown = await post(
      `${api.base}/adminapi/beta/nowhere.onmicrosoft.com/InvokeCommand`,
      headersFor(),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'NotFound',
      message: "Tenant 'nowhere.onmicrosoft.com' not found. Name the tenant by its id or one of its domains.",
    });
  });

  it('names the tenant by id or domain in any case', async () => {
    api = await startTestApi();
    for (const tenant of ['8C2D5E1A-4F3B-4C6D-9E7F-0A1B2C3D4E5F', 'SANDBOX.exo.localhost']) {
      const { status, body } = await post(`${api.base}/AdminApi/beta/${tenant}/invokecommand`, headersFor());
      expect(status).toBe(200);
      expect(body['@odata.context']).toContain(`/adminapi/beta/${tenant}/$metadata`);
    }
  });

  it('requires X-AnchorMailbox after the token', async () => {
    api = await startTestApi();
    const headers = headersFor();
    delete (headers as Partial<typeof headers>)['X-AnchorMailbox'];
    const { status, body } = await post(`${api.tenantUrl}InvokeCommand`, headers);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(
      /^The request has no X-AnchorMailbox header\. Send X-AnchorMailbox: UPN:/,
    );
    expect(
      (await post(`${api.tenantUrl}InvokeCommand`, { ...headers, Authorization: 'Bearer x' })).status,
    ).toBe(401);
  });

  it.each([
    ['malformed JSON', '{"CmdletInput":', /^The request body is not valid JSON: /],
    ['an empty body', '', /^The request body must be a JSON object of the form \{"CmdletInput"/],
    ['no CmdletInput', '{"cmdlet":"Get-User"}', /^The request body must be a JSON object/],
    ['no CmdletName', '{"CmdletInput":{"Parameters":{}}}', /^CmdletInput\.CmdletName must be/],
    [
      'Parameters as a list',
      '{"CmdletInput":{"CmdletName":"Get-User","Parameters":[1]}}',
      /^CmdletInput\.Parameters/,
    ],
  ])('answers 400 to %s', async (_, body, message) => {
    api = await startTestApi();
    const reply = await post(`${api.tenantUrl}InvokeCommand`, headersFor(), body);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('BadRequest');
    expect(reply.body.error.message).toMatch(message);
  });

  it('answers 400 to a body that is not JSON by its content type', async () => {
    api = await startTestApi();
    const reply = await post(
      `${api.tenantUrl}InvokeCommand`,
      headersFor('admin', { 'Content-Type': 'text/plain' }),
    );
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toBe(
      "The content type 'text/plain' is not supported: send the body as application/json.",
    );
    const charset = headersFor('admin', { 'Content-Type': 'application/json; charset=utf-8' });
    expect((await post(`${api.tenantUrl}InvokeCommand`, charset)).status).toBe(200);
  });

  it('answers 405 with Allow to a wrong method and 404 to an unknown path', async () => {
    api = await startTestApi();
    const get = await fetch(`${api.tenantUrl}InvokeCommand`, { headers: headersFor() });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(((await get.json()) as Reply).error.code).toBe('MethodNotAllowed');
    const put = await fetch(`${api.tenantUrl}$batch`, { method: 'PUT', headers: headersFor(), body: '{}' });
    expect(put.status).toBe(405);
    const moduleFile = await post(
      `${api.base}/adminapi/v1.0/sandbox.exo.localhost/EXOModuleFile`,
      headersFor(),
    );
    expect(moduleFile.status).toBe(405);
    expect(moduleFile.headers.get('allow')).toBe('GET');
    for (const path of [
      'adminapi/beta/sandbox.exo.localhost/Mailbox',
      'adminapi/v2.0/x/InvokeCommand',
      'adminapi',
    ]) {
      const missing = await post(`${api.base}/${path}`, headersFor());
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe(
        `No HTTP resource was found that matches the request URI '${api.base}/${path}'.`,
      );
    }
    expect((await fetch(`${api.base}/other`)).status).toBe(418);
  });

  it('answers 413 to a body over the cap, closes, and serves the next request', async () => {
    api = await startTestApi({ maxBodyBytes: 1024 });
    const big = cmdletBody('Get-User', { Filter: 'x'.repeat(64 * 1024) });
    const reply = await post(`${api.tenantUrl}InvokeCommand`, headersFor(), big);
    expect(reply.status).toBe(413);
    expect(reply.headers.get('connection')).toBe('close');
    expect(reply.body.error).toMatchObject({
      code: 'RequestEntityTooLarge',
      message: 'The request body is larger than the limit of 1024 bytes.',
    });
    expect((await invoke(api, 'Get-User', { Identity: 'mbx0001' })).status).toBe(200);
    expect(api.engine.requests).toHaveLength(1);
  });

  it('drops a client that keeps sending far past the cap, and keeps serving', async () => {
    api = await startTestApi({ maxBodyBytes: 1024 });
    const url = new URL(`${api.tenantUrl}InvokeCommand`);
    const outcome = await new Promise<number | 'reset'>((resolve) => {
      const req = request(url, {
        method: 'POST',
        headers: { ...headersFor(), 'Transfer-Encoding': 'chunked' },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', () => resolve('reset'));
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!req.destroyed && req.write(chunk));
        if (!req.destroyed) req.once('drain', pump);
      };
      pump();
    });
    expect([413, 'reset']).toContain(outcome);
    expect((await invoke(api, 'Get-User', { Identity: 'mbx0001' })).status).toBe(200);
  });
});
