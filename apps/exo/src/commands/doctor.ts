import {
  configPath,
  createKeychain,
  type DoctorStrategy,
  listProfiles,
  loadConfig,
  resolveProfile,
  runDoctor,
} from '@exo-connect/cli';
import { type EnvironmentDefinition, getEnvironment } from '@exo-connect/env-endpoints';
import { sandboxEnvironment } from '@exo-connect/sandbox';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';

export default class Doctor extends BaseCommand {
  static override summary = 'Check that this machine can connect to Exchange PowerShell.';
  static override description =
    'Checks pwsh, the execution policy, the ExchangeOnlineManagement module, WSMan, the proxy settings, that ' +
    "the environment's hosts answer on ports 443 and 80, and the config file. One line per check with ✓ or ✗ " +
    'and, for a failure, what to do. Exits 1 when something is broken.';
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor -e worldwide --strategy module',
    '<%= config.bin %> doctor --json',
  ];
  static override flags = {
    environment: Flags.string({
      char: 'e',
      description: "Environment to check (default: the profile's, else the sandbox).",
    }),
    strategy: Flags.string({ description: 'Strategy to check for.', options: ['rest', 'module', 'rps'] }),
    profile: Flags.string({ char: 'p', description: 'Profile to check.' }),
    proxy: Flags.string({ description: 'Proxy URL to check through (else HTTPS_PROXY).' }),
    timeout: Flags.integer({ description: 'Seconds to wait for each host.', default: 5, min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const path = configPath();
    let profileEnvironment: string | undefined;
    let profileStrategy: DoctorStrategy | undefined;
    try {
      const profile = flags.environment ? undefined : resolveProfile(await loadConfig(path), flags.profile);
      profileEnvironment = profile?.profile.environment;
      profileStrategy = profile?.profile.strategy;
    } catch {
      // The config check below reports a broken file.
    }
    const id = flags.environment ?? profileEnvironment ?? 'sandbox';
    const local = ['sandbox', 'local'].includes(id.toLowerCase());
    const environment: EnvironmentDefinition = local
      ? sandboxEnvironment()
      : getEnvironment(id, { allowRetired: true });
    const strategy = (flags.strategy ?? profileStrategy ?? environment.defaultStrategy) as DoctorStrategy;
    const report = await runDoctor({
      environment,
      strategy,
      local,
      proxy: flags.proxy ? { proxyUrl: flags.proxy } : undefined,
      timeoutMs: flags.timeout * 1000,
      keychain: createKeychain(),
      checkConfig: async () => {
        const config = await loadConfig(path);
        const count = listProfiles(config).length;
        return `${path} (${count ? `${count} profile${count === 1 ? '' : 's'}` : 'no profiles: commands use the sandbox'})`;
      },
    });
    if (flags.json) {
      this.log(JSON.stringify({ ...report, strategy }, null, 2));
    } else {
      this.log(`exo doctor — ${environment.displayName} (${strategy})`);
      for (const check of report.checks) {
        this.log(`${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
        if (check.remediation) this.log(`  → ${check.remediation}`);
      }
    }
    if (!report.ok) this.exit(1);
  }
}
