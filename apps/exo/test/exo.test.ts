import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { createSandboxApp, SANDBOX_DEMO_CREDENTIAL } from '@exo-connect/sandbox';
import { installFakeSecretTool, makeTempDir, waitFor } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, exo, spawn } from './helpers.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = await makeTempDir('exo-app-');
  env = {
    EXO_SANDBOX_DIR: join(home, 'tenant'),
    EXO_CONFIG_DIR: join(home, 'config'),
    EXO_PASSWORD: '',
    HTTPS_PROXY: '',
    HTTP_PROXY: '',
    // Never the developer's own keychain: no session bus (the keychain test brings its own stand-in).
    DBUS_SESSION_BUS_ADDRESS: '',
    XDG_RUNTIME_DIR: join(home, 'runtime'),
  };
  // The first run creates the sandbox tenant, as on a fresh machine.
  const first = await exo(['run', 'Get-Mailbox', '-o', 'json', '--', '-ResultSize', '3'], env);
  expect(first.stderr).toContain('creating the sandbox tenant');
  expect(first.code).toBe(0);
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('exo basics', () => {
  it('prints its version', async () => {
    const result = await exo(['--version'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`@exo-connect/exo/${pkg.version}`);
  });

  it('lists every command in its help', async () => {
    const result = await exo(['--help'], env);
    expect(result.code).toBe(0);
    for (const topic of ['run', 'shell', 'doctor', 'endpoints', 'sandbox', 'profile', 'autocomplete']) {
      expect(result.stdout).toMatch(new RegExp(`\\n\\s+${topic}\\s`));
    }
  });

  it('rejects an unknown command with INVALID_ARGUMENT (exit 2), naming the closest one', async () => {
    const result = await exo(['docter'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"exo docter" is not an exo command. Did you mean "exo doctor"?');
  });
});

describe('exo run --strategy rest against the sandbox', () => {
  it("runs the cmdlet over the sandbox's REST face (started for the command, stopped after), no PowerShell session", async () => {
    const result = await exo(
      ['run', 'Get-Mailbox', '--strategy', 'rest', '-o', 'json', '--', '-ResultSize', '3'],
      env,
    );
    expect(result.stderr).toContain('✓ policy: not applicable: the rest strategy runs no PowerShell');
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout);
    expect(rows).toHaveLength(3);
    expect(rows[0].PrimarySmtpAddress).toBe('admin@sandbox.exo.localhost');
    expect(result.stderr).toContain('✓ credential: admin@sandbox.exo.localhost');
    expect(result.stderr).toMatch(/Importing cmdlets.*100%|✓ import/);
    expect(result.stderr).toContain('✓ disconnected');
    // The REST face ran for this command only: its state file is gone with it.
    expect(existsSync(join(env.EXO_SANDBOX_DIR!, 'rest', 'server.json'))).toBe(false);
  });

  it('signs in app-only with --app-id, --organization and the client secret on stdin, which appears nowhere', async () => {
    const app = await createSandboxApp({
      directory: env.EXO_SANDBOX_DIR!,
      displayName: 'exo-cli-app',
      withSecret: true,
    });
    const manifest = JSON.parse(readFileSync(join(env.EXO_SANDBOX_DIR!, 'tenant.json'), 'utf8'));
    const organization = manifest.Organization.Name as string;
    const args = ['run', 'Get-Mailbox', '--strategy', 'rest', '-o', 'json', '--app-id', app.clientId];
    const result = await exo(
      [...args, '--organization', organization, '--password-stdin', '--', '-ResultSize', '2'],
      env,
      `${app.secret}\n`,
    );
    expect(result.stderr).toContain(`as app ${app.clientId} (client secret), tenant ${organization}`);
    expect(result.stderr).toContain(`✓ credential: client secret for app ${app.clientId}`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(2);
    expect(result.stdout + result.stderr).not.toContain(app.secret!);

    const wrong = await exo(
      [...args, '--organization', organization, '--password-stdin', '--json', '--', '-ResultSize', '1'],
      env,
      'not-the-client-secret\n',
    );
    expect(wrong.code).toBe(3);
    expect(JSON.parse(wrong.stdout).error).toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringContaining('AADSTS7000215'),
    });
    expect(wrong.stdout + wrong.stderr).not.toContain('not-the-client-secret');

    const alone = await exo(
      ['run', 'Get-Mailbox', '--strategy', 'rest', '--app-id', app.clientId, '--json'],
      env,
    );
    expect(alone.code).toBe(2);
    expect(JSON.parse(alone.stdout).error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('--organization'),
    });
  });

  it('refuses exo shell --strategy rest with a remedy (no PowerShell session to hand over)', async () => {
    const result = await exo(['shell', '--strategy', 'rest', '--json'], env);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      remediation: expect.stringContaining('--strategy module'),
    });
  });
});

