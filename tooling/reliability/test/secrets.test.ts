/**
 * Secrets: a distinctive password, new every run, goes through every way exo-connect takes one — a library
 * connect (rps and module, good and failing, with node-powershell's debug log on), `exo run` with
 * --password-stdin, EXO_PASSWORD and the masked prompt on a real terminal, `exo shell` and `exo doctor` (with
 * DEBUG=*) — and must appear nowhere: no process's argv or environment (/proc, sampled while each runs), no
 * stdout, stderr, error object, event, node-powershell history, PSReadLine history, and no file under the
 * temporary HOME (config, state, cache, temp) or the sandbox tenant, in UTF-8 or UTF-16LE.
 *
 * Writes results/secrets.json: { suite, checks: [{ where, unit, scanned, found }] }.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { type ConnectOptions, connect, ExoError } from '@exo-connect/core';
import {
  createSandboxApp,
  SANDBOX_DEMO_CREDENTIAL,
  type SandboxServer,
  sandboxEnvironment,
  startSandboxServer,
} from '@exo-connect/sandbox';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestTenant,
  EXO_BIN,
  type ExoResult,
  findSecret,
  isolatedEnv,
  prepareIsolatedHome,
  runExo,
  scanTree,
  type TestTenant,
  writeResult,
} from './support/common.js';
import { ProcWatcher } from './support/sec-proc-watch.js';
import { createSandboxAccounts, type SandboxAccount } from './support/sec-sandbox-user.js';
import { startTerminal, type TerminalSession } from './support/sec-tmux.js';

const PASSWORD = `Zq9!${randomBytes(6).toString('base64url')}-exo-canary-${randomBytes(9).toString('hex')}`;
const LIBRARY_CHILD = fileURLToPath(new URL('./support/sec-library-child.mjs', import.meta.url));

interface Check {
  where: string;
  unit: 'processes' | 'bytes' | 'files' | 'objects';
  scanned: number;
  found: number;
  /** Where it was found (file names, process commands); never the secret. */
  hits?: string[];
}

const checks: Check[] = [];
let tenant: TestTenant;
let home: string;
let reports: string;
let env: Record<string, string>;
let account: SandboxAccount;
const watcher = new ProcWatcher(PASSWORD);

function check(where: string, unit: Check['unit'], scanned: number, hits: string[]): Check {
  const entry: Check = { where, unit, scanned, found: hits.length, ...(hits.length ? { hits } : {}) };
  checks.push(entry);
  return entry;
}

/** Records stdout and stderr of a run as two checks. */
function checkOutput(label: string, run: Pick<ExoResult, 'stdout' | 'stderr'>): Check[] {
  return (['stdout', 'stderr'] as const).map((stream) =>
    check(
      `${stream} of ${label}`,
      'bytes',
      Buffer.byteLength(run[stream]),
      findSecret(run[stream], PASSWORD).map((e) => `${stream} (${e})`),
    ),
  );
}

/** The processes checks for one scenario: argv and environment of each process seen while it ran. */
function checkProcesses(label: string, before: { seen: number; hits: number }): Check[] {
  const seen = [...watcher.seen.keys()].length - before.seen;
  const hits = watcher.hits.slice(before.hits);
  return [
    check(
      `argv (/proc/<pid>/cmdline) of each process during ${label}`,
      'processes',
      seen,
      hits.filter((h) => h.file === 'cmdline').map((h) => `${h.pid} ${h.command}`),
    ),
    check(
      `environment (/proc/<pid>/environ) of each process during ${label}`,
      'processes',
      seen,
      hits.filter((h) => h.file === 'environ').map((h) => `${h.pid} ${h.command}`),
    ),
  ];
}

function mark() {
  return { seen: watcher.seen.size, hits: watcher.hits.length };
}

