import {
  configPath,
  createKeychain,
  loadConfig,
  removeProfile,
  resolveProfile,
  saveConfig,
} from '@exo-connect/cli';
import { Args } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class ProfileRemove extends BaseCommand {
  static override summary = 'Remove a profile (and its keychain entry, if it has one).';
  static override examples = ['<%= config.bin %> profile remove work'];
  static override args = { name: Args.string({ description: 'Profile name.', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ProfileRemove);
    const path = configPath();
    const config = await loadConfig(path);
    const profile = resolveProfile(config, args.name)?.profile;
    await saveConfig(path, removeProfile(config, args.name));
    let keychain = false;
    if (profile?.credentialStore === 'keychain' && profile.userPrincipalName) {
      keychain = await createKeychain()
        .deletePassword(profile.userPrincipalName)
        .catch(() => false);
    }
    if (flags.json)
      this.log(JSON.stringify({ removed: args.name, path, keychainEntryRemoved: keychain }, null, 2));
    else if (!flags.quiet)
      process.stderr.write(`✓ Removed profile ${args.name}${keychain ? ' and its keychain entry' : ''}\n`);
  }
}