describe('exo run against the sandbox', () => {
  it('says it uses the sandbox, shows each step on stderr and only data on stdout', async () => {
    const result = await exo(['run', 'Get-Mailbox', '-o', 'json', '--', '-ResultSize', '3'], env);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout);
    expect(rows).toHaveLength(3);
    expect(rows[0].PrimarySmtpAddress).toBe('admin@sandbox.exo.localhost');
    expect(result.stderr).toContain('no profile configured: using the local sandbox tenant');
    for (const line of [
      '✓ policy: not applicable',
      '✓ credential: admin@sandbox.exo.localhost',
      '✓ session',
      '✓ import',
      '✓ disconnected',
    ]) {
      expect(result.stderr).toContain(line);
    }
    expect(result.stderr).toMatch(/implicit remoting module.*100%/);
    expect(result.stderr).not.toContain('\u001b[');
  });

  it('prints ndjson, one object per line', async () => {
    const result = await exo(['run', 'Get-Mailbox', '-o', 'ndjson', '-q', '--', '-ResultSize', '4'], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => JSON.parse(l).Alias)).toEqual(expect.arrayContaining(['admin']));
    // --quiet: no step or progress lines; the service's warnings still show (here: more results exist).
    expect(result.stderr).toBe(
      'WARNING: There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.\n',
    );
  });

  it('applies --query to the whole output before formatting; a bad one is INVALID_ARGUMENT before connecting', async () => {
    const count = await exo(
      ['run', 'Get-Mailbox', '-o', 'json', '--query', 'length(@)', '-q', '--', '-ResultSize', '4'],
      env,
    );
    expect(count.code).toBe(0);
    expect(count.stdout).toBe('4\n');
    const shaped = await exo(
      [
        'run',
        'Get-Mailbox',
        '-o',
        'csv',
        '--query',
        "[?Alias=='admin'].{Who: DisplayName, Alias: Alias}",
        '-q',
      ],
      env,
    );
    expect(shaped.code).toBe(0);
    expect(shaped.stdout).toBe('Who,Alias\r\nSandbox Admin,admin\r\n');
    const bad = await exo(['run', 'Get-Mailbox', '--query', 'a.b..c'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '✗ INVALID_ARGUMENT: --query is not a valid JMESPath expression (at character 5: "a.b.▸.c")',
    );
    // Refused before anything connected: no step ran.
    expect(bad.stderr).not.toContain('policy');
  });

  it('prints RFC 4180 csv with the chosen properties', async () => {
    const result = await exo(
      [
        'run',
        'Get-Mailbox',
        '-o',
        'csv',
        '-q',
        '--properties',
        'Alias,PrimarySmtpAddress',
        '--',
        '-ResultSize',
        '2',
      ],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.stdout.split('\r\n').slice(0, 3)).toEqual([
      'Alias,PrimarySmtpAddress',
      'admin,admin@sandbox.exo.localhost',
      expect.stringMatching(/^[^,]+,[^,]+@/),
    ]);
  });

  it('prints a table with sensible columns', async () => {
    const result = await exo(['run', 'Get-Mailbox', '-o', 'table', '-q', '--', '-ResultSize', '2'], env);
    expect(result.code).toBe(0);
    const [header, rule, first] = result.stdout.split('\n');
    expect(header).toMatch(/^Name\s+.*PrimarySmtpAddress/);
    expect(rule).toMatch(/^-+/);
    expect(first).toContain('admin@sandbox.exo.localhost');
  });

  it('passes PowerShell-style parameters as data: a filter and a write', async () => {
    const set = await exo(
      ['run', 'Set-Mailbox', '-q', '--', '-Identity', 'admin', '-CustomAttribute1', "O'Brien $(x) `n"],
      env,
    );
    expect(set.code).toBe(0);
    const get = await exo(
      ['run', 'Get-Mailbox', '-o', 'json', '-q', '--', '-Filter', "CustomAttribute1 -eq 'O''Brien $(x) `n'"],
      env,
    );
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout).map((m: { Alias: string }) => m.Alias)).toEqual(['admin']);
  });

  it('keeps parameters after -- in order when values repeat, and says that parameters go after --', async () => {
    // oclif re-sorts leftover arguments by first position: equal values used to swap places.
    const set = await exo(
      [
        'run',
        'Set-Mailbox',
        '-q',
        '--',
        '-Identity',
        'admin',
        '-CustomAttribute2',
        'same',
        '-Office',
        'B 1',
        '-CustomAttribute3',
        'same',
      ],
      env,
    );
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const get = await exo(['run', 'Get-Mailbox', 'admin', '-o', 'json', '-q'], env);
    const [mailbox] = JSON.parse(get.stdout) as Record<string, unknown>[];
    expect([mailbox?.CustomAttribute2, mailbox?.Office, mailbox?.CustomAttribute3]).toEqual([
      'same',
      'B 1',
      'same',
    ]);

    const before = await exo(
      ['run', 'Set-Mailbox', '-Identity', 'admin', '-Office', 'x', '-CustomAttribute2', 'x'],
      env,
    );
    expect(before.code).toBe(2);
    expect(before.stderr).toContain('✗ INVALID_ARGUMENT: Nonexistent flags: -Identity, -Office');
    expect(before.stderr).toContain("→ Write the cmdlet's parameters after --, e.g. exo run Set-Mailbox --");
  });
});

