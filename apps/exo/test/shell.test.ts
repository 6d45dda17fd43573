import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createTenant, SANDBOX_DEMO_CREDENTIAL, tenantStatus } from '@exo-connect/sandbox';
import { makeTempDir, processesWithEnv, testPwsh, waitFor } from '@exo-connect/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, exo } from './helpers.js';
import { escapeRegExp, Terminal } from './terminal.js';

// `exo shell` as a user meets it: in a terminal (tmux), against temporary sandbox tenants, with real pwsh.
// Each test has its own tenant, so the processes and sessions it counts are its own.
let home: string;
let base: Record<string, string>;
let term: Terminal;
let firstAliases: string[];
const started = new Set<string>();
let count = 0;

const PROMPT = '[exo sandbox] PS ';
const { userPrincipalName: ADMIN, password: PASSWORD } = SANDBOX_DEMO_CREDENTIAL;
const MAILBOXES = 40;

interface Tenant {
  directory: string;
  env: Record<string, string>;
  /** Open sessions. Each look spawns pwsh, so tests look only at the moments that matter. */
  sessions(): Promise<number>;
  /** exo, its pwsh and the session servers: every process carrying this tenant's directory. */
  processes(): number[];
}

async function newTenant(): Promise<Tenant> {
  count += 1;
  const directory = join(home, `tenant-${count}`);
  // The same size and seed as the first tenant: the same generated mailboxes (the sandbox is deterministic).
  await createTenant({ directory, mailboxCount: MAILBOXES });
  return {
    directory,
    // PSReadLine keeps its history under XDG_DATA_HOME: one per test, and the user's own stays untouched.
    env: { ...base, EXO_SANDBOX_DIR: directory, XDG_DATA_HOME: join(home, `data-${count}`) },
    sessions: async () => (await tenantStatus({ directory })).sessions.length,
    processes: () => processesWithEnv(`EXO_SANDBOX_DIR=${directory}`),
  };
}

/** Output lines printed after the last echo of `command` (the typed line itself excluded). */
function outputAfter(screen: string, command: string): string[] {
  const at = screen.lastIndexOf(command);
  return screen
    .slice(at + command.length)
    .split('\n')
    .slice(1)
    .map((line) => line.trimEnd());
}

function startShell(session: string, tenant: Tenant, args: string[] = []): number {
  started.add(session);
  return term.start(session, [process.execPath, BIN, 'shell', ...args], tenant.env);
}

beforeAll(async () => {
  home = await makeTempDir('exo-shell-');
  base = {
    EXO_CONFIG_DIR: join(home, 'config'),
    EXO_PWSH: testPwsh(),
    EXO_PASSWORD: '',
    HTTPS_PROXY: '',
    HTTP_PROXY: '',
    NO_COLOR: '1',
  };
  term = new Terminal(home, 'shell');
  const tenant = await newTenant();
  const run = await exo(['run', 'Get-Mailbox', '-o', 'json', '-q', '--', '-ResultSize', '2'], tenant.env);
  expect(run.code).toBe(0);
  firstAliases = JSON.parse(run.stdout).map((m: { Alias: string }) => m.Alias);
  expect(firstAliases).toHaveLength(2);
});

afterEach(() => {
  // A failed test must not leave its shell running: closing its terminal ends it.
  for (const session of started) {
    try {
      term.kill(session);
    } catch {
      // Already gone.
    }
  }
  started.clear();
});

afterAll(async () => {
  term?.close();
  await rm(home, { recursive: true, force: true });
});

