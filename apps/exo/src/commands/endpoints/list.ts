import { formatOutput } from '@exo-connect/cli';
import { listEnvironments } from '@exo-connect/env-endpoints';
import { sandboxEnvironment } from '@exo-connect/sandbox';
import { BaseCommand } from '../../lib/base-command.js';

export default class EndpointsList extends BaseCommand {
  static override summary = 'List the environments exo can connect to.';
  static override examples = ['<%= config.bin %> endpoints list', '<%= config.bin %> endpoints list --json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(EndpointsList);
    const rows = [...listEnvironments(), sandboxEnvironment()].map((e) => ({
      Id: e.id,
      Aliases: e.aliases.join(', '),
      Name: e.displayName,
      Strategy: e.defaultStrategy,
      Status: e.status.state === 'retired' ? `retired ${e.status.date}` : 'active',
      Endpoint: e.rps?.connectionUri ?? e.module?.connectionUri ?? '',
    }));
    await formatOutput(rows, {
      format: flags.json ? 'json' : 'table',
      out: process.stdout,
      columns: process.stdout.columns ?? 160,
    });
  }
}
