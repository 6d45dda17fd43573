import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCodeTable, INTERNAL_ERROR_EXIT_CODE } from '@exo-connect/cli';
import { makeTempDir } from '@exo-connect/test-utils';
import { Config } from '@oclif/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, exo } from './helpers.js';

// The command line itself, without connecting: unknown commands, usage errors, help, completion, the README.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
let home: string;
let env: Record<string, string>;
let userCacheBefore: string;

beforeAll(async () => {
  home = await makeTempDir('exo-cli-');
  // Everything exo or oclif might write goes under the temporary home, never the user's.
  env = {
    HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    EXO_CONFIG_DIR: join(home, 'exo-config'),
    EXO_SANDBOX_DIR: join(home, 'tenant'),
  };
  // `exo` on PATH, as an installed one would be, for the completion script to call.
  await mkdir(join(home, 'bin'));
  await writeFile(join(home, 'bin', 'exo'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, {
    mode: 0o755,
  });
  userCacheBefore = await modified(join(homedir(), '.cache', 'exo-connect', 'autocomplete', 'bash_setup'));
});

/** A file's modification time, or 'absent'. */
async function modified(path: string): Promise<string> {
  try {
    return (await stat(path)).mtime.toISOString();
  } catch {
    return 'absent';
  }
}
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('an unknown command (no terminal)', () => {
  it('names the closest command and exits 2 (INVALID_ARGUMENT)', async () => {
    const result = await exo(['rnu', 'Get-Mailbox'], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      '✗ INVALID_ARGUMENT: "exo rnu" is not an exo command. Did you mean "exo run"?\n' +
        '  → Run `exo help` to list every command, or `exo <command> --help` for one.\n',
    );
  });

  it('finds commands under topics, several when several fit, and none when none is close', async () => {
    expect((await exo(['sandbox', 'stauts'], env)).stderr).toContain('Did you mean "exo sandbox status"?');
    expect((await exo(['list'], env)).stderr).toContain(
      'Did you mean one of: "exo endpoints list", "exo profile list"?',
    );
    const far = await exo(['xyzzy'], env);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('✗ INVALID_ARGUMENT: "exo xyzzy" is not an exo command.\n');
  });

  it('prints {"error":{code,message,remediation}} with --json', async () => {
    const result = await exo(['docter', '--json'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: 'INVALID_ARGUMENT',
        message: '"exo docter" is not an exo command. Did you mean "exo doctor"?',
        remediation: 'Run `exo help` to list every command, or `exo <command> --help` for one.',
      },
    });
  });
});

describe('usage errors', () => {
  it('reports a bad flag or argument as INVALID_ARGUMENT (exit 2) in one line with the remedy', async () => {
    const unknownFlag = await exo(['run', 'Get-Mailbox', '--bogus'], env);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toBe(
      '✗ INVALID_ARGUMENT: Nonexistent flag: --bogus\n  → Run `exo run --help` for its flags and arguments.\n',
    );
    const missing = await exo(['endpoints', 'show'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      '✗ INVALID_ARGUMENT: Missing 1 required arg: id (Environment id or alias.)',
    );
    expect(missing.stderr).toContain('→ Run `exo endpoints show --help`');
  });

  it('prints them as JSON with --json', async () => {
    const result = await exo(['sandbox', 'init', '--mailboxes', 'many', '--json'], env);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'Parsing --mailboxes: Expected an integer but received: many',
        remediation: 'Run `exo sandbox init --help` for its flags and arguments.',
      },
    });
    const option = await exo(['run', 'Get-Mailbox', '--strategy', 'fast', '--json'], env);
    expect(option.code).toBe(2);
    expect(JSON.parse(option.stdout).error.message).toBe(
      'Expected --strategy=fast to be one of: rest, module, rps',
    );
  });
});