beforeAll(async () => {
  home = await makeTempDir('exo-sec-home-');
  reports = await makeTempDir('exo-sec-reports-');
  await prepareIsolatedHome(home);
  tenant = await createTestTenant(5);
  // The account signs in with the distinctive password; New-Mailbox receives it over the secret channel.
  account = { name: 'secuser', userPrincipalName: 'secuser@sandbox.exo.localhost', password: PASSWORD };
  await createSandboxAccounts(tenant.env, [account]);
  // DEBUG=*: the debug log of node-powershell (child-shell) and of oclif; exo has no other log switch.
  env = isolatedEnv(home, { EXO_SANDBOX_DIR: tenant.directory, DEBUG: '*' });
  watcher.start(100);
});

afterAll(async () => {
  watcher.stop();
  // Everything on disk, after every scenario: the temporary HOME (config, XDG state/data/cache, PSReadLine,
  // TMPDIR with the side-channel sockets) and the sandbox tenant.
  for (const [label, dir] of [
    ['the temporary HOME (config, state, data incl. PSReadLine, cache, TMPDIR)', home],
    ['the sandbox tenant directory', tenant?.directory],
  ] as const) {
    if (!dir) continue;
    const scan = await scanTree(dir, PASSWORD);
    check(
      `files under ${label}`,
      'files',
      scan.files,
      scan.hits.map((h) => `${h.file} (${h.encodings.join(', ')})`),
    );
    check(`bytes under ${label}`, 'bytes', scan.bytes, []);
  }
  check(
    'argv and environment of every process seen during the suite',
    'processes',
    watcher.seen.size,
    watcher.hits.map((h) => `${h.file} of ${h.pid} ${h.command}`),
  );
  await writeResult('secrets', {
    suite: 'secrets',
    generatedAt: new Date().toISOString(),
    passwordLength: PASSWORD.length,
    procSamples: watcher.samples,
    checks,
  });
  await tenant?.remove();
  await rm(home, { recursive: true, force: true });
  await rm(reports, { recursive: true, force: true });
});

describe('the library (a Node process of its own, DEBUG=*)', () => {
  it('connects and fails to connect, by both strategies, without the password in any output, error, event or history', async () => {
    const before = mark();
    const reportPath = join(reports, 'library.json');
    const run = await runExo([], {
      env,
      input: JSON.stringify({
        userPrincipalName: account.userPrincipalName,
        password: PASSWORD,
        wrongUser: SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
        reportPath,
      }),
      timeoutMs: 240_000,
      script: LIBRARY_CHILD,
    });
    watcher.sample();
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout).toContain(
      'connect with a credential provider (rps)=ok; connect (module)=ok; ' +
        'failing connect: wrong password (rps)=AUTH_FAILED; failing connect: wrong password (module)=AUTH_FAILED',
    );
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as {
      scenarios: Array<{
        name: string;
        events: string[];
        historySnapshots: string[];
        errors: Array<Record<string, string | undefined>>;
      }>;
    };
    const all = (pick: (s: (typeof report.scenarios)[number]) => string[]) =>
      report.scenarios.flatMap((s) => pick(s).map((text) => ({ name: s.name, text })));
    const hitsIn = (items: Array<{ name: string; text: string }>) =>
      items.filter((i) => findSecret(i.text, PASSWORD).length).map((i) => i.name);
    const errors = all((s) => s.errors.flatMap((e) => Object.values(e).filter((v): v is string => !!v)));
    const events = all((s) => s.events);
    const histories = all((s) => s.historySnapshots);
    const results = [
      ...checkOutput('the library process (node-powershell debug log on stdout)', run),
      ...checkProcesses('the library connects', before),
      check(
        'thrown errors and their cause chains (JSON.stringify, util.inspect, String, stack, details)',
        'objects',
        errors.length,
        hitsIn(errors),
      ),
      check('connection events (onEvent)', 'objects', events.length, hitsIn(events)),
      check(
        "node-powershell's command history, at every event and after each step",
        'objects',
        histories.length,
        hitsIn(histories),
      ),
    ];
    // The checks looked at something real: errors were thrown, and the debug log was on.
    expect(errors.length).toBeGreaterThan(0);
    expect(histories.length).toBeGreaterThan(10);
    // node-powershell's debug log (DEBUG=*) goes to stderr: stdout is for data.
    expect(run.stderr).toMatch(/PWSH:\d+/);
    expect(results.filter((r) => r.found)).toEqual([]);
  });
});

