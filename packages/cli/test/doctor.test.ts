import { createServer, type Server } from 'node:net';
import { validateEnvironment } from '@exo-connect/env-endpoints';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../src/doctor/doctor.js';
import { createKeychain } from '../src/keychain/keychain.js';

function listen(onConnection: (socket: import('node:net').Socket) => void = (s) => s.end()): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(onConnection);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (server: Server) => (server.address() as { port: number }).port;

function environmentAt(port: number) {
  return validateEnvironment({
    id: 'loopback-lab',
    displayName: 'Loopback lab',
    defaultStrategy: 'rps',
    rps: {
      connectionUri: `https://127.0.0.1:${port}/powershell/`,
      authentication: 'Basic',
      allowRedirection: false,
    },
    documentation: 'https://example.com/loopback-lab',
  });
}

const noProxy = { HTTPS_PROXY: '', HTTP_PROXY: '', https_proxy: '', http_proxy: '' };

describe('runDoctor', () => {
  let https: Server;
  let http: Server;
  let closedPort: number;
  let tunnels: string[];
  let proxy: Server;

  beforeAll(async () => {
    https = await listen();
    http = await listen();
    const closed = await listen();
    closedPort = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    tunnels = [];
    proxy = await listen((socket) => {
      socket.once('data', (chunk) => {
        tunnels.push(chunk.toString('latin1').split('\r\n')[0]!);
        socket.end('HTTP/1.1 200 Connection established\r\n\r\n');
      });
    });
  });
  afterAll(async () => {
    for (const server of [https, http, proxy]) await new Promise((resolve) => server.close(resolve));
  });

  it('passes every check on a healthy setup with reachable endpoints', async () => {
    const report = await runDoctor({
      environment: environmentAt(portOf(https)),
      strategy: 'rps',
      env: { ...process.env, ...noProxy },
      httpPort: portOf(http),
      timeoutMs: 2_000,
      checkConfig: async () => '/tmp/config.json (2 profiles)',
      local: false,
    });
    const names = report.checks.map((c) => c.name);
    expect(names).toEqual([
      'pwsh',
      'execution policy',
      'ExchangeOnlineManagement',
      'WSMan',
      'proxy',
      `reach 127.0.0.1:${portOf(https)}`,
      `reach 127.0.0.1:${portOf(http)}`,
      'config',
    ]);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName.pwsh!.ok).toBe(true);
    expect(byName['execution policy']!.detail).toMatch(/not applicable|Bypass/);
    expect(byName.proxy).toMatchObject({ ok: true, detail: 'no proxy' });
    expect(byName[`reach 127.0.0.1:${portOf(https)}`]).toMatchObject({ ok: true });
    // pwsh on Linux has no WSMan client: rps to a real endpoint cannot work, and doctor says so.
    if (process.platform !== 'win32') {
      expect(byName.WSMan).toMatchObject({
        ok: false,
        remediation: expect.stringContaining('module strategy'),
      });
    }
  });

  it('reports each broken part with a remedy and fails overall', async () => {
    const report = await runDoctor({
      environment: environmentAt(closedPort),
      strategy: 'module',
      env: { ...process.env, ...noProxy, EXO_PWSH: '/nonexistent/pwsh' },
      httpPort: closedPort,
      timeoutMs: 2_000,
      checkConfig: async () => {
        throw Object.assign(new Error('config.json: profiles.work.environment: must be a string'), {});
      },
    });
    expect(report.ok).toBe(false);
    const pwsh = report.checks.find((c) => c.name === 'pwsh')!;
    expect(pwsh).toMatchObject({ ok: false, remediation: expect.stringContaining('Install PowerShell') });
    const reach = report.checks.find((c) => c.name.startsWith('reach'))!;
    expect(reach.ok).toBe(false);
    expect(reach.detail).toContain('ECONNREFUSED');
    expect(reach.remediation).toContain(`TCP port ${closedPort}`);
    expect(report.checks.find((c) => c.name === 'config')).toMatchObject({ ok: false });
  });

  it('checks reachability through the configured proxy', async () => {
    tunnels.length = 0;
    const report = await runDoctor({
      environment: environmentAt(closedPort),
      strategy: 'rps',
      env: {
        ...process.env,
        ...noProxy,
        EXO_PWSH: '/nonexistent/pwsh',
        HTTPS_PROXY: `http://127.0.0.1:${portOf(proxy)}`,
      },
      httpPort: closedPort,
      timeoutMs: 2_000,
    });
    const proxyCheck = report.checks.find((c) => c.name === 'proxy')!;
    expect(proxyCheck.detail).toContain(`proxy 127.0.0.1:${portOf(proxy)}`);
    const reach = report.checks.find((c) => c.name.startsWith('reach'))!;
    expect(reach).toMatchObject({ ok: true });
    expect(reach.detail).toContain(`via 127.0.0.1:${portOf(proxy)}`);
    expect(tunnels).toContain(`CONNECT 127.0.0.1:${closedPort} HTTP/1.1`);
  });

  it('checks the REST admin API and the authority for the rest strategy, and needs no pwsh for it', async () => {
    const api = portOf(https);
    const environment = validateEnvironment({
      id: 'loopback-rest',
      displayName: 'Loopback REST lab',
      defaultStrategy: 'rest',
      rest: {
        apiUrl: `https://127.0.0.1:${api}`,
        authority: `https://127.0.0.1:${closedPort}`,
        scope: `https://127.0.0.1:${api}/.default`,
      },
      documentation: 'https://example.com/loopback-rest',
    });
    const env = { ...process.env, ...noProxy, EXO_PWSH: '/nonexistent/pwsh', PATH: '/nonexistent' };
    const report = await runDoctor({
      environment,
      strategy: 'rest',
      env,
      httpPort: portOf(http),
      timeoutMs: 2_000,
      keychain: createKeychain({ env, platform: 'linux' }),
    });
    expect(report.checks.map((c) => c.name)).toEqual([
      'pwsh',
      'proxy',
      `reach 127.0.0.1:${api}`,
      `reach 127.0.0.1:${closedPort}`,
      'token cache',
    ]);
    expect(report.checks.at(-1)).toMatchObject({
      ok: true,
      detail: expect.stringContaining('secret-tool (libsecret) is not on PATH; every run signs in again'),
    });
    const [pwsh, , apiCheck, authority] = report.checks;
    expect(pwsh).toMatchObject({ ok: true, detail: expect.stringContaining('does not need it') });
    expect(apiCheck).toMatchObject({ ok: true, detail: expect.stringContaining('REST admin API') });
    expect(authority).toMatchObject({ ok: false, detail: expect.stringContaining('sign-in') });
    expect(report.ok).toBe(false);
  });

  it('says so when the environment has no REST admin API', async () => {
    const report = await runDoctor({
      environment: environmentAt(portOf(https)),
      strategy: 'rest',
      env: { ...process.env, ...noProxy, EXO_PWSH: '/nonexistent/pwsh' },
      timeoutMs: 2_000,
    });
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'REST admin API')).toMatchObject({
      ok: false,
      detail: 'environment "loopback-lab" has no rest endpoint',
      remediation: expect.stringContaining('--strategy module'),
    });
  });
});
