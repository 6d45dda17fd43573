import { approveDeviceCode, defaultTenantDir } from '@exo-connect/sandbox';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class SandboxApprove extends BaseCommand {
  static override summary = 'Approve a device code pending on the running sandbox server.';
  static override description =
    'What a user does at the verification page: the device code flow that printed the code then gets its ' +
    'token. The server is the one `exo sandbox serve` (or startSandboxServer) runs for this tenant.';
  static override examples = [
    '<%= config.bin %> sandbox approve ABCD-EFGH',
    '<%= config.bin %> sandbox approve ABCD-EFGH --user viewonly@sandbox.exo.localhost',
  ];
  static override args = {
    code: Args.string({ description: 'The user code the sign-in message printed.', required: true }),
  };
  static override flags = {
    user: Flags.string({ description: 'Sign in as this account (default: the demo administrator).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SandboxApprove);
    await approveDeviceCode(args.code, {
      directory: defaultTenantDir(),
      ...(flags.user ? { userPrincipalName: flags.user } : {}),
    });
    if (flags.json) this.log(JSON.stringify({ approved: args.code }));
    else if (!flags.quiet) this.log(`Approved ${args.code}.`);
  }
}
