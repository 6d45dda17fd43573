import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_DEMO_CREDENTIAL } from '@exo-connect/sandbox';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, exo } from './helpers.js';
import { Terminal } from './terminal.js';

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  home = await makeTempDir('exo-tty-');
  env = { EXO_SANDBOX_DIR: join(home, 'tenant'), EXO_CONFIG_DIR: join(home, 'config'), NO_COLOR: '1' };
  expect((await exo(['sandbox', 'init', '--mailboxes', '3'], env)).code).toBe(0);
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('exo on a terminal (tmux)', () => {
  it('asks for the password like Get-Credential, masked, and never shows it', async () => {
    const session = `exo-prompt-${process.pid}`;
    const vars = Object.entries(env)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ');
    const command =
      `env ${vars} ${quote(process.execPath)} ${quote(BIN)} run Get-Mailbox -o json -q ` +
      `-u ${SANDBOX_DEMO_CREDENTIAL.userPrincipalName} -- -ResultSize 1; echo EXIT=$?; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', command);
    const screen = () => tmux('capture-pane', '-p', '-t', session, '-S', '-200');
    try {
      await expect
        .poll(screen, { timeout: 30_000, interval: 200 })
        .toContain(`Password for ${SANDBOX_DEMO_CREDENTIAL.userPrincipalName}:`);
      tmux('send-keys', '-t', session, '-l', SANDBOX_DEMO_CREDENTIAL.password);
      tmux('send-keys', '-t', session, 'Enter');
      await expect.poll(screen, { timeout: 60_000, interval: 250 }).toMatch(/EXIT=\d+/);
      const text = screen();
      expect(text).toContain('EXIT=0');
      expect(text).toContain('"PrimarySmtpAddress": "admin@sandbox.exo.localhost"');
      expect(text).not.toContain(SANDBOX_DEMO_CREDENTIAL.password);
    } finally {
      tmux('kill-session', '-t', session);
    }
  });

  it('prints a table on a terminal by default, and JSON with --json', async () => {
    const term = new Terminal(home, 'formats');
    try {
      const run = (session: string, ...args: string[]) => {
        // One mailbox by identity: no "more results" warning on stderr mixes into the screen.
        term.start(session, [process.execPath, BIN, 'run', 'Get-Mailbox', '-q', ...args, '--', 'admin'], env);
        return term.waitForExit(session);
      };
      expect(await run('table')).toBe(0);
      expect(term.screen('table')).toMatch(/^Name\s+.*PrimarySmtpAddress/m);
      expect(await run('json', '--json')).toBe(0);
      const text = term.screen('json');
      const rows = JSON.parse(text.slice(text.indexOf('['), text.lastIndexOf(']') + 1));
      expect(rows).toHaveLength(1);
      expect(rows[0].PrimarySmtpAddress).toBe('admin@sandbox.exo.localhost');
    } finally {
      term.close();
    }
  });
});
