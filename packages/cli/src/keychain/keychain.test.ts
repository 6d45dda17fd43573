import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExoError } from '@exo-connect/core';
import { installFakeSecretTool, withTempDir } from '@exo-connect/test-utils';
import { describe, expect, it } from 'vitest';
import { createKeychain, MAX_KEYCHAIN_SECRET_BYTES } from './keychain.js';
import type { CommandRunner } from './run-command.js';

async function failure(promise: Promise<unknown>, code = 'CREDENTIAL_MISSING'): Promise<ExoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ExoError.is(error)).toBe(true);
  expect((error as ExoError).code).toBe(code);
  return error as ExoError;
}

async function withFakeSecretTool(fn: (bin: string) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const bin = join(dir, 'bin');
    await installFakeSecretTool(bin);
    await fn(bin);
  });
}

describe('createKeychain on Linux (secret-tool)', () => {
  it('is unavailable without secret-tool on PATH, and says what to use instead', async () => {
    await withTempDir(async (empty) => {
      const keychain = createKeychain({
        platform: 'linux',
        env: { PATH: empty, DBUS_SESSION_BUS_ADDRESS: 'x' },
      });
      expect(keychain.backend).toBe('secret-tool');
      expect(await keychain.isAvailable()).toBe(false);
      expect(await keychain.availability()).toEqual({
        available: false,
        reason: 'secret-tool (libsecret) is not on PATH',
      });
      const error = await failure(keychain.getPassword('admin@contoso.com'));
      expect(error.message).toBe('No OS keychain found: secret-tool (libsecret) is not on PATH.');
      expect(error.remediation).toContain('--password-stdin');
      expect(error.remediation).toContain('prompt');
      await failure(keychain.setPassword('admin@contoso.com', 'pw'));
      await failure(keychain.deletePassword('admin@contoso.com'));
    });
  });

  it('is unavailable without a D-Bus session, and available with either kind of bus', async () => {
    await withFakeSecretTool(async (bin) => {
      const noBus = createKeychain({ platform: 'linux', env: { PATH: bin, XDG_RUNTIME_DIR: bin } });
      expect((await noBus.availability()).reason).toMatch(/no D-Bus session/);
      await writeFile(join(bin, 'bus'), '');
      expect(
        await createKeychain({ platform: 'linux', env: { PATH: bin, XDG_RUNTIME_DIR: bin } }).isAvailable(),
      ).toBe(true);
      const addressed = createKeychain({
        platform: 'linux',
        env: { PATH: bin, DBUS_SESSION_BUS_ADDRESS: 'unix:x' },
      });
      expect(await addressed.availability()).toEqual({ available: true });
    });
  });

  it('stores, reads and clears a password, passing it only on stdin', async () => {
    await withFakeSecretTool(async (bin) => {
      const env = { PATH: bin, DBUS_SESSION_BUS_ADDRESS: 'unix:x', EXO_PASSWORD: 'from-env' };
      const keychain = createKeychain({ platform: 'linux', env });
      const secret = 'pä$$ w0rd\'"`$(x)\n😀';
      expect(await keychain.getPassword('admin@contoso.com')).toBeUndefined();
      await keychain.setPassword('admin@contoso.com', secret);
      expect(await keychain.getPassword('admin@contoso.com')).toBe(secret);
      expect(await keychain.deletePassword('admin@contoso.com')).toBe(true);
      expect(await keychain.deletePassword('admin@contoso.com')).toBe(false);
      expect(await keychain.getPassword('admin@contoso.com')).toBeUndefined();

      const argv = await readFile(join(bin, 'argv.log'), 'utf8');
      expect(argv).toContain(
        'store --label=exo-connect: admin@contoso.com service exo-connect account admin@contoso.com',
      );
      expect(argv).toContain('lookup service exo-connect account admin@contoso.com');
      expect(argv).toContain('clear service exo-connect account admin@contoso.com');
      expect(argv).not.toContain('pä');
      expect(new Set((await readFile(join(bin, 'env.log'), 'utf8')).trim().split('\n'))).toEqual(
        new Set(['unset']),
      );
    });
  });

  it("reports the keychain's own error, never the password", async () => {
    await withFakeSecretTool(async (bin) => {
      const keychain = createKeychain({
        platform: 'linux',
        env: { PATH: bin, DBUS_SESSION_BUS_ADDRESS: 'unix:x' },
      });
      const error = await failure(keychain.setPassword('locked@contoso.com', 'hunter2'));
      expect(error.message).toBe(
        'Storing the password failed: the keychain exited with 1: secret-tool: Cannot create an item in a locked collection.',
      );
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain('hunter2');
      await failure(keychain.getPassword('locked@contoso.com'));
    });
  });

  it('refuses an empty or oversized password and a bad account name', async () => {
    const keychain = createKeychain({ platform: 'linux', env: { PATH: '' } });
    await failure(keychain.setPassword('a@b.c', ''), 'INVALID_ARGUMENT');
    await failure(
      keychain.setPassword('a@b.c', 'x'.repeat(MAX_KEYCHAIN_SECRET_BYTES + 1)),
      'INVALID_ARGUMENT',
    );
    await failure(keychain.getPassword('bad\naccount'), 'INVALID_ARGUMENT');
  });
});

