import { defaultTenantDir, type TenantStatus, tenantStatus } from '@exo-connect/sandbox';
import type { Command } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export function printStatus(command: Command, status: TenantStatus, json: boolean | undefined): void {
  if (json) {
    command.log(JSON.stringify(status, null, 2));
    return;
  }
  if (!status.exists) {
    command.log(
      `No sandbox tenant in ${status.directory} yet: run \`exo sandbox init\` (exo run creates one on first use).`,
    );
    return;
  }
  command.log(`tenant     ${status.organization ?? status.tenantId ?? ''}`);
  command.log(`directory  ${status.directory}`);
  command.log(`mailboxes  ${status.mailboxCount} (recipients ${status.recipientCount}, seed ${status.seed})`);
  command.log(
    `limit      ${status.sessionLimit} sessions per account, lifetime ${status.sessionLifetimeSeconds} s`,
  );
  const users = Object.entries(status.sessionsByUser);
  command.log(
    `sessions   ${status.sessions.length}${users.length ? ` (${users.map(([u, n]) => `${u}: ${n}`).join(', ')})` : ''}`,
  );
}

export default class SandboxStatus extends BaseCommand {
  static override summary = 'Show the sandbox tenant and its live sessions per user.';
  static override examples = ['<%= config.bin %> sandbox status', '<%= config.bin %> sandbox status --json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(SandboxStatus);
    printStatus(this, await tenantStatus({ directory: defaultTenantDir() }), flags.json);
  }
}