describe('exo shell in a terminal', () => {
  it('runs cmdlets at its prompt with one session open; exit removes the session and exo exits 0', async () => {
    const tenant = await newTenant();
    const s = 'exit';
    startShell(s, tenant);
    const banner = await term.waitFor(s, PROMPT);
    expect(banner).toContain(`› no profile configured: using the local sandbox tenant (${tenant.directory})`);
    expect(banner).toContain('Connected to sandbox.');

    const command = 'Get-Mailbox -ResultSize 2 | Select-Object -ExpandProperty Alias';
    term.type(s, command);
    await term.waitFor(
      s,
      new RegExp(`^${escapeRegExp(firstAliases[1]!)}\\n(?:WARNING:.*\\n)?\\[exo sandbox\\] PS `, 'm'),
    );
    expect(outputAfter(term.screen(s), command).slice(0, 2)).toEqual(firstAliases);

    const status = await tenantStatus({ directory: tenant.directory });
    expect(status.sessions).toHaveLength(1);
    expect(status.sessionsByUser).toEqual({ [ADMIN]: 1 });

    term.type(s, 'exit');
    expect(await term.waitForExit(s)).toBe(0);
    expect(await tenant.sessions()).toBe(0);
    expect(tenant.processes()).toEqual([]);
  });

  // The sandbox's session server ignores the terminal's Ctrl+C, as a real service's session never sees it.
  it('keeps the shell on Ctrl+C at the prompt; Ctrl+C stops a long-running command only', async () => {
    const tenant = await newTenant();
    const s = 'ctrl-c';
    startShell(s, tenant);
    await term.waitFor(s, PROMPT);

    term.keys(s, 'C-c');
    term.type(s, '"after-prompt-ctrl-c:" + (20 + 22)');
    await term.waitFor(s, /^after-prompt-ctrl-c:42$/m);

    const sleepSeconds = 300;
    const before = Date.now();
    term.type(s, `"sleep-started:" + (7 * 6); Start-Sleep -Seconds ${sleepSeconds}; "sleep-not-stopped"`);
    // The echo of the line is no proof that it runs; its first statement's output is.
    await term.waitFor(s, /^sleep-started:42$/m);
    term.keys(s, 'C-c');
    term.type(s, '"after-command-ctrl-c:" + (40 + 2)');
    await term.waitFor(s, /^after-command-ctrl-c:42$/m);
    // Back at the prompt before the sleep could have ended by itself: Ctrl+C stopped it.
    expect(Date.now() - before).toBeLessThan(sleepSeconds * 1000);
    expect(term.status(s).dead).toBe(false);

    // Still connected, as with a real service: the session's server never sees the terminal's Ctrl+C.
    term.type(s, 'Get-Mailbox -ResultSize 1 | ForEach-Object { "first-alias:" + $_.Alias }');
    await term.waitFor(s, new RegExp(`^first-alias:${escapeRegExp(firstAliases[0]!)}$`, 'm'));
    expect(term.screen(s)).not.toMatch(/^sleep-not-stopped$/m);
    expect(await tenant.sessions()).toBe(1);

    // Ctrl+D on an empty line leaves, like exit.
    term.keys(s, 'C-d');
    expect(await term.waitForExit(s)).toBe(0);
    expect(await tenant.sessions()).toBe(0);
    expect(tenant.processes()).toEqual([]);
  });

  it('removes the session and leaves no pwsh when the terminal is closed (SIGHUP)', async () => {
    const tenant = await newTenant();
    const s = 'hangup';
    startShell(s, tenant);
    await term.waitFor(s, PROMPT);
    expect(await tenant.sessions()).toBe(1);
    // exo, the interactive pwsh and the session's server all carry the tenant directory.
    expect(tenant.processes().length).toBeGreaterThanOrEqual(3);

    term.kill(s);
    await expect.poll(() => tenant.processes(), { interval: 250 }).toEqual([]);
    expect(await tenant.sessions()).toBe(0);
  });

  it('passes SIGTERM on to the shell: pwsh ends with exo, the session is removed, exit 143', async () => {
    const tenant = await newTenant();
    const s = 'sigterm';
    const pid = startShell(s, tenant);
    await term.waitFor(s, PROMPT);
    expect(await tenant.sessions()).toBe(1);

    process.kill(pid, 'SIGTERM');
    expect(await term.waitForExit(s)).toBe(143);
    await expect.poll(() => tenant.processes(), { interval: 250 }).toEqual([]);
    expect(await tenant.sessions()).toBe(0);
  });

  it('asks for the password masked; it never shows on the screen, in history, or in a process', async () => {
    const tenant = await newTenant();
    const s = 'prompt';
    startShell(s, tenant, ['-u', ADMIN]);
    await term.waitFor(s, `Password for ${ADMIN}:`);
    term.tmux('send-keys', '-t', s, '-l', PASSWORD);
    term.keys(s, 'Enter');
    await term.waitFor(s, PROMPT);

    // Whatever the shell holds in variables and its environment, printed in full.
    term.type(s, 'Get-Variable | Format-List Name, Value | Out-String -Width 4096; "vars-done"');
    await term.waitFor(s, /^vars-done$/m);
    term.type(s, 'Get-ChildItem Env: | Format-List Name, Value | Out-String -Width 4096; "env-done"');
    await term.waitFor(s, /^env-done$/m);
    const processes = tenant.processes();
    expect(processes.length).toBeGreaterThanOrEqual(3);
    for (const pid of processes) {
      const seen = ['environ', 'cmdline'].map((f) => readFileSync(`/proc/${pid}/${f}`, 'utf8')).join('\n');
      expect(seen).not.toContain(PASSWORD);
    }

    term.type(s, 'exit');
    expect(await term.waitForExit(s)).toBe(0);
    const screen = term.screen(s);
    expect(screen).toContain(`Password for ${ADMIN}: ${'*'.repeat(PASSWORD.length)}`);
    expect(screen).toContain('EXO_SANDBOX_DIR');
    expect(screen).not.toContain(PASSWORD);
    // PSReadLine saved the typed lines; the password was never one of them.
    const history = await readFile(
      join(tenant.env.XDG_DATA_HOME!, 'powershell', 'PSReadLine', 'ConsoleHost_history.txt'),
      'utf8',
    );
    expect(history).toContain('Get-Variable');
    expect(history).not.toContain(PASSWORD);
    expect(await tenant.sessions()).toBe(0);
  });

  it('with --password-stdin takes the password from the pipe and the commands from the terminal', async () => {
    const tenant = await newTenant();
    const s = 'stdin-pipe';
    const file = join(home, 'password.txt');
    writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
    // sh only redirects stdin; exo reads the password from it and gives the shell the terminal.
    started.add(s);
    term.start(
      s,
      [
        'sh',
        '-c',
        'exec "$0" "$1" shell -u "$2" --password-stdin < "$3"',
        process.execPath,
        BIN,
        ADMIN,
        file,
      ],
      tenant.env,
    );
    await term.waitFor(s, PROMPT);
    term.type(s, '"typed-at-the-terminal:" + (6 * 7)');
    await term.waitFor(s, /^typed-at-the-terminal:42$/m);
    term.type(s, 'exit 5');
    // The shell's exit code is exo's.
    expect(await term.waitForExit(s)).toBe(5);
    expect(term.screen(s)).not.toContain(PASSWORD);
    expect(await tenant.sessions()).toBe(0);
  });

  it('refuses --password-stdin when stdin is the terminal (CREDENTIAL_MISSING, exit 3)', async () => {
    const tenant = await newTenant();
    const s = 'stdin-tty';
    startShell(s, tenant, ['-u', ADMIN, '--password-stdin']);
    expect(await term.waitForExit(s)).toBe(3);
    const screen = term.screen(s);
    expect(screen).toContain(
      '✗ CREDENTIAL_MISSING: --password-stdin reads a piped password, but stdin is a terminal.',
    );
    expect(screen).not.toContain(PROMPT);
  });

  it('cancels the connect on Ctrl+C (exit 130) and leaves nothing behind', async () => {
    const tenant = await newTenant();
    const s = 'ctrl-c-connect';
    startShell(s, tenant);
    // The line is printed just before pwsh starts; connecting takes seconds from there. A Ctrl+C that lands
    // while pwsh itself is still starting is lost (as in any pwsh), so it is repeated until one lands.
    await term.waitFor(s, '› no profile configured');
    const settled = await waitFor(
      () => {
        if (term.status(s).dead || term.screen(s).includes(PROMPT)) return true;
        term.keys(s, 'C-c');
        return false;
      },
      { timeoutMs: 90_000, intervalMs: 700 },
    );
    if (!settled) throw new Error(`Ctrl+C did not end the connect:\n${term.screen(s)}`);
    expect(term.screen(s)).not.toContain(PROMPT);
    expect(await term.waitForExit(s)).toBe(130);
    expect(term.screen(s)).toContain('✗ ABORTED: Interrupted while connecting; nothing was left open.');
    await expect.poll(() => tenant.processes(), { interval: 250 }).toEqual([]);
    expect(await tenant.sessions()).toBe(0);
  });
});

