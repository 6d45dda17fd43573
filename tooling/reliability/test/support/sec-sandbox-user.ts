/**
 * Creates sandbox accounts that sign in with a chosen password. The password travels the way exo-connect sends
 * secrets (the bridge's side channel, built into a SecureString in pwsh), so setting it up leaks nothing the
 * secrets suite would then find.
 */
import { type Frame, PwshBridge, type SecretValue } from '@exo-connect/core';
import {
  SANDBOX_CONNECTION_URI,
  SANDBOX_DEMO_CREDENTIAL,
  SANDBOX_EXO_MODULE_PATH,
  SANDBOX_MODULE_PATH,
} from '@exo-connect/sandbox';

export interface SandboxAccount {
  /** The mailbox name, also its alias. */
  name: string;
  userPrincipalName: string;
  password: string;
}

async function run(
  bridge: PwshBridge,
  command: string,
  parameters: Record<string, unknown>,
  secrets?: Record<string, SecretValue>,
): Promise<Frame[]> {
  const frames: Frame[] = [];
  const request = bridge.request(command, parameters as never, { secrets });
  let step = await request.next();
  while (!step.done) {
    frames.push(step.value);
    step = await request.next();
  }
  const error = frames.find((f) => f.t === 'e');
  if (!step.value.ok || error) {
    const message = error && 'message' in error ? String(error.message) : 'failed';
    throw new Error(`${command}: ${message}`);
  }
  return frames;
}

/** Opens one admin session on the tenant in `env` (EXO_SANDBOX_DIR) and creates each account. */
export async function createSandboxAccounts(
  env: Record<string, string>,
  accounts: readonly SandboxAccount[],
): Promise<void> {
  const bridge = await PwshBridge.start({ env });
  try {
    await run(bridge, 'Import-ExoPrelude', { Module: [SANDBOX_MODULE_PATH, SANDBOX_EXO_MODULE_PATH] });
    await run(
      bridge,
      'Connect-ExoRps',
      {
        ConnectionUri: SANDBOX_CONNECTION_URI,
        Authentication: 'Basic',
        AllowRedirection: true,
        Credential: { $exoSecret: 'admin' },
      },
      {
        admin: {
          kind: 'credential',
          userName: SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
          password: SANDBOX_DEMO_CREDENTIAL.password,
        },
      },
    );
    await run(bridge, 'Import-ExoRps', { CommandName: ['New-Mailbox'] });
    for (const account of accounts) {
      await run(
        bridge,
        'New-Mailbox',
        {
          Name: account.name,
          Alias: account.name,
          MicrosoftOnlineServicesID: account.userPrincipalName,
          Password: { $exoSecret: 'password' },
        },
        { password: { kind: 'secureString', value: account.password } },
      );
    }
    await run(bridge, 'Disconnect-ExoRps', {});
  } finally {
    await bridge.close();
  }
}
