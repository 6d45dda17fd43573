import { configPath, loadConfig, saveConfig, useProfile } from '@exo-connect/cli';
import { Args } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class ProfileUse extends BaseCommand {
  static override summary = 'Make a profile the current one.';
  static override examples = ['<%= config.bin %> profile use work'];
  static override args = { name: Args.string({ description: 'Profile name.', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(ProfileUse);
    const path = configPath();
    await saveConfig(path, useProfile(await loadConfig(path), args.name));
    this.log(`Current profile: ${args.name}`);
  }
}