describe('the exo command (spawned, DEBUG=*)', () => {
  const runArgs = [
    'run',
    'Get-Mailbox',
    '-o',
    'json',
    '-u',
    'secuser@sandbox.exo.localhost',
    '--',
    '-Identity',
    'secuser',
  ];

  it('exo run --password-stdin', async () => {
    const before = mark();
    const run = await runExo([...runArgs.slice(0, 6), '--password-stdin', ...runArgs.slice(6)], {
      env,
      input: `${PASSWORD}\n`,
    });
    watcher.sample();
    expect(run.code, run.stderr.slice(-1500)).toBe(0);
    expect(run.stdout).toContain('secuser@sandbox.exo.localhost');
    const results = [
      ...checkOutput('exo run --password-stdin', run),
      ...checkProcesses('exo run --password-stdin', before),
    ];
    expect(results.filter((r) => r.found)).toEqual([]);
  });

  it('exo run --strategy rest --password-stdin (the sandbox REST face exo starts), and a wrong password', async () => {
    const before = mark();
    const good = await runExo(
      [...runArgs.slice(0, 6), '--strategy', 'rest', '--password-stdin', ...runArgs.slice(6)],
      { env, input: `${PASSWORD}\n` },
    );
    const wrong = await runExo(
      [
        'run',
        'Get-Mailbox',
        '-u',
        account.userPrincipalName,
        '--strategy',
        'rest',
        '--password-stdin',
        '--json',
      ],
      { env, input: `${PASSWORD}-wrong\n` },
    );
    watcher.sample();
    expect(good.code, good.stderr.slice(-1500)).toBe(0);
    expect(good.stdout).toContain('secuser@sandbox.exo.localhost');
    expect(wrong.code).toBe(3);
    expect(wrong.stdout).toContain('"AUTH_FAILED"');
    const results = [
      ...checkOutput('exo run --strategy rest --password-stdin', good),
      ...checkOutput('exo run --strategy rest, wrong password', wrong),
      ...checkProcesses('exo run --strategy rest', before),
    ];
    expect(results.filter((r) => r.found)).toEqual([]);
  });

  it('exo run with a wrong password (AUTH_FAILED, exit 3)', async () => {
    const before = mark();
    const run = await runExo(
      ['run', 'Get-Mailbox', '-u', SANDBOX_DEMO_CREDENTIAL.userPrincipalName, '--password-stdin', '--json'],
      { env, input: PASSWORD },
    );
    watcher.sample();
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('"AUTH_FAILED"');
    const results = [
      ...checkOutput('exo run, wrong password', run),
      ...checkProcesses('exo run, wrong password', before),
    ];
    expect(results.filter((r) => r.found)).toEqual([]);
  });

  it('exo run with EXO_PASSWORD: only exo itself holds it; no pwsh or other child gets it in env or argv', async () => {
    const before = mark();
    const run = await runExo(runArgs, {
      env: { ...env, EXO_PASSWORD: PASSWORD },
      onSpawn: (child) => {
        if (child.pid) watcher.environExempt.add(child.pid);
      },
    });
    watcher.sample();
    expect(run.code, run.stderr.slice(-1500)).toBe(0);
    const results = [
      ...checkOutput('exo run with EXO_PASSWORD', run),
      ...checkProcesses(
        "exo run with EXO_PASSWORD (exo's own environment excepted: it is where the user put it)",
        before,
      ),
    ];
    expect(results.filter((r) => r.found)).toEqual([]);
  });

  it('exo doctor (text and --json) with EXO_PASSWORD set', async () => {
    const before = mark();
    const doctorEnv = { ...env, EXO_PASSWORD: PASSWORD };
    const exempt = (child: { pid?: number }) => {
      if (child.pid) watcher.environExempt.add(child.pid);
    };
    const text = await runExo(['doctor'], { env: doctorEnv, onSpawn: exempt });
    const json = await runExo(['doctor', '--json'], { env: doctorEnv, onSpawn: exempt });
    watcher.sample();
    expect(text.stdout).toContain('exo doctor');
    expect(JSON.parse(json.stdout.slice(json.stdout.indexOf('{')))).toHaveProperty('checks');
    const results = [
      ...checkOutput('exo doctor', text),
      ...checkOutput('exo doctor --json', json),
      ...checkProcesses("exo doctor (exo's own environment excepted)", before),
    ];
    expect(results.filter((r) => r.found)).toEqual([]);
  });

  it('exo shell with commands piped in and EXO_PASSWORD', async () => {
    const before = mark();
    const run = await runExo(['shell', '-u', account.userPrincipalName], {
      env: { ...env, EXO_PASSWORD: PASSWORD },
      input: "Get-Mailbox -Identity secuser | ForEach-Object { 'alias=' + $_.Alias }\nexit\n",
      onSpawn: (child) => {
        if (child.pid) watcher.environExempt.add(child.pid);
      },
    });
    watcher.sample();
    expect(run.stdout + run.stderr).toContain('alias=secuser');
    const results = [
      ...checkOutput('exo shell (piped)', run),
      ...checkProcesses("exo shell (piped, exo's own environment excepted)", before),
    ];
    expect(results.filter((r) => r.found)).toEqual([]);
  });
});

