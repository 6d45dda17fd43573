import { ExoError } from '@exo-connect/core';
import { type Hook, toConfiguredId } from '@oclif/core';
import { closestCommands } from '../lib/closest-commands.js';
import { printError } from '../lib/print-error.js';

/**
 * An unknown command: INVALID_ARGUMENT (exit 2) naming the closest commands, the same on a terminal and off
 * one (oclif's not-found plugin suggests only on a terminal, by asking), and as JSON with --json.
 */
const hook: Hook<'command_not_found'> = async (options) => {
  const { config } = options;
  // oclif joins every word before the first flag into the id ("rnu Get-Mailbox" → rnu:Get-Mailbox): the
  // unknown command is the topics that exist plus the word after them.
  const words = options.id.split(':');
  let depth = 0;
  while (depth < words.length - 1 && config.findTopic(words.slice(0, depth + 1).join(':'))) depth += 1;
  const id = words.slice(0, depth + 1).join(':');
  const commands = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const show = (commandId: string) => `${config.bin} ${toConfiguredId(commandId, config)}`;
  const suggestions = closestCommands(id, commands).map(show);
  const typed = show(id);
  const hint =
    suggestions.length === 0
      ? ''
      : suggestions.length === 1
        ? ` Did you mean "${suggestions[0]}"?`
        : ` Did you mean one of: ${suggestions.map((s) => `"${s}"`).join(', ')}?`;
  const json = (options.argv ?? []).includes('--json') || process.argv.slice(2).includes('--json');
  printError(
    new ExoError('INVALID_ARGUMENT', `"${typed}" is not an ${config.bin} command.${hint}`, {
      details: { field: 'command', suggestions },
      remediation: `Run \`${config.bin} help\` to list every command, or \`${config.bin} <command> --help\` for one.`,
    }),
    json,
  );
};

export default hook;
