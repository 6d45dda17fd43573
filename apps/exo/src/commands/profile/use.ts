import { configPath, loadConfig, saveConfig, useProfile } from '@exo-connect/cli';
import { Args } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class ProfileUse extends BaseCommand {
  static override summary = 'Make a profile the current one.';
  static override examples = ['<%= config.bin %> profile use work'];
  static override args = { name: Args.string({ description: 'Profile name.', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ProfileUse);
    const path = configPath();
    await saveConfig(path, useProfile(await loadConfig(path), args.name));
    if (flags.json) this.log(JSON.stringify({ currentProfile: args.name, path }, null, 2));
    else if (!flags.quiet) process.stderr.write(`✓ Current profile: ${args.name}\n`);
  }
}
