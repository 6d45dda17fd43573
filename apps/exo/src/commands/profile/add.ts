import {
  addProfile,
  configPath,
  createKeychain,
  loadConfig,
  promptPassword,
  readPasswordFromStdin,
  saveConfig,
} from '@exo-connect/cli';
import { ExoError } from '@exo-connect/core';
import { getEnvironment } from '@exo-connect/env-endpoints';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class ProfileAdd extends BaseCommand {
  static override summary = 'Add a named way to connect (environment, user, strategy, proxy).';
  static override description =
    'Profiles never hold a password. With --keychain the password is stored in the OS keychain (libsecret on ' +
    'Linux, Keychain on macOS, Credential Manager on Windows) and read from there when you connect; otherwise ' +
    'exo asks for it each time.';
  static override examples = [
    '<%= config.bin %> profile add work -e worldwide -u admin@contoso.onmicrosoft.com --strategy module',
    '<%= config.bin %> profile add automation -e worldwide --app-id 00000000-0000-0000-0000-000000000001 --organization contoso.onmicrosoft.com --certificate-file /etc/exo/app.pfx',
    '<%= config.bin %> profile add onprem -e exchange-server --connection-uri http://mail.contoso.local/PowerShell/ -u CONTOSO\\\\admin',
  ];
  static override args = { name: Args.string({ description: 'Profile name.', required: true }) };
  static override flags = {
    environment: Flags.string({ char: 'e', description: 'Environment id or alias.', required: true }),
    user: Flags.string({ char: 'u', description: 'User principal name.' }),
    strategy: Flags.string({
      description: "rest, module or rps (default: the environment's).",
      options: ['rest', 'module', 'rps'],
    }),
    'connection-uri': Flags.string({ description: 'Server URI (exchange-server).' }),
    proxy: Flags.string({ description: 'Proxy URL.' }),
    'proxy-access-type': Flags.string({
      description: 'Proxy access type.',
      options: ['IEConfig', 'WinHttpConfig', 'AutoDetect', 'NoProxyServer', 'None'],
    }),
    'app-id': Flags.string({ description: 'App-only sign-in as this app (client id).' }),
    organization: Flags.string({ description: 'The tenant of an app-only or managed-identity sign-in.' }),
    'certificate-file': Flags.string({
      description: "The app's certificate: an absolute path to a .pfx or PEM file.",
    }),
    'certificate-thumbprint': Flags.string({
      description: "The app's certificate in the current user's My store.",
    }),
    'managed-identity': Flags.boolean({
      description: 'Sign in as the managed identity of the Azure resource.',
    }),
    keychain: Flags.boolean({
      description:
        "Store the secret in the OS keychain now (asks for it, or reads --password-stdin): the user's password, or with --app-id the client secret or certificate password.",
    }),
    'password-stdin': Flags.boolean({
      description: 'With --keychain: read the password from standard input.',
    }),
    force: Flags.boolean({ description: 'Replace a profile of the same name.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ProfileAdd);
    if (!['sandbox', 'local'].includes(flags.environment.toLowerCase()))
      getEnvironment(flags.environment, { allowRetired: true });
    const proxy: Record<string, unknown> = {};
    if (flags.proxy) proxy.proxyUrl = flags.proxy;
    if (flags['proxy-access-type']) proxy.accessType = flags['proxy-access-type'];
    const path = configPath();
    const config = addProfile(
      await loadConfig(path),
      args.name,
      {
        environment: flags.environment,
        userPrincipalName: flags.user,
        strategy: flags.strategy as 'rps' | 'module' | 'rest' | undefined,
        connectionUri: flags['connection-uri'],
        proxy: Object.keys(proxy).length ? proxy : undefined,
        credentialStore: flags.keychain ? 'keychain' : undefined,
        appId: flags['app-id'],
        organization: flags.organization,
        certificateFilePath: flags['certificate-file'],
        certificateThumbprint: flags['certificate-thumbprint'],
        managedIdentity: flags['managed-identity'] || undefined,
      },
      { replace: flags.force },
    );
    if (flags.keychain) {
      // The secret is stored under the account it belongs to: the user, or the app.
      const account = flags['app-id'] ?? flags.user;
      if (!account) {
        throw new ExoError(
          'INVALID_ARGUMENT',
          '--keychain needs -u/--user or --app-id: the secret is stored for that account.',
          {
            details: { field: 'user' },
            remediation:
              'Add -u user@domain, or leave out --keychain to be asked for the password when you connect.',
          },
        );
      }
      const keychain = createKeychain();
      const password = flags['password-stdin']
        ? await readPasswordFromStdin(process.stdin)
        : await promptPassword({
            input: process.stdin,
            output: process.stderr,
            prompt: flags['app-id'] ? `Secret for app ${account}: ` : `Password for ${account}: `,
          });
      await keychain.setPassword(account, password);
    }
    await saveConfig(path, config);
    const current = config.currentProfile === args.name;
    if (flags.json) {
      this.log(
        JSON.stringify({ name: args.name, current, path, profile: config.profiles[args.name] }, null, 2),
      );
    } else if (!flags.quiet) {
      process.stderr.write(`✓ Added profile ${args.name}${current ? ' (current)' : ''} to ${path}\n`);
    }
  }
}