describe('exo shell without a terminal', () => {
  it('runs the commands piped in as a script: only their output, their exit code, no session left', async () => {
    const tenant = await newTenant();
    const result = await exo(
      ['shell', '-q'],
      tenant.env,
      'Get-Mailbox -Identity admin | ForEach-Object { "piped-alias:" + $_.Alias }\n"second-line"\nexit 4\n',
    );
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('piped-alias:admin\nsecond-line\n');
    expect(result.stderr).toBe('');
    const chatty = await exo(['shell'], tenant.env, '"only-output"\n');
    expect(chatty.code).toBe(0);
    expect(chatty.stdout).toBe('only-output\n');
    expect(chatty.stderr).toContain('› no profile configured');
    expect(chatty.stderr).toContain('Connected to sandbox; running the commands from standard input.');
    expect(await tenant.sessions()).toBe(0);
    expect(tenant.processes()).toEqual([]);
  });

  it('reports a failed sign-in like every command: AUTH_FAILED, exit 3, JSON with --json', async () => {
    const tenant = await newTenant();
    const wrong = { ...tenant.env, EXO_PASSWORD: 'not-the-password' };
    const text = await exo(['shell', '-u', ADMIN], wrong);
    expect(text.code).toBe(3);
    expect(text.stderr).toContain('✗ AUTH_FAILED: ');
    expect(text.stderr).toContain('Access is denied');
    expect(text.stderr).toContain('  → Check the user name and password');

    const json = await exo(['shell', '-u', ADMIN, '--json', '-q'], wrong);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'AUTH_FAILED',
        message: expect.stringContaining('Access is denied'),
        remediation: expect.any(String),
      },
    });
    expect(json.stderr).toBe('');
    expect(await tenant.sessions()).toBe(0);
    expect(tenant.processes()).toEqual([]);
  });

  it('refuses --password-stdin with no terminal for the shell, before connecting (exit 2)', async () => {
    const tenant = await newTenant();
    // detached: a new session without a controlling terminal, as under cron or CI.
    const child = spawn(process.execPath, [BIN, 'shell', '-u', ADMIN, '--password-stdin', '--json'], {
      env: { ...process.env, ...tenant.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdin.end(`${PASSWORD}\n`);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(JSON.parse(stdout).error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('there is no terminal for the shell'),
    });
    expect(await tenant.sessions()).toBe(0);
  });
});
