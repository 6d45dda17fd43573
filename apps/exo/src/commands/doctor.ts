import { presentError } from '@exo-connect/cli';
import { locatePwsh, MINIMUM_PWSH_VERSION } from '@exo-connect/core';
import { Command, Flags } from '@oclif/core';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  remediation?: string;
}

export default class Doctor extends Command {
  static override summary = 'Check that this machine can connect to Exchange PowerShell.';
  static override description =
    'Runs each check and prints one line per check with ✓ or ✗ and, for a failure, what to do. ' +
    'Exits non-zero when something is broken.';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json'];
  static override flags = {
    json: Flags.boolean({ description: 'Print the checks as JSON.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const checks: Check[] = [];
    try {
      const pwsh = await locatePwsh();
      const via = pwsh.resolvedFromShim ? ` (via ${pwsh.foundAt})` : '';
      checks.push({
        name: 'pwsh',
        ok: true,
        detail: `PowerShell ${pwsh.version} at ${pwsh.executable}${via}`,
      });
    } catch (error) {
      const presented = presentError(error);
      checks.push({
        name: 'pwsh',
        ok: false,
        detail: `${presented.message} (need ${MINIMUM_PWSH_VERSION} or later)`,
        remediation: presented.remediation,
      });
    }

    if (flags.json) {
      this.log(JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2));
    } else {
      for (const check of checks) {
        this.log(`${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
        if (check.remediation) this.log(`  → ${check.remediation}`);
      }
    }
    if (!checks.every((c) => c.ok)) this.exit(1);
  }
}
