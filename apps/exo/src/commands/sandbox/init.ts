import { createTenant, defaultTenantDir } from '@exo-connect/sandbox';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { printStatus } from './status.js';

export default class SandboxInit extends BaseCommand {
  static override summary = 'Create the local sandbox tenant.';
  static override description =
    'Generates mailboxes deterministically from a seed in the tenant directory (EXO_SANDBOX_DIR, else your state ' +
    'directory). The demo administrator is admin@sandbox.exo.localhost (see the sandbox README for its password).';
  static override examples = [
    '<%= config.bin %> sandbox init',
    '<%= config.bin %> sandbox init --mailboxes 100000 --seed 7 --force',
  ];
  static override flags = {
    mailboxes: Flags.integer({
      description: 'Mailboxes to generate (up to 100,000).',
      default: 25,
      min: 0,
      max: 100_000,
    }),
    seed: Flags.integer({ description: 'Seed for the generated data.', default: 1 }),
    'session-limit': Flags.integer({
      description: 'Concurrent sessions per account (the service allows 3).',
      min: 1,
    }),
    force: Flags.boolean({ description: 'Replace an existing tenant.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SandboxInit);
    const status = await createTenant({
      directory: defaultTenantDir(),
      mailboxCount: flags.mailboxes,
      seed: flags.seed,
      sessionLimit: flags['session-limit'],
      force: flags.force,
    });
    printStatus(this, status, flags.json);
  }
}
