import {
  compileQuery,
  defaultFormat,
  formatOutput,
  formatQueried,
  mergeParameters,
  parseCmdletArguments,
  parseOutputFormat,
} from '@exo-connect/cli';
import { assertCommandName } from '@exo-connect/core';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import { splitAtDashDash } from '../lib/cmdlet-argv.js';
import { connectionFlags } from '../lib/connection-flags.js';
import { runCmdlet } from '../services/run-cmdlet.js';

export default class Run extends BaseCommand {
  static override summary = 'Connect, run one Exchange cmdlet, print its output, disconnect.';
  static override description =
    'Parameters after -- are written as in PowerShell (-Name value, -Switch, -Switch:$false, $true/$false/$null, ' +
    'a,b,c lists) and are parsed into data, never into script text. Use --params-json for nested values. ' +
    'With no profile configured, exo uses the local sandbox tenant.';
  static override examples = [
    '<%= config.bin %> run Get-Mailbox',
    '<%= config.bin %> run Get-Mailbox -o json -- -ResultSize 10',
    `<%= config.bin %> run Get-Mailbox -o csv --properties DisplayName,PrimarySmtpAddress -- -Filter "DisplayName -like 'A*'"`,
    '<%= config.bin %> run Set-Mailbox -- -Identity alex -DisplayName "Alex W." ',
    '<%= config.bin %> run Start-Sleep --allow-command Start-Sleep -- -Seconds 5',
    `<%= config.bin %> run New-Mailbox --params-json '{"Name":"lab1","Password":null}'`,
    `<%= config.bin %> run Get-Mailbox --query "[?RecipientTypeDetails=='SharedMailbox'].{Name: DisplayName, Mail: PrimarySmtpAddress}"`,
    '<%= config.bin %> run Get-Mailbox -o json --query "length(@)" -- -ResultSize Unlimited',
  ];
  static override strict = false;
  static override args = {
    cmdlet: Args.string({ description: 'The cmdlet to run, e.g. Get-Mailbox.', required: true }),
  };
  static override flags = {
    ...connectionFlags,
    output: Flags.string({
      char: 'o',
      description:
        'Output format: table (default on a terminal), json (default otherwise, and with --json), ndjson or csv.',
    }),
    properties: Flags.string({ description: 'Comma-separated properties to show (table and csv).' }),
    query: Flags.string({
      description:
        'A JMESPath expression applied to the whole output (a list) before it is formatted, as with az --query ' +
        '(https://jmespath.site). Checked before connecting.',
    }),
    'params-json': Flags.string({
      description: 'Parameters as one JSON object, merged with those after --.',
    }),
    'result-timeout': Flags.integer({ description: 'Stop the cmdlet after this many seconds.', min: 1 }),
    'allow-command': Flags.string({
      description:
        'Also run this command if the session did not export it (a local one, e.g. Start-Sleep). Repeatable. ' +
        'By default exo runs only the commands the session exported.',
      multiple: true,
      multipleNonGreedy: true,
    }),
  };

  async run(): Promise<void> {
    const { own, afterDashDash } = splitAtDashDash(this.argv);
    const { args, argv, flags } = await this.parse(Run, own);
    assertCommandName(args.cmdlet, 'cmdlet');
    const rest = [...(argv as string[]).slice(1), ...(afterDashDash ?? [])];
    let parameters = parseCmdletArguments(rest);
    if (flags['params-json']) parameters = mergeParameters(parameters, flags['params-json']);
    const format = flags.output
      ? parseOutputFormat(flags.output)
      : flags.json
        ? 'json'
        : defaultFormat(process.stdout.isTTY);
    const properties = flags.properties
      ?.split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    // A bad expression fails here, before any connection is made.
    const query = flags.query === undefined ? undefined : compileQuery(flags.query);
    const options = { format, out: process.stdout, properties, columns: process.stdout.columns };

    await runCmdlet(
      {
        flags,
        cmdlet: args.cmdlet,
        parameters,
        allowCommands: flags['allow-command'],
        timeoutMs: flags['result-timeout'] ? flags['result-timeout'] * 1000 : undefined,
        io: { stdin: process.stdin, stderr: process.stderr, env: process.env },
      },
      (rows) =>
        (query ? formatQueried(rows, query, options) : formatOutput(rows, options)).catch(
          (error: NodeJS.ErrnoException) => {
            // The reader went away (`exo run … | head`): stop quietly, like any Unix tool.
            if (error.code !== 'EPIPE') throw error;
          },
        ),
    );
  }
}
