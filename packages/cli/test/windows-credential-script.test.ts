import { ExoError } from '@exo-connect/core';
import { testPwsh } from '@exo-connect/test-utils';
import { describe, expect, it } from 'vitest';
import { createKeychain } from '../src/keychain/keychain.js';
import { runCommand } from '../src/keychain/run-command.js';
import { encodedWindowsCredentialScript } from '../src/keychain/windows-credential-script.js';

// The Credential Manager script run by a real pwsh. Off Windows, advapi32 does not exist: everything up to the
// Win32 call runs for real (decoding the command, reading the JSON request, compiling the C# class, choosing
// the operation, answering), and the call itself fails, which exercises the error path. The Win32 calls
// themselves can only run on Windows.
const pwsh = testPwsh();
const ARGS = [
  '-NoLogo',
  '-NoProfile',
  '-NonInteractive',
  '-EncodedCommand',
  encodedWindowsCredentialScript(),
];
const PASSWORD = 'Pä55-wörd "x" $(nope) ✓';

async function ask(input: string) {
  const result = await runCommand(pwsh, ARGS, { input, env: { ...process.env }, timeoutMs: 120_000 });
  expect(result.code).toBe(0);
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return { answer: JSON.parse(lines[0]!) as { ok: boolean; error?: string }, result };
}

describe.runIf(process.platform !== 'win32')('the Windows Credential Manager script, off Windows', () => {
  it('reads the request, compiles, and answers one JSON line whose error never holds the password', async () => {
    for (const op of ['get', 'set', 'delete']) {
      const request = {
        op,
        account: 'admin@contoso.com',
        target: 'exo-connect:admin@contoso.com',
        password: PASSWORD,
      };
      const { answer, result } = await ask(JSON.stringify(request));
      expect(answer.ok).toBe(false);
      // Not a compile error: the C# class was built, and the failure is the missing Win32 library.
      expect(answer.error).toBeTruthy();
      expect(answer.error).not.toMatch(/error CS\d{4}|Cannot add type|unknown operation/i);
      expect(result.stdout).not.toContain('Pä55');
      expect(result.stderr).not.toContain('Pä55');
    }
  });

  it('chooses the operation from the request', async () => {
    const { answer } = await ask(
      JSON.stringify({ op: 'list', account: 'a@b.c', target: 'exo-connect:a@b.c' }),
    );
    expect(answer).toEqual({ ok: false, error: "unknown operation 'list'" });
  });

  it('refuses a request that is not JSON without quoting it', async () => {
    const { answer, result } = await ask(`not json ${PASSWORD}`);
    expect(answer).toEqual({ ok: false, error: 'the request on stdin was not one JSON object' });
    expect(result.stderr).not.toContain('Pä55');
  });

  it('surfaces the failure through createKeychain as CREDENTIAL_MISSING', async () => {
    const keychain = createKeychain({ platform: 'win32', env: { ...process.env }, pwshPath: pwsh });
    expect(await keychain.availability()).toEqual({ available: true });
    const error = await keychain.setPassword('admin@contoso.com', PASSWORD).catch((e: unknown) => e);
    expect(ExoError.is(error, 'CREDENTIAL_MISSING')).toBe(true);
    expect((error as ExoError).message).toMatch(
      /^Storing the password failed: Windows Credential Manager: ./,
    );
    expect((error as ExoError).message).not.toContain('Pä55');
  });
});
