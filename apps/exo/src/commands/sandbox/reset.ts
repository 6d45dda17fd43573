import { defaultTenantDir, resetTenant } from '@exo-connect/sandbox';
import { BaseCommand } from '../../lib/base-command.js';
import { printStatus } from './status.js';

export default class SandboxReset extends BaseCommand {
  static override summary = 'Reset the sandbox tenant to its generated state (same seed and size).';
  static override examples = ['<%= config.bin %> sandbox reset'];

  async run(): Promise<void> {
    const { flags } = await this.parse(SandboxReset);
    printStatus(this, await resetTenant({ directory: defaultTenantDir() }), flags.json);
  }
}