describe('on a real terminal (tmux): the masked prompt', () => {
  async function onTerminal(label: string, args: string[], work: (t: TerminalSession) => Promise<void>) {
    const before = mark();
    const terminal = startTerminal(
      `exo-sec-${label.replace(/\W+/g, '-')}-${process.pid}`,
      [process.execPath, EXO_BIN, ...args],
      env,
    );
    watcher.roots.add(terminal.panePid);
    try {
      await terminal.waitFor(`Password for ${account.userPrincipalName}:`);
      terminal.paste(PASSWORD);
      terminal.key('Enter');
      await work(terminal);
      const screen = await terminal.waitFor(/EXIT=\d+/, 90_000);
      watcher.sample();
      const results = [
        check(
          `the terminal screen and scrollback of ${label}`,
          'bytes',
          Buffer.byteLength(screen),
          findSecret(screen, PASSWORD).map((e) => `screen (${e})`),
        ),
        ...checkProcesses(label, before),
      ];
      expect(screen).toContain('EXIT=0');
      expect(results.filter((r) => r.found)).toEqual([]);
    } finally {
      watcher.roots.delete(terminal.panePid);
      terminal.kill();
    }
  }

  it('exo run asks for the password like Get-Credential, masked', async () => {
    await onTerminal(
      'exo run at the prompt',
      ['run', 'Get-Mailbox', '-o', 'json', '-u', account.userPrincipalName, '--', '-ResultSize', '1'],
      async (t) => {
        await t.waitFor('"PrimarySmtpAddress"', 90_000);
      },
    );
  });

  it('exo shell: the prompt, a command at the pwsh prompt, exit; PSReadLine history holds no password', async () => {
    await onTerminal('exo shell at the prompt', ['shell', '-u', account.userPrincipalName], async (t) => {
      await t.waitFor(/PS .*> *$/m, 90_000);
      t.type("Get-Mailbox -Identity secuser | ForEach-Object { 'alias=' + $_.Alias }");
      t.key('Enter');
      await t.waitFor('alias=secuser', 60_000);
      t.type('exit');
      t.key('Enter');
    });
    const history = join(home, '.local', 'share', 'powershell', 'PSReadLine', 'ConsoleHost_history.txt');
    expect(existsSync(history)).toBe(true);
    const text = await readFile(history);
    // The history is real (it holds the command typed), and not the password.
    expect(text.toString('utf8')).toContain("'alias=' + $_.Alias");
    const result = check(
      "PSReadLine's history file under the temporary HOME",
      'bytes',
      text.length,
      findSecret(text, PASSWORD).map((e) => `ConsoleHost_history.txt (${e})`),
    );
    expect(result.found).toBe(0);
  });
});

/** openssl writes the .pfx; its password goes on stdin, not argv or the environment. */
function pkcs12(pem: string, out: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'openssl',
      ['pkcs12', '-export', '-in', pem, '-inkey', pem, '-out', out, '-passout', 'stdin'],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`openssl pkcs12: ${err}`))));
    child.stdin.end(`${password}\n`);
  });
}