describe('help', () => {
  it('describes every command, topic, argument and flag', async () => {
    const config = await Config.load(ROOT);
    const ours = config.commands.filter((c) => c.pluginName === '@exo-connect/exo');
    expect(ours.map((c) => c.id).sort()).toEqual(
      [
        'doctor',
        'endpoints:list',
        'endpoints:show',
        'profile:add',
        'profile:list',
        'profile:remove',
        'profile:use',
        'run',
        'sandbox:approve',
        'sandbox:init',
        'sandbox:reset',
        'sandbox:serve',
        'sandbox:status',
        'shell',
      ].sort(),
    );
    for (const command of ours) {
      expect(command.summary, command.id).toMatch(/\w.*\.$/);
      expect(command.examples?.length, `${command.id} examples`).toBeGreaterThan(0);
      for (const [name, flag] of Object.entries(command.flags)) {
        expect(flag.summary ?? flag.description, `${command.id} --${name}`).toMatch(/\w/);
      }
      for (const [name, arg] of Object.entries(command.args)) {
        expect(arg.description, `${command.id} ${name}`).toMatch(/\w/);
      }
    }
    for (const topic of ['endpoints', 'profile', 'sandbox']) {
      expect(config.topics.find((t) => t.name === topic)?.description, topic).toMatch(/\w.*\.$/);
    }
  });

  it('shows usage, flags and examples for a command, and the topics with their descriptions', async () => {
    const shell = await exo(['shell', '--help'], env);
    expect(shell.code).toBe(0);
    for (const part of [
      'USAGE',
      '$ exo shell',
      'CONNECTION FLAGS',
      '--password-stdin',
      'GLOBAL FLAGS',
      'EXAMPLES',
    ]) {
      expect(shell.stdout).toContain(part);
    }
    const root = await exo(['--help'], env);
    expect(root.stdout).toMatch(/\n\s+sandbox\s+The local sandbox tenant/);
  });
});

describe('exo autocomplete', () => {
  it('builds bash, zsh and PowerShell completion under the cache directory, naming the commands', async () => {
    const build = await exo(['autocomplete', '--refresh-cache'], env);
    expect(build.code).toBe(0);
    const cache = join(env.XDG_CACHE_HOME!, 'exo-connect', 'autocomplete');

    const script = await exo(['autocomplete', 'script', 'bash'], env);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain(`EXO_AC_BASH_SETUP_PATH=${join(cache, 'bash_setup')}`);
    const bash = await readFile(join(cache, 'functions', 'bash', 'exo.bash'), 'utf8');
    for (const id of ['run', 'shell', 'doctor', 'sandbox:status', 'profile:add', 'endpoints:show']) {
      expect(bash).toContain(`\n${id} `);
    }
    const zsh = await readFile(join(cache, 'functions', 'zsh', '_exo'), 'utf8');
    for (const word of ['run', 'shell', 'sandbox', 'password-stdin']) expect(zsh).toContain(word);
    expect(await readFile(join(cache, 'functions', 'powershell', 'exo.ps1'), 'utf8')).toContain('"shell"');

    // The user's own completion cache was not touched.
    expect(await modified(join(homedir(), '.cache', 'exo-connect', 'autocomplete', 'bash_setup'))).toBe(
      userCacheBefore,
    );
  });

  it('completes commands and flags in bash', async () => {
    const complete = (line: string) =>
      new Promise<string>((resolve, reject) => {
        const words = line.split(' ');
        const script =
          'source <(exo autocomplete script bash); ' +
          `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; ` +
          `COMP_LINE='${line}'; _exo_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`;
        execFile(
          'bash',
          ['-c', script],
          { env: { ...process.env, ...env, PATH: `${join(home, 'bin')}:${process.env.PATH}` } },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        );
      });
    expect((await complete('exo sh')).trim()).toBe('shell');
    expect((await complete('exo sandbox st')).trim()).toBe('status');
    expect((await complete('exo run --pa')).trim().split('\n').sort()).toEqual([
      '--params-json',
      '--password-stdin',
    ]);
  });
});

describe('the README', () => {
  it('documents every error code with its exit code and remedy, as the presenter has them', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (\d+) \| (.*) \|$/gm)].map((m) => ({
      code: m[1],
      exitCode: Number(m[2]),
      remediation: m[3]!.replaceAll('\\|', '|'),
    }));
    expect(rows).toEqual(errorCodeTable());
    expect(readme).toContain(`| (any other failure) | ${INTERNAL_ERROR_EXIT_CODE} |`);
  });
});
