import { connectionStepsScript } from '@exo-connect/core';
import { getEnvironment } from '@exo-connect/env-endpoints';
import { SANDBOX_DEMO_CREDENTIAL, sandboxEnvironment } from '@exo-connect/sandbox';
import { describe, expect, it } from 'vitest';
import { type ShellMessageInput, shellMessage } from './shell-message.js';

const base = (extra: Partial<ShellMessageInput>): ShellMessageInput => ({
  environment: sandboxEnvironment(),
  label: 'sandbox',
  quiet: false,
  env: {},
  platform: 'linux',
  ...extra,
});

describe('shellMessage: core’s connection plan for the interactive pwsh', () => {
  it('plans the documented rps procedure for the sandbox, with its prelude and the password by reference', () => {
    const environment = sandboxEnvironment();
    const { message, warnings } = shellMessage(base({ credential: SANDBOX_DEMO_CREDENTIAL }));
    expect(warnings).toEqual([]);
    expect(message).toEqual({
      label: 'sandbox',
      quiet: false,
      stdinScript: false,
      rpsRetired: false,
      prelude: [...(environment.prelude?.modules ?? [])],
      connect: [
        {
          step: 'session',
          command: 'Connect-ExoRps',
          parameters: {
            ConnectionUri: environment.rps!.connectionUri,
            Authentication: environment.rps!.authentication,
            AllowRedirection: environment.rps!.allowRedirection,
            Credential: { $exoSecret: 'credential' },
          },
        },
        { step: 'import', command: 'Import-ExoRps', parameters: {} },
      ],
      disconnect: [{ command: 'Disconnect-ExoRps', parameters: {} }],
      secrets: {
        credential: {
          kind: 'credential',
          userName: SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
          password: SANDBOX_DEMO_CREDENTIAL.password,
        },
      },
      steps: connectionStepsScript(),
    });
    // The functions the shell runs are the engine's own, and the text is fixed: no value is in it.
    for (const name of ['Connect-ExoRps', 'Import-ExoRps', 'Disconnect-ExoRps', 'New-ExoSessionOption'])
      expect(message.steps).toContain(`function ${name} {`);
    expect(message.steps).not.toContain(SANDBOX_DEMO_CREDENTIAL.password);
  });

  it('plans Connect-ExchangeOnline for the module strategy: the environment, or a device code sign-in', () => {
    const china = getEnvironment('china');
    const { message } = shellMessage(
      base({ environment: china, strategy: 'module', credential: { kind: 'device' } }),
    );
    expect(message.connect.map((c) => c.command)).toEqual(['Connect-ExoModule', 'Get-ExoModuleCommand']);
    expect(message.connect[0]!.parameters.Parameters).toMatchObject({
      ExchangeEnvironmentName: china.module!.exchangeEnvironmentName,
      Device: true,
    });
    expect(message.secrets).toEqual({});
    expect(message.rpsRetired).toBe(china.rps?.status.state === 'retired');
    const password = shellMessage(
      base({
        environment: china,
        strategy: 'module',
        credential: { userPrincipalName: 'a@b.c', password: 'pw' },
      }),
    ).message;
    expect((password.connect[0]!.parameters.Parameters as Record<string, unknown>).Device).toBeUndefined();
    expect(password.secrets.credential).toEqual({ kind: 'credential', userName: 'a@b.c', password: 'pw' });
  });

  it('needs a server URI for exchange-server, and a password for remote PowerShell', () => {
    const onPrem = getEnvironment('exchange-server');
    expect(() => shellMessage(base({ environment: onPrem, strategy: 'rps' }))).toThrow(
      "needs your server's URI",
    );
    const { message } = shellMessage(
      base({ environment: onPrem, strategy: 'rps', connectionUri: 'http://mail.contoso.local/PowerShell/' }),
    );
    expect(message.connect[0]!.parameters.ConnectionUri).toBe('http://mail.contoso.local/PowerShell/');
    expect(() => shellMessage(base({ strategy: 'rps', credential: { kind: 'device' } }))).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        remediation: expect.stringContaining('user name and password'),
      }),
    );
  });

  it('applies the proxy as proxy-config renders it: an HTTP proxy for module, a session option for rps', () => {
    const { message: moduleWithProxy } = shellMessage(
      base({
        strategy: 'module',
        proxy: { proxyUrl: 'http://user:secret@proxy.contoso.com:8080' },
        credential: SANDBOX_DEMO_CREDENTIAL,
      }),
    );
    const [proxy] = moduleWithProxy.connect;
    expect(proxy!.command).toBe('Set-ExoHttpProxy');
    expect(JSON.parse(String(proxy!.parameters.ParametersJson))).toMatchObject({
      mode: 'proxy',
      proxyUrl: 'http://proxy.contoso.com:8080',
    });
    // The proxy password travels as a credential, never inside the JSON the script reads.
    expect(String(proxy!.parameters.ParametersJson)).not.toContain('secret');
    expect(proxy!.parameters.ProxyCredential).toEqual({ $exoSecret: 'proxy' });
    expect(moduleWithProxy.secrets.proxy).toEqual({
      kind: 'credential',
      userName: 'user',
      password: 'secret',
    });

    const rps = shellMessage(base({ proxy: { accessType: 'AutoDetect' }, platform: 'win32' })).message;
    expect(JSON.parse(String(rps.connect[0]!.parameters.SessionOptionJson))).toEqual({
      ProxyAccessType: 'AutoDetect',
    });
    expect(shellMessage(base({})).message.connect[0]!.parameters.SessionOptionJson).toBeUndefined();
    // What the rps strategy cannot use is said, as exo run says it.
    const fromEnv = shellMessage(base({ env: { HTTPS_PROXY: 'http://proxy:3128' }, platform: 'win32' }));
    expect(fromEnv.warnings).toEqual([
      expect.stringContaining('HTTPS_PROXY is not used by the rps strategy'),
    ]);
  });
});