/** An access token for the account, from the sandbox's token endpoint (a password grant, as a script would). */
async function passwordGrantToken(
  server: SandboxServer,
  username: string,
  password: string,
): Promise<string> {
  const ca = await readFile(server.caPath, 'utf8');
  const body = new URLSearchParams({
    grant_type: 'password',
    client_id: 'fb78d390-0c51-40cd-8e17-fdbfab77341b',
    scope: server.scope,
    username,
    password,
  }).toString();
  const text = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest(`${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      ca,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end(body);
  });
  const token = (JSON.parse(text) as { access_token?: string }).access_token;
  if (!token) throw new Error(`no access token: ${text.slice(0, 200)}`);
  return token;
}

describe('the rest strategy (the sandbox REST face, no pwsh of the connection)', () => {
  // Each secret the rest strategy takes is a distinctive marker of its own; a wrong one contains the right one,
  // so that a failed sign-in that echoed what it was given is found too.
  const CERT_PASSWORD = `Cq7!${randomBytes(9).toString('base64url')}-exo-cert-canary-${randomBytes(6).toString('hex')}`;
  let server: SandboxServer;
  let certDir: string;
  let pfxPath: string;
  let clientSecret: string;
  let accessToken: string;
  let secretApp: Awaited<ReturnType<typeof createSandboxApp>>;
  let certApp: Awaited<ReturnType<typeof createSandboxApp>>;
  const markers = new Map<string, string>();
  const watchers = new Map<string, ProcWatcher>();
  const texts: Array<{ where: 'events' | 'errors'; name: string; text: string }> = [];

  const scan = (text: string) =>
    [...markers].filter(([, marker]) => findSecret(text, marker).length).map(([name]) => name);

  /** Every way an error could show a secret: its JSON, util.inspect of its cause chain, String and stack. */
  const errorTexts = (error: unknown): string[] => [
    JSON.stringify(error) ?? '',
    inspect(error, { depth: 8, showHidden: true }),
    String(error),
    (error as Error)?.stack ?? '',
    JSON.stringify((error as ExoError)?.details ?? {}),
  ];

  async function scenario(name: string, credential: ConnectOptions['credential'], extraEnv = {}) {
    const events: string[] = [];
    try {
      const exo = await connect({
        environment: sandboxEnvironment({ server }),
        strategy: 'rest',
        credential,
        env: { ...env, ...extraEnv },
        handleSignals: false,
        onEvent: (event) => events.push(JSON.stringify(event)),
      });
      try {
        await exo.invoke('Get-Mailbox', { ResultSize: 1 });
        await exo
          .batch([{ cmdlet: 'Get-Mailbox', parameters: { Identity: 'no-such-mailbox-sec' } }])
          .then((results) => {
            for (const r of results)
              if (!r.ok) for (const t of errorTexts(r.error)) texts.push({ where: 'errors', name, text: t });
          });
      } finally {
        await exo.disconnect();
      }
      texts.push(...events.map((text) => ({ where: 'events' as const, name, text })));
      return 'ok';
    } catch (error) {
      texts.push(...events.map((text) => ({ where: 'events' as const, name, text })));
      for (const text of errorTexts(error)) texts.push({ where: 'errors', name, text });
      return ExoError.is(error) ? error.code : 'untyped';
    }
  }

  beforeAll(async () => {
    server = await startSandboxServer({ directory: tenant.directory, env: tenant.env, workers: 1 });
    secretApp = await createSandboxApp({
      directory: tenant.directory,
      displayName: 'sec-rest-secret',
      withSecret: true,
    });
    certApp = await createSandboxApp({
      directory: tenant.directory,
      displayName: 'sec-rest-cert',
      withCertificate: true,
    });
    clientSecret = secretApp.secret!;
    // The .pfx is the test's own file (and so is its key): written outside the scanned directories.
    certDir = await makeTempDir('exo-sec-cert-');
    const pem = join(certDir, 'app.pem');
    pfxPath = join(certDir, 'app.pfx');
    await writeFile(pem, `${certApp.certificatePem}\n${certApp.privateKeyPem}\n`, { mode: 0o600 });
    await pkcs12(pem, pfxPath, CERT_PASSWORD);
    accessToken = await passwordGrantToken(server, account.userPrincipalName, PASSWORD);
    markers.set('password', PASSWORD);
    markers.set('client secret', clientSecret);
    markers.set('certificate password', CERT_PASSWORD);
    markers.set('access token', accessToken);
    for (const [name, marker] of markers) {
      if (name === 'password') continue; // the suite's own watcher looks for the password all along
      const w = new ProcWatcher(marker);
      w.start(100);
      watchers.set(name, w);
    }
  }, 180_000);

  afterAll(async () => {
    for (const w of watchers.values()) w.stop();
    await server?.stop();
    for (const [name, w] of watchers)
      check(
        `argv and environment of every process seen during the rest scenarios (${name})`,
        'processes',
        w.seen.size,
        w.hits.map((h) => `${h.file} of ${h.pid} ${h.command}`),
      );
    for (const [label, dir] of [
      ['the temporary HOME', home],
      ['the sandbox tenant directory (its REST face keeps hashes only)', tenant?.directory],
    ] as const) {
      for (const [name, marker] of markers) {
        if (name === 'password' || !dir) continue; // the suite's afterAll scans for the password
        const found = await scanTree(dir, marker);
        check(
          `files under ${label} (${name})`,
          'files',
          found.files,
          found.hits.map((h) => `${h.file} (${h.encodings.join(', ')})`),
        );
      }
    }
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  it('signs in by password, client secret, certificate (.pfx with a password) and access token, and fails with wrong ones, showing no secret in any event or error', async () => {
    const outcomes = {
      password: await scenario('password', {
        userPrincipalName: account.userPrincipalName,
        password: PASSWORD,
      }),
      'wrong password': await scenario('wrong password', {
        userPrincipalName: account.userPrincipalName,
        password: `${PASSWORD}-wrong`,
      }),
      'client secret': await scenario('client secret', {
        kind: 'clientSecret',
        appId: secretApp.clientId,
        organization: server.organization,
        clientSecret,
      }),
      'wrong client secret': await scenario('wrong client secret', {
        kind: 'clientSecret',
        appId: secretApp.clientId,
        organization: server.organization,
        clientSecret: `${clientSecret}-wrong`,
      }),
      certificate: await scenario('certificate', {
        kind: 'certificate',
        appId: certApp.clientId,
        organization: server.organization,
        certificateFilePath: pfxPath,
        certificatePassword: CERT_PASSWORD,
      }),
      'wrong certificate password': await scenario('wrong certificate password', {
        kind: 'certificate',
        appId: certApp.clientId,
        organization: server.organization,
        certificateFilePath: pfxPath,
        certificatePassword: `${CERT_PASSWORD}-wrong`,
      }),
      'access token': await scenario('access token', {
        kind: 'accessToken',
        accessToken,
        organization: server.organization,
      }),
    };
    for (const w of watchers.values()) w.sample();
    watcher.sample();
    expect(outcomes).toMatchObject({
      password: 'ok',
      'wrong password': 'AUTH_FAILED',
      'client secret': 'ok',
      'wrong client secret': 'AUTH_FAILED',
      certificate: 'ok',
      'access token': 'ok',
    });
    expect(outcomes['wrong certificate password']).not.toBe('ok');
    const found = (where: 'events' | 'errors') =>
      texts
        .filter((t) => t.where === where)
        .flatMap((t) => scan(t.text).map((m) => `${m} in ${where} of ${t.name}`));
    const results = [
      check(
        'rest: connection events (onEvent) of every sign-in, good and failing',
        'objects',
        texts.filter((t) => t.where === 'events').length,
        found('events'),
      ),
      check(
        'rest: thrown errors (failed sign-ins, cmdlet errors) and their cause chains',
        'objects',
        texts.filter((t) => t.where === 'errors').length,
        found('errors'),
      ),
    ];
    expect(texts.filter((t) => t.where === 'errors').length).toBeGreaterThan(0);
    expect(results.filter((r) => r.found)).toEqual([]);
  }, 300_000);
});
