import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APPLY_HTTP_PROXY_SCRIPT,
  type ResolveProxyOptionsInput,
  renderHttpProxy,
  resolveProxyOptions,
} from '../src/index.js';
import { type LoopbackServer, startDirectServer, startRecordingProxy } from './loopback-servers.js';
import { runFixedScript } from './run-fixed-script.js';

// After the product script set the default proxy: requests with a fresh .NET HttpClient, and the default
// proxy's own IsBypassed verdicts (a pure computation: no traffic, no DNS). A request is sent only when .NET
// would connect to a loopback address (directly or through a loopback proxy), so even a broken bypass list
// cannot make a test reach for the network, not even for a DNS lookup.
const PROBE = `param($Applied, $Data)
$proxy = [System.Net.Http.HttpClient]::DefaultProxy
$client = [System.Net.Http.HttpClient]::new()
$client.Timeout = [TimeSpan]::FromSeconds(20)
$responses = @(foreach ($url in @($Data.urls)) {
    $uri = [uri]$url
    $next = if ($proxy.IsBypassed($uri)) { $uri } else { $proxy.GetProxy($uri) }
    if ($null -eq $next) { $next = $uri }
    if (-not $next.IsLoopback) {
        [ordered]@{ url = $url; status = -1; body = "not sent: it would connect to $($next.Host)" }
        continue
    }
    try {
        $response = $client.GetAsync($uri).GetAwaiter().GetResult()
        [ordered]@{ url = $url; status = [int]$response.StatusCode; body = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult() }
    } catch {
        [ordered]@{ url = $url; status = 0; body = $_.Exception.GetBaseException().Message }
    }
})
[ordered]@{
    proxyType = $proxy.GetType().FullName
    responses = $responses
    bypassed = @(foreach ($url in @($Data.checks)) { $proxy.IsBypassed([uri]$url) })
}
`;

interface Answer {
  proxyType: string;
  responses: { url: string; status: number; body: string }[];
  bypassed: boolean[];
}

// Never resolvable and never looked up: a request for it can only be answered by the proxy.
const REMOTE = 'http://exo-connect-proxy-test.invalid';

let proxy: LoopbackServer;
let direct: LoopbackServer;

beforeAll(async () => {
  proxy = await startRecordingProxy();
  direct = await startDirectServer();
});
afterAll(async () => {
  await Promise.all([proxy?.close(), direct?.close()]);
});
beforeEach(() => {
  proxy.seen.length = 0;
  direct.seen.length = 0;
});

async function applyAndRequest(
  input: ResolveProxyOptionsInput,
  probeData: { urls?: string[]; checks?: string[] },
  env?: Record<string, string>,
): Promise<Answer> {
  const rendered = renderHttpProxy(resolveProxyOptions({ env: {}, ...input }));
  return runFixedScript<Answer>({
    script: APPLY_HTTP_PROXY_SCRIPT,
    parametersJson: JSON.stringify(rendered),
    credential: rendered.secret.proxyCredential,
    probe: PROBE,
    probeData: { urls: [], checks: [], ...probeData },
    ...(env && { env }),
  });
}