describe('exo errors', () => {
  it('refuses a bad cmdlet name with INVALID_ARGUMENT (exit 2) before connecting', async () => {
    const result = await exo(['run', 'Get-Mailbox;rm', '-q'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('✗ INVALID_ARGUMENT');
  });

  it('reports a wrong password as AUTH_FAILED (exit 3), as JSON with --json', async () => {
    const result = await exo(
      [
        'run',
        'Get-Mailbox',
        '--json',
        '-q',
        '-u',
        SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
        '--password-stdin',
      ],
      env,
      'not-the-password\n',
    );
    expect(result.code).toBe(3);
    const { error } = JSON.parse(result.stdout);
    expect(error).toEqual({
      code: 'AUTH_FAILED',
      message: expect.stringContaining('Access is denied'),
      remediation: expect.any(String),
    });
  });

  it('reports a missing password when stdin cannot prompt (exit 3)', async () => {
    const result = await exo(
      ['run', 'Get-Mailbox', '-q', '-u', SANDBOX_DEMO_CREDENTIAL.userPrincipalName],
      env,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('✗ CREDENTIAL_MISSING');
    expect(result.stderr).toContain('--password-stdin');
  });

  it('reports an unknown environment with the closest ids (exit 2)', async () => {
    const result = await exo(['run', 'Get-Mailbox', '-q', '-e', 'gcc-hihg'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('✗ UNKNOWN_ENVIRONMENT');
    expect(result.stderr).toContain('gcc-high');
  });

  it('reports a cmdlet error as CMDLET_ERROR (exit 7)', async () => {
    const result = await exo(['run', 'Get-Mailbox', '-q', '--', '-Identity', 'nobody-here'], env);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain("couldn't be found");
  });

  it('runs only the commands the session exported, and names missing mandatory parameters (exit 2)', async () => {
    const local = await exo(['run', 'Get-Content', '-q', '--', '-Path', '/etc/hostname'], env);
    expect(local.code).toBe(2);
    expect(local.stdout).toBe('');
    expect(local.stderr).toContain('✗ COMMAND_NOT_ALLOWED: Get-Content is not one of the');
    expect(local.stderr).toContain('--allow-command Get-Content');
    const missing = await exo(['run', 'New-Mailbox', '-q', '--', '-Name', 'x'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      '✗ INVALID_ARGUMENT: Cannot process command because of one or more missing mandatory parameters: MicrosoftOnlineServicesID Password.',
    );
    expect(missing.stderr).toContain('→ Pass the missing parameters: -MicrosoftOnlineServicesID, -Password');
  });

  it('disconnects on Ctrl+C and exits 130, leaving no session', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'run', 'Start-Sleep', '--allow-command', 'Start-Sleep', '--', '-Seconds', '60'],
      {
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && stderr.includes('✓ import')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain('✓ disconnected');
    expect(stderr).toContain('✗ ABORTED');
    const status = await exo(['sandbox', 'status', '--json'], env);
    expect(JSON.parse(status.stdout).sessions).toEqual([]);
  });
});

describe('exo endpoints, profiles, sandbox and doctor', () => {
  it('lists and shows endpoints', async () => {
    const list = await exo(['endpoints', 'list', '--json'], env);
    expect(list.code).toBe(0);
    const ids = JSON.parse(list.stdout).map((e: { Id: string }) => e.Id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'worldwide',
        'gcc-high',
        'dod',
        'china',
        'germany',
        'eop',
        'exchange-server',
        'sandbox',
      ]),
    );
    const show = await exo(['endpoints', 'show', '21vianet'], env);
    expect(show.stdout).toContain('https://partner.outlook.cn/PowerShell');
    expect(show.stdout).toContain('O365China');
    expect(show.stdout).toMatch(/default strategy\s+rest/);
    expect(show.stdout).toMatch(
      /rest api\s+https:\/\/partner\.outlook\.cn, https:\/\/outlook\.office365\.cn/,
    );
  });

  it('adds, lists, uses and removes profiles in the config directory, never with a password', async () => {
    expect(
      (await exo(['profile', 'add', 'lab', '-e', 'sandbox', '-u', 'admin@sandbox.exo.localhost'], env)).code,
    ).toBe(0);
    expect((await exo(['profile', 'add', 'work', '-e', 'worldwide', '--strategy', 'module'], env)).code).toBe(
      0,
    );
    const list = await exo(['profile', 'list'], env);
    expect(list.stdout).toContain(join(env.EXO_CONFIG_DIR!, 'config.json'));
    expect(list.stdout).toMatch(/\* lab\s+sandbox/);
    const use = await exo(['profile', 'use', 'work'], env);
    expect(use.stderr).toBe('✓ Current profile: work\n');
    expect(use.stdout).toBe('');
    expect(JSON.parse((await exo(['profile', 'use', 'lab', '--json'], env)).stdout)).toEqual({
      currentProfile: 'lab',
      path: join(env.EXO_CONFIG_DIR!, 'config.json'),
    });
    expect((await exo(['profile', 'use', 'work', '-q'], env)).stderr).toBe('');
    const bad = await exo(['profile', 'use', 'nope'], env);
    expect(bad.code).toBe(2);
    const added = await exo(['profile', 'add', 'json-one', '-e', 'gcc-high', '--json'], env);
    expect(added.stderr).toBe('');
    expect(JSON.parse(added.stdout)).toEqual({
      name: 'json-one',
      current: false,
      path: join(env.EXO_CONFIG_DIR!, 'config.json'),
      profile: { environment: 'gcc-high' },
    });
    const removed = await exo(['profile', 'remove', 'json-one', '--json'], env);
    expect(JSON.parse(removed.stdout)).toMatchObject({ removed: 'json-one', keychainEntryRemoved: false });
    expect((await exo(['profile', 'remove', 'work'], env)).code).toBe(0);
    expect((await exo(['profile', 'remove', 'lab'], env)).code).toBe(0);
    const config = readFileSync(join(env.EXO_CONFIG_DIR!, 'config.json'), 'utf8');
    expect(config).not.toMatch(/password/i);
  });

  it('shows the sandbox status', async () => {
    const result = await exo(['sandbox', 'status'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/mailboxes\s+\d+/);
  });

  it('serves the sandbox over REST in the foreground, approves a device code from another exo, stops on Ctrl+C', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', 'serve', '--json', '--workers', '1'], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    await waitFor(() => out.includes('\n'), { timeoutMs: 120_000 });
    const facts = JSON.parse(out.split('\n')[0]!) as {
      authorityUrl: string;
      tenantId: string;
      scope: string;
      caPath: string;
    };
    expect(facts.authorityUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // A device code, approved the way a user would from a second terminal.
    const ca = readFileSync(facts.caPath, 'utf8');
    const post = (path: string, fields: Record<string, string>) =>
      new Promise<{ status: number; body: Record<string, string> }>((resolve, reject) => {
        const req = httpsRequest(`${facts.authorityUrl}/${facts.tenantId}/oauth2/v2.0/${path}`, {
          method: 'POST',
          ca,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end(new URLSearchParams(fields).toString());
      });
    const client = 'fb78d390-0c51-40cd-8e17-fdbfab77341b';
    const code = (await post('devicecode', { client_id: client, scope: facts.scope })).body;
    expect(code.message).toContain(code.user_code);
    const approved = await exo(['sandbox', 'approve', code.user_code!], env);
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    const token = await post('token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: client,
      device_code: code.device_code!,
    });
    expect(token.status).toBe(200);
    expect(token.body.access_token).toBeTruthy();
    const unknown = await exo(['sandbox', 'approve', 'NOPE-NOPE', '--json'], env);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout).error.code).toBe('INVALID_ARGUMENT');
    // exo run --strategy rest uses the running server rather than starting its own, and leaves it running.
    const viaServe = await exo(
      ['run', 'Get-Mailbox', '--strategy', 'rest', '-o', 'json', '--', '-ResultSize', '1'],
      env,
    );
    expect(viaServe.code).toBe(0);
    expect(JSON.parse(viaServe.stdout)).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(env.EXO_SANDBOX_DIR!, 'rest', 'server.json'), 'utf8'));
    expect(state.authorityUrl).toBe(facts.authorityUrl);
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // Stopped, the tenant's server is gone: approving now says so, with a remedy.
    const stopped = await exo(['sandbox', 'approve', code.user_code!, '--json'], env);
    expect(JSON.parse(stopped.stdout).error.remediation).toContain('exo sandbox serve');
  });

  it('remembers a device code sign-in in the OS keychain: the second exo run --strategy rest signs in silently', async () => {
    const keychainDir = join(env.EXO_SANDBOX_DIR!, '..', 'keychain-bin');
    await installFakeSecretTool(keychainDir);
    const withKeychain = {
      ...env,
      PATH: `${keychainDir}:${process.env.PATH}`,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent-test-bus',
    };
    const child = spawn(
      process.execPath,
      [BIN, 'sandbox', 'serve', '--json', '--workers', '1', '--auto-approve'],
      {
        env: { ...process.env, NO_COLOR: '1', ...withKeychain },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    try {
      await waitFor(() => out.includes('\n'), { timeoutMs: 120_000 });
      const run = (extra: string[] = []) =>
        exo(
          [
            'run',
            'Get-Mailbox',
            '--strategy',
            'rest',
            '--device-code',
            ...extra,
            '-o',
            'json',
            '--',
            '-ResultSize',
            '1',
          ],
          withKeychain,
        );
      const first = await run();
      expect(first.code).toBe(0);
      expect(first.stderr).toContain('To sign in, use a web browser');
      const items = readdirSync(keychainDir).filter((f) => f.startsWith('item-'));
      expect(items.length).toBeGreaterThan(0);

      const second = await run();
      expect(second.code).toBe(0);
      expect(second.stderr).not.toContain('To sign in, use a web browser');
      expect(second.stderr).toContain(
        '✓ credential: device code sign-in: signed in as admin@sandbox.exo.localhost',
      );
      expect(JSON.parse(second.stdout)).toHaveLength(1);
      // The keychain alone holds the refresh token: neither run printed it.
      const cache = items.map((f) => readFileSync(join(keychainDir, f), 'utf8')).join('');
      const secrets = [...cache.matchAll(/"secret":"([^"]{16,})"/g)].map((m) => m[1]!);
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets)
        expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(secret);

      const opted = await run(['--no-token-cache']);
      expect(opted.code).toBe(0);
      expect(opted.stderr).toContain('To sign in, use a web browser');
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });

  it('doctor passes on this machine for the sandbox, and fails with a remedy when pwsh is missing', async () => {
    const healthy = await exo(['doctor'], env);
    expect(healthy.stdout).toContain('✓ pwsh: PowerShell 7.');
    expect(healthy.stdout).toContain('✓ network: not needed');
    expect(healthy.code).toBe(0);
    const broken = await exo(['doctor', '--json'], { ...env, EXO_PWSH: '/nonexistent/pwsh' });
    expect(broken.code).toBe(1);
    const report = JSON.parse(broken.stdout);
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({
      name: 'pwsh',
      ok: false,
      remediation: expect.stringContaining('Install PowerShell'),
    });
  });
});
