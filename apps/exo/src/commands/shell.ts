import { closeSync, openSync } from 'node:fs';
import { ExoError } from '@exo-connect/core';
import { BaseCommand } from '../lib/base-command.js';
import { connectionFlags } from '../lib/connection-flags.js';
import { openShell } from '../services/open-shell.js';

/**
 * With --password-stdin the pipe holds the password, so the shell reads the terminal instead; without a
 * terminal there would be nothing left to type into.
 */
function openTerminal(): number {
  try {
    return openSync(process.platform === 'win32' ? 'CONIN$' : '/dev/tty', 'r');
  } catch {
    throw new ExoError(
      'INVALID_ARGUMENT',
      'exo shell --password-stdin: stdin holds the password, and there is no terminal for the shell.',
      {
        details: { field: 'password-stdin' },
        remediation:
          'Run exo shell in a terminal, or without --password-stdin pipe PowerShell commands into it ' +
          '(`exo shell < script.ps1`, with the password from EXO_PASSWORD or the keychain).',
      },
    );
  }
}

export default class Shell extends BaseCommand {
  static override summary =
    'Open an interactive pwsh with the session made and the Exchange cmdlets imported.';
  static override description =
    'The session is removed when you leave the shell (exit, Ctrl+D), and also when the terminal is closed or ' +
    'exo is stopped (SIGTERM, SIGHUP): pwsh ends, and with it its session. Ctrl+C stops the running command ' +
    'and keeps the shell, as in any PowerShell; during the connect it cancels it (exit 130). The shell exits ' +
    "with pwsh's exit code.\n\n" +
    'The password comes from --password-stdin, EXO_PASSWORD, the keychain or a masked prompt, as for exo run. ' +
    '--password-stdin reads the whole pipe, so the shell then reads the terminal (/dev/tty). Without a ' +
    'terminal on stdin, pwsh runs what is piped in as one script, prints only its output, and exits with ' +
    "the script's exit code.";
  static override examples = [
    '<%= config.bin %> shell',
    '<%= config.bin %> shell -p work',
    'pass show exo/admin | <%= config.bin %> shell -u admin@contoso.com --password-stdin',
    '<%= config.bin %> shell -q < report.ps1 > report.txt',
  ];
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(Shell);
    const io = { stdin: process.stdin, stderr: process.stderr, env: process.env };
    // Checked before anything is read from the pipe or created.
    const terminal = flags['password-stdin'] && !process.stdin.isTTY ? openTerminal() : undefined;
    try {
      const { exitCode } = await openShell({
        flags,
        io,
        stdin: terminal ?? 'inherit',
        stdinScript: terminal === undefined && !process.stdin.isTTY,
      });
      if (exitCode !== 0) this.exit(exitCode);
    } finally {
      if (terminal !== undefined) closeSync(terminal);
    }
  }
}
