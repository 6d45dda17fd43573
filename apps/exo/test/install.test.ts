import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = [
  'packages/errors',
  'packages/env-endpoints',
  'packages/proxy-config',
  'packages/pwsh',
  'packages/core',
  'packages/sandbox',
  'packages/cli',
  'apps/exo',
];
let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('exo installed like a real CLI', () => {
  it('packs the app with its workspace packages, installs it with npm, and runs it', async () => {
    dir = await makeTempDir('exo-install-');
    const tarballs = join(dir, 'tarballs');
    for (const pkg of PACKAGES) {
      // pnpm pack turns workspace:^ ranges into the real versions, as a publish would.
      execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, pkg), stdio: 'pipe' });
    }
    const files = readdirSync(tarballs);
    expect(files).toHaveLength(PACKAGES.length);
    const byName = Object.fromEntries(
      files.map((f) => [
        `@exo-connect/${f.replace(/^exo-connect-/, '').replace(/-\d+\.\d+\.\d+\.tgz$/, '')}`,
        `file:${join(tarballs, f)}`,
      ]),
    );
    const prefix = join(dir, 'prefix');
    execFileSync('mkdir', ['-p', prefix]);
    writeFileSync(
      join(prefix, 'package.json'),
      JSON.stringify({
        name: 'exo-install-check',
        private: true,
        dependencies: { '@exo-connect/exo': byName['@exo-connect/exo'] },
        overrides: byName,
      }),
    );
    execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--omit=dev'], {
      stdio: 'pipe',
      timeout: 240_000,
    });
    const exo = join(prefix, 'node_modules', '.bin', 'exo');
    const env = {
      ...process.env,
      NO_COLOR: '1',
      EXO_SANDBOX_DIR: join(dir, 'tenant'),
      EXO_CONFIG_DIR: join(dir, 'config'),
    };
    const run = (args: string[]) =>
      execFileSync(exo, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });

    expect(run(['--version'])).toMatch(/^@exo-connect\/exo\/\d+\.\d+\.\d+ /);
    expect(run(['endpoints', 'list'])).toContain('worldwide');
    const mailboxes = JSON.parse(run(['run', 'Get-Mailbox', '-o', 'json', '--', '-ResultSize', '3']));
    expect(mailboxes).toHaveLength(3);
    expect(mailboxes[0].PrimarySmtpAddress).toBe('admin@sandbox.exo.localhost');
    // exo shell needs its start-up script from the package, and the hook its compiled file.
    const shell = execFileSync(exo, ['shell', '-q'], {
      env,
      encoding: 'utf8',
      input: 'Get-Mailbox -ResultSize 1 | ForEach-Object { "installed-shell:" + $_.PrimarySmtpAddress }\n',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 180_000,
    });
    expect(shell).toMatch(/^installed-shell:admin@sandbox\.exo\.localhost$/m);
    const unknown = spawnSync(exo, ['rnu'], { env, encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Did you mean "exo run"?');
  }, 420_000);
});
