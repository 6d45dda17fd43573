import { ExoError } from '@exo-connect/core';
import { getEnvironment } from '@exo-connect/env-endpoints';
import { APPLY_HTTP_PROXY_SCRIPT, NEW_SESSION_OPTION_SCRIPT } from '@exo-connect/proxy-config';
import { SANDBOX_DEMO_CREDENTIAL, sandboxEnvironment } from '@exo-connect/sandbox';
import { describe, expect, it } from 'vitest';
import { planShell, type ShellPlanInput } from './shell-plan.js';

const base = (extra: Partial<ShellPlanInput>): ShellPlanInput => ({
  environment: sandboxEnvironment(),
  label: 'sandbox',
  quiet: false,
  env: {},
  platform: 'linux',
  ...extra,
});

function failure(fn: () => unknown): ExoError {
  try {
    fn();
  } catch (error) {
    expect(ExoError.is(error)).toBe(true);
    return error as ExoError;
  }
  throw new Error('expected an ExoError');
}

describe('planShell', () => {
  it('plans the documented rps procedure for the sandbox, with its prelude and the password', () => {
    const environment = sandboxEnvironment();
    const plan = planShell(base({ credential: SANDBOX_DEMO_CREDENTIAL }));
    expect(plan).toEqual({
      label: 'sandbox',
      quiet: false,
      stdinScript: false,
      strategy: 'rps',
      rpsRetired: false,
      modules: [...(environment.prelude?.modules ?? [])],
      credential: {
        userName: SANDBOX_DEMO_CREDENTIAL.userPrincipalName,
        password: SANDBOX_DEMO_CREDENTIAL.password,
      },
      session: {
        ConnectionUri: environment.rps!.connectionUri,
        Authentication: environment.rps!.authentication,
        AllowRedirection: environment.rps!.allowRedirection,
      },
      warnings: [],
    });
  });

  it('plans Connect-ExchangeOnline for the module strategy: the environment, or a device code sign-in', () => {
    const china = getEnvironment('china');
    const plan = planShell(base({ environment: china, strategy: 'module', credential: { kind: 'device' } }));
    expect(plan.strategy).toBe('module');
    expect(plan.session).toBeUndefined();
    expect(plan.credential).toBeUndefined();
    expect(plan.connect).toMatchObject({
      ExchangeEnvironmentName: china.module!.exchangeEnvironmentName,
      Device: true,
    });
    expect(plan.rpsRetired).toBe(china.rps?.status.state === 'retired');
    const password = planShell(
      base({
        environment: china,
        strategy: 'module',
        credential: { userPrincipalName: 'a@b.c', password: 'pw' },
      }),
    );
    expect(password.connect?.Device).toBeUndefined();
    expect(password.credential).toEqual({ userName: 'a@b.c', password: 'pw' });
  });

  it('needs a server URI for exchange-server, and a password for remote PowerShell', () => {
    const onPrem = getEnvironment('exchange-server');
    expect(failure(() => planShell(base({ environment: onPrem, strategy: 'rps' }))).message).toContain(
      "needs your server's URI",
    );
    const plan = planShell(
      base({ environment: onPrem, strategy: 'rps', connectionUri: 'http://mail.contoso.local/PowerShell/' }),
    );
    expect(plan.session?.ConnectionUri).toBe('http://mail.contoso.local/PowerShell/');
    const device = failure(() => planShell(base({ strategy: 'rps', credential: { kind: 'device' } })));
    expect(device.code).toBe('INVALID_ARGUMENT');
    expect(device.remediation).toContain('-u user@domain');
  });

  it('applies the proxy as proxy-config renders it: an HTTP proxy for module, a session option for rps', () => {
    const moduleWithProxy = planShell(
      base({
        strategy: 'module',
        proxy: { proxyUrl: 'http://user:secret@proxy.contoso.com:8080' },
        credential: SANDBOX_DEMO_CREDENTIAL,
      }),
    );
    expect(moduleWithProxy.httpProxy?.script).toBe(APPLY_HTTP_PROXY_SCRIPT);
    expect(JSON.parse(moduleWithProxy.httpProxy!.parametersJson)).toMatchObject({
      mode: 'proxy',
      proxyUrl: 'http://proxy.contoso.com:8080',
    });
    // The proxy password travels as a credential, never inside the JSON the script reads.
    expect(moduleWithProxy.httpProxy!.parametersJson).not.toContain('secret');
    expect(moduleWithProxy.proxyCredential).toEqual({ userName: 'user', password: 'secret' });

    const rps = planShell(base({ proxy: { accessType: 'AutoDetect' }, platform: 'win32' }));
    expect(rps.sessionOption?.script).toBe(NEW_SESSION_OPTION_SCRIPT);
    expect(JSON.parse(rps.sessionOption!.parametersJson)).toEqual({ ProxyAccessType: 'AutoDetect' });
    expect(planShell(base({})).sessionOption).toBeUndefined();
    // What the rps strategy cannot use is said, as exo run says it.
    const rpsFromEnv = planShell(base({ env: { HTTPS_PROXY: 'http://proxy:3128' }, platform: 'win32' }));
    expect(rpsFromEnv.warnings).toEqual([
      expect.stringContaining('HTTPS_PROXY is not used by the rps strategy'),
    ]);
  });
});
