import { configPath, listProfiles, loadConfig } from '@exo-connect/cli';
import { BaseCommand } from '../../lib/base-command.js';

export default class ProfileList extends BaseCommand {
  static override summary = 'List profiles and show where they are kept.';
  static override examples = ['<%= config.bin %> profile list', '<%= config.bin %> profile list --json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(ProfileList);
    const path = configPath();
    const profiles = listProfiles(await loadConfig(path));
    if (flags.json) {
      this.log(JSON.stringify({ path, profiles }, null, 2));
      return;
    }
    this.log(`Profiles in ${path}`);
    if (profiles.length === 0)
      this.log('  none: commands use the local sandbox tenant (add one with exo profile add)');
    for (const { name, current, profile } of profiles) {
      const parts = [
        profile.environment,
        profile.strategy,
        profile.userPrincipalName,
        profile.credentialStore === 'keychain' ? 'password in keychain' : undefined,
      ];
      this.log(`${current ? '*' : ' '} ${name}  ${parts.filter(Boolean).join('  ')}`);
    }
  }
}
