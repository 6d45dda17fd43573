import { ExoError } from '@exo-connect/core';
import { Command, Flags, type Interfaces, toConfiguredId } from '@oclif/core';
import { printError, usageError } from './print-error.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;

/**
 * Every exo command: errors go through the cli package's one presenter (message, remedy, exit code), as
 * text on stderr or, with --json, as {"error":{code,message,remediation}} on stdout. oclif's usage errors
 * take the same way (INVALID_ARGUMENT, exit 2).
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

  /** --json among exo's own arguments (not among a cmdlet's parameters after `--`). */
  protected wantsJson(): boolean {
    const end = this.argv.indexOf('--');
    return (end === -1 ? this.argv : this.argv.slice(0, end)).includes('--json');
  }

  override async catch(error: Error & { code?: string; oclif?: { exit?: number } }): Promise<void> {
    if (!ExoError.is(error) && error.oclif?.exit !== undefined) {
      // oclif's usage errors (a bad flag or argument: exit 2) become INVALID_ARGUMENT like every wrong
      // argument; its own exits (this.exit, --help) keep their behaviour.
      if (error.oclif.exit !== 2 || error.code === 'EEXIT') throw error;
      // Handled here: oclif need not warn (in development) that the arguments were never parsed.
      this.parsed = true;
      printError(
        usageError(error, `${this.config.bin} ${toConfiguredId(this.id ?? '', this.config)}`),
        this.wantsJson(),
      );
      return;
    }
    printError(error, this.wantsJson());
  }
}
