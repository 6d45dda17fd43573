import { defaultTenantDir, startSandboxServer } from '@exo-connect/sandbox';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class SandboxServe extends BaseCommand {
  static override summary = "Serve the sandbox tenant's REST admin API and identity platform on 127.0.0.1.";
  static override description =
    "Runs in the foreground until Ctrl+C: HTTPS on 127.0.0.1 with a certificate from the tenant's own CA " +
    "(trust the printed CA file, and only it), Exchange Online's REST admin API over the same data the PSSession " +
    "face serves, and Entra ID's token endpoints (device code, password, client credentials, refresh, managed " +
    'identity). Approve a device code from another terminal with `exo sandbox approve <code>`.';
  static override examples = [
    '<%= config.bin %> sandbox serve',
    '<%= config.bin %> sandbox serve --port 8443 --json',
    '<%= config.bin %> sandbox serve --auto-approve',
  ];
  static override flags = {
    port: Flags.integer({
      description: 'TCP port on 127.0.0.1 (0: any free one).',
      default: 0,
      min: 0,
      max: 65_535,
    }),
    workers: Flags.integer({
      description: 'Warm pwsh workers that run the cmdlets.',
      default: 2,
      min: 1,
      max: 16,
    }),
    'auto-approve': Flags.boolean({ description: 'Approve every device code at once (demos and tests).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SandboxServe);
    const server = await startSandboxServer({
      directory: defaultTenantDir(),
      port: flags.port,
      workers: flags.workers,
      autoApproveDeviceCodes: flags['auto-approve'],
    });
    const facts = {
      adminUrl: server.adminUrl,
      authorityUrl: server.authorityUrl,
      scope: server.scope,
      caPath: server.caPath,
      tenantId: server.tenantId,
      organization: server.organization,
    };
    if (flags.json) this.log(JSON.stringify(facts));
    else {
      this.log(`admin API  ${server.adminUrl}/adminapi/beta/${server.organization}/InvokeCommand`);
      this.log(`authority  ${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/token`);
      this.log(`scope      ${server.scope}`);
      this.log(`CA         ${server.caPath}`);
      this.log(`tenant     ${server.organization} (${server.tenantId})`);
      if (!flags.quiet) this.log('Serving; press Ctrl+C to stop.');
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.stop();
  }
}
