import { presentError } from '@exo-connect/cli';
import { ExoError } from '@exo-connect/core';
import { Command, Flags, type Interfaces } from '@oclif/core';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;

/**
 * Every exo command: errors go through the cli package's one presenter (message, remedy, exit code), as
 * text on stderr or, with --json, as {"error":{code,message,remediation}} on stdout.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print results and errors as JSON.', helpGroup: 'GLOBAL' }),
    quiet: Flags.boolean({
      char: 'q',
      description: 'Print only data and warnings: no progress or step lines.',
      helpGroup: 'GLOBAL',
    }),
  };

  protected wantsJson(): boolean {
    return this.argv.includes('--json');
  }

  override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    // oclif's own exits (this.exit, --help) and its flag and argument errors keep their behaviour.
    if (!ExoError.is(error) && error.oclif?.exit !== undefined) throw error;
    const presented = presentError(error);
    if (this.wantsJson()) {
      process.stdout.write(
        `${JSON.stringify({ error: { code: presented.code, message: presented.message, remediation: presented.remediation } })}\n`,
      );
    } else {
      process.stderr.write(`✗ ${presented.code}: ${presented.message}\n  → ${presented.remediation}\n`);
    }
    process.exitCode = presented.exitCode;
  }
}