describe('createKeychain on macOS (security)', () => {
  /** Plays `security` against an in-memory keychain, parsing `-i` lines the way the tool splits them. */
  function fakeSecurity() {
    const items = new Map<string, string>();
    const calls: Array<{ args: readonly string[]; input?: string }> = [];
    const option = (args: readonly string[], flag: string) => args[args.indexOf(flag) + 1]!;
    const run: CommandRunner = async (_file, args, { input }) => {
      calls.push({ args, input });
      let line = args;
      if (args[0] === '-i') line = (input ?? '').trim().split(/\s+/);
      const key = `${option(line, '-s')}/${option(line, '-a')}`;
      switch (line[0]) {
        case 'add-generic-password':
          items.set(key, option(line, '-w'));
          return { code: 0, stdout: '', stderr: '' };
        case 'find-generic-password':
          return items.has(key)
            ? { code: 0, stdout: `${items.get(key)}\n`, stderr: '' }
            : {
                code: 44,
                stdout: '',
                stderr:
                  'security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.\n',
              };
        case 'delete-generic-password':
          return items.delete(key)
            ? { code: 0, stdout: '', stderr: '' }
            : { code: 44, stdout: '', stderr: 'The specified item could not be found in the keychain.' };
      }
      return { code: 1, stdout: '', stderr: 'unknown command' };
    };
    return { run, calls, items };
  }

  it('keeps the password out of argv by writing the command to security -i', async () => {
    const fake = fakeSecurity();
    const keychain = createKeychain({
      platform: 'darwin',
      run: fake.run,
      securityPath: process.execPath,
      env: {},
    });
    const secret = 'pässword with spaces\nand a newline';
    await keychain.setPassword('admin@contoso.com', secret);
    expect(fake.calls[0]!.args).toEqual(['-i']);
    expect(fake.calls[0]!.input).toMatch(
      /^add-generic-password -U -s exo-connect -a admin@contoso\.com -l exo-connect -w exo-connect-base64:[A-Za-z0-9+/=]+\n$/,
    );
    for (const call of fake.calls) expect(call.args.join(' ')).not.toContain('pässword');
    expect(await keychain.getPassword('admin@contoso.com')).toBe(secret);
    expect(await keychain.deletePassword('admin@contoso.com')).toBe(true);
    expect(await keychain.getPassword('admin@contoso.com')).toBeUndefined();
    expect(await keychain.deletePassword('admin@contoso.com')).toBe(false);
  });

  it('fails when the item cannot be read back after storing', async () => {
    const fake = fakeSecurity();
    const run: CommandRunner = async (file, args, options) =>
      args[0] === '-i' ? { code: 0, stdout: '', stderr: '' } : fake.run(file, args, options);
    const keychain = createKeychain({ platform: 'darwin', run, securityPath: process.execPath, env: {} });
    await failure(keychain.setPassword('admin@contoso.com', 'pw'));
  });

  it('refuses account names that security -i would split, and a missing tool', async () => {
    const fake = fakeSecurity();
    const keychain = createKeychain({
      platform: 'darwin',
      run: fake.run,
      securityPath: process.execPath,
      env: {},
    });
    await failure(keychain.setPassword('a b@contoso.com', 'pw'), 'INVALID_ARGUMENT');
    expect(fake.calls).toEqual([]);
    const absent = createKeychain({ platform: 'darwin', securityPath: '/nonexistent/security', env: {} });
    expect(await absent.availability()).toEqual({
      available: false,
      reason: '/nonexistent/security is missing',
    });
    await failure(absent.getPassword('a@b.c'));
  });
});