describe('APPLY_HTTP_PROXY_SCRIPT routes .NET HTTP inside pwsh', () => {
  it('sends requests through the proxy from HTTPS_PROXY, and NO_PROXY hosts straight past it', async () => {
    const answer = await applyAndRequest(
      { env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } },
      { urls: [`${REMOTE}/through`, `${direct.url}/bypassed`] },
    );
    expect(answer.proxyType).toBe('System.Net.WebProxy');
    expect(answer.responses.map((r) => [r.status, r.body])).toEqual([
      [200, 'via-proxy'],
      [200, 'direct'],
    ]);
    expect(proxy.seen.map((s) => s.requestLine)).toEqual([`GET ${REMOTE}/through`]);
    expect(direct.seen.map((s) => s.requestLine)).toEqual(['GET /bypassed']);
  });

  it('sends the same loopback request through the proxy when NO_PROXY does not list it', async () => {
    const answer = await applyAndRequest(
      { env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'other.example' } },
      { urls: [`${direct.url}/not-bypassed`] },
    );
    expect(answer.responses.map((r) => r.body)).toEqual(['via-proxy']);
    expect(proxy.seen.map((s) => s.requestLine)).toEqual([`GET ${direct.url}/not-bypassed`]);
    expect(direct.seen).toEqual([]);
  });

  it('bypasses only the port a host:port entry names', async () => {
    const otherPort = direct.port === 65_535 ? direct.port - 1 : direct.port + 1;
    const answer = await applyAndRequest(
      { flags: { proxyUrl: proxy.url, bypass: [`127.0.0.1:${direct.port}`] } },
      { urls: [`${direct.url}/this-port`, `http://127.0.0.1:${otherPort}/other-port`] },
    );
    expect(answer.responses.map((r) => r.body)).toEqual(['direct', 'via-proxy']);
    expect(proxy.seen.map((s) => s.requestLine)).toEqual([`GET http://127.0.0.1:${otherPort}/other-port`]);
  });

  it('answers Basic proxy authentication with the credential from the secret channel', async () => {
    const authenticating = await startRecordingProxy({ basicCredential: 'proxy-user:Pa55:w@rd!' });
    try {
      const input = {
        flags: {
          proxyUrl: authenticating.url,
          authentication: 'Basic',
          credential: { userName: 'proxy-user', password: 'Pa55:w@rd!' },
        },
      } satisfies ResolveProxyOptionsInput;
      expect(JSON.stringify(renderHttpProxy(resolveProxyOptions({ env: {}, ...input })))).not.toContain(
        'Pa55',
      );
      const answer = await applyAndRequest(input, { urls: [`${REMOTE}/secured`] });
      expect(answer.responses.map((r) => [r.status, r.body])).toEqual([[200, 'via-proxy']]);
      expect(authenticating.seen.map((s) => s.proxyAuthorization)).toEqual([
        undefined,
        `Basic ${Buffer.from('proxy-user:Pa55:w@rd!').toString('base64')}`,
      ]);
    } finally {
      await authenticating.close();
    }
  });

  it('goes direct for NoProxyServer even when the pwsh process has HTTP_PROXY; None keeps .NET default', async () => {
    const processEnv = { HTTP_PROXY: proxy.url };
    const directAnswer = await applyAndRequest(
      { flags: { accessType: 'NoProxyServer' } },
      { urls: [`${direct.url}/no-proxy-server`] },
      processEnv,
    );
    expect(directAnswer.responses.map((r) => r.body)).toEqual(['direct']);
    expect(proxy.seen).toEqual([]);

    const systemAnswer = await applyAndRequest(
      { flags: { accessType: 'None' } },
      { urls: [`${direct.url}/system-default`] },
      processEnv,
    );
    expect(systemAnswer.responses.map((r) => r.body)).toEqual(['via-proxy']);
    expect(proxy.seen.map((s) => s.requestLine)).toEqual([`GET ${direct.url}/system-default`]);
    expect(direct.seen.map((s) => s.requestLine)).toEqual(['GET /no-proxy-server']);
  });
});

describe('NO_PROXY entries as System.Net.WebProxy bypass expressions', () => {
  const table: [string, boolean][] = [
    ['http://corp.example/', true],
    ['https://a.b.corp.example:8443/', true],
    ['http://notcorp.example/', false],
    ['http://corp.example.evil/', false],
    ['http://sub.example/', false],
    ['https://x.sub.example/', true],
    ['http://web01.glob.example/', true],
    ['http://mail.glob.example/', false],
    ['https://host.example:8443/', true],
    ['https://host.example/', false],
    ['https://secure.example/', true],
    ['http://secure.example/', false],
    ['http://10.200.3.4:8080/', true],
    ['http://110.0.0.1/', false],
    ['http://172.31.255.255/', true],
    ['http://172.32.0.1/', false],
    ['http://192.168.1.7/', true],
    ['http://192.168.1.70/', false],
    ['http://[::1]:8080/', true],
    ['http://[::1]:8081/', false],
    ['http://intranet/', false],
  ];
  const noProxy =
    'corp.example, .sub.example, web*.glob.example, host.example:8443, secure.example:443, 10.0.0.0/8, ' +
    '172.16.0.0/12, 192.168.1.7, [::1]:8080';

  it('are judged by .NET exactly as documented', async () => {
    const answer = await applyAndRequest(
      { env: { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy } },
      { checks: table.map(([url]) => url) },
    );
    expect(answer.bypassed.map((bypassed, i) => [table[i]?.[0], bypassed])).toEqual(table);
  });

  it('<local> bypasses host names without a dot through WebProxy bypassOnLocal', async () => {
    const answer = await applyAndRequest(
      { flags: { proxyUrl: proxy.url, bypass: '<local>' } },
      { checks: ['http://intranet/', 'http://corp.example/'] },
    );
    expect(answer.bypassed).toEqual([true, false]);
  });
});
