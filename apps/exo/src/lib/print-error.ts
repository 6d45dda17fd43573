import { presentError, terminalText } from '@exo-connect/cli';
import { ExoError } from '@exo-connect/core';

/**
 * Prints any failure the one way exo does: `✗ CODE: message` and `  → remedy` on stderr, or with --json
 * `{"error":{code,message,remediation}}` on stdout; sets the exit code from the app's table.
 */
export function printError(error: unknown, json: boolean): void {
  const presented = presentError(error);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ error: { code: presented.code, message: presented.message, remediation: presented.remediation } })}\n`,
    );
  } else {
    // Messages can quote pwsh or the service: shown as text, never as terminal control sequences.
    process.stderr.write(
      `✗ ${presented.code}: ${terminalText(presented.message)}\n  → ${terminalText(presented.remediation)}\n`,
    );
  }
  process.exitCode = presented.exitCode;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing ANSI colour sequences is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * oclif's own usage errors (an unknown flag, a missing argument, a value not among the options) as
 * INVALID_ARGUMENT, so they look and exit (2) like every other wrong argument.
 */
export function usageError(error: Error, command: string): ExoError {
  const message = error.message
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help with --help$/i.test(line))
    // oclif lists missing arguments as "name  description" lines.
    .map((line, i) => (i > 0 ? line.replace(/^(\S+) {2,}(.+)$/, '$1 ($2)') : line))
    // "Parsing --mailboxes" + "Expected an integer…" read as one sentence with a colon between.
    .reduce(
      (text, line) => (text === '' ? line : /[.:;!?)]$/.test(text) ? `${text} ${line}` : `${text}: ${line}`),
      '',
    )
    .replace(/\s+/g, ' ');
  // `exo run Set-Mailbox -Identity x`: the cmdlet's parameters belong after `--`.
  const cmdletParameters =
    / run$/.test(command) && /^Nonexistent flags?:/.test(message) && /(?:: |, )-[A-Za-z]/.test(message);
  return new ExoError('INVALID_ARGUMENT', message, {
    cause: error,
    remediation: cmdletParameters
      ? `Write the cmdlet's parameters after --, e.g. ${command} Set-Mailbox -- -Identity alex -Office "B 1". ` +
        `Run \`${command} --help\` for exo's own flags.`
      : `Run \`${command} --help\` for its flags and arguments.`,
  });
}