describe('createKeychain on Windows (Credential Manager through pwsh)', () => {
  /**
   * A stand-in for the pwsh that runs the Credential Manager script: it answers the script's contract (one
   * JSON request on stdin, one JSON answer on stdout) from a map, and records what it was given.
   */
  function fakePwsh(store: Map<string, string>) {
    const calls: Array<{ file: string; args: readonly string[]; input: string; env: NodeJS.ProcessEnv }> = [];
    const run: CommandRunner = async (file, args, options) => {
      calls.push({ file, args, input: options.input ?? '', env: options.env });
      const request = JSON.parse(options.input ?? '') as Record<string, string>;
      const target = request.target!;
      let answer: Record<string, unknown>;
      if (request.op === 'get')
        answer = { ok: true, found: store.has(target), password: store.get(target) ?? null };
      else if (request.op === 'set') {
        store.set(target, request.password!);
        answer = { ok: true };
      } else answer = { ok: true, found: store.delete(target) };
      return { code: 0, stdout: `${JSON.stringify(answer)}\n`, stderr: '' };
    };
    return { run, calls };
  }

  it('stores, reads and removes a password, passing it only on stdin as JSON', async () => {
    await withTempDir(async (dir) => {
      const pwsh = join(dir, 'pwsh');
      await writeFile(pwsh, '');
      await chmod(pwsh, 0o755);
      const store = new Map<string, string>();
      const { run, calls } = fakePwsh(store);
      const keychain = createKeychain({
        platform: 'win32',
        env: { EXO_PASSWORD: 'from-env', PATH: dir },
        pwshPath: pwsh,
        run,
      });
      expect(keychain.backend).toBe('windows-credential-manager');
      expect(await keychain.availability()).toEqual({ available: true });
      const password = 'Pä55 wörd "quoted" \\ ;$(x)';
      await keychain.setPassword('admin@contoso.com', password);
      expect([...store.entries()]).toEqual([['exo-connect:admin@contoso.com', password]]);
      expect(await keychain.getPassword('admin@contoso.com')).toBe(password);
      expect(await keychain.getPassword('other@contoso.com')).toBeUndefined();
      expect(await keychain.deletePassword('admin@contoso.com')).toBe(true);
      expect(await keychain.deletePassword('admin@contoso.com')).toBe(false);
      expect(calls).toHaveLength(5);
      for (const call of calls) {
        expect(call.file).toBe(pwsh);
        expect(call.args.slice(0, 4)).toEqual([
          '-NoLogo',
          '-NoProfile',
          '-NonInteractive',
          '-EncodedCommand',
        ]);
        // The script is fixed: the same argv whatever the account or password.
        expect(call.args).toEqual(calls[0]!.args);
        expect(call.args.join(' ')).not.toContain('contoso');
        expect(call.env.EXO_PASSWORD).toBeUndefined();
      }
      expect(JSON.parse(calls[0]!.input)).toEqual({
        op: 'set',
        account: 'admin@contoso.com',
        password,
        target: 'exo-connect:admin@contoso.com',
      });
      expect(Buffer.from(calls[0]!.args[4]!, 'base64').toString('utf16le')).toContain(
        '# exo-connect keychain: Windows Credential Manager v1',
      );
    });
  });

  it("reports Credential Manager's error, or a script that did not answer, never the password", async () => {
    await withTempDir(async (dir) => {
      const pwsh = join(dir, 'pwsh');
      await writeFile(pwsh, '');
      await chmod(pwsh, 0o755);
      const refusing: CommandRunner = async () => ({
        code: 0,
        stdout: `${JSON.stringify({ ok: false, error: 'Element not found.\u001b[31m' })}\n`,
        stderr: '',
      });
      const error = await failure(
        createKeychain({ platform: 'win32', env: {}, pwshPath: pwsh, run: refusing }).setPassword(
          'a@b.c',
          'secret-pw',
        ),
      );
      expect(error.message).toBe(
        'Storing the password failed: Windows Credential Manager: Element not found.\ufffd[31m.',
      );
      expect(error.message).not.toContain('secret-pw');
      const crashing: CommandRunner = async () => ({
        code: 1,
        stdout: '',
        stderr: 'Add-Type: blocked by policy',
      });
      const crashed = await failure(
        createKeychain({ platform: 'win32', env: {}, pwshPath: pwsh, run: crashing }).getPassword('a@b.c'),
      );
      expect(crashed.message).toBe(
        'Reading the password failed: the keychain exited with 1: Add-Type: blocked by policy.',
      );
    });
  });

  it('is unavailable without pwsh, and says what to use instead', async () => {
    const keychain = createKeychain({ platform: 'win32', env: {}, pwshPath: '/nonexistent/pwsh' });
    expect(await keychain.isAvailable()).toBe(false);
    const error = await failure(keychain.setPassword('a@b.c', 'pw'));
    expect(error.message).toBe('No OS keychain found: /nonexistent/pwsh is missing.');
    expect(error.remediation).toContain('--password-stdin');
    expect(error.remediation).toContain('PowerShell 7');
  });
});
