import { describe, expect, it } from 'vitest';
import { connectionPlan } from './connection-plan.js';

const credential = { userPrincipalName: 'admin@contoso.com', password: 'Pa55w.rd' };

describe('connectionPlan', () => {
  it('plans the rps steps as fixed commands with the password only as a reference', () => {
    const plan = connectionPlan({
      environment: 'exchange-server',
      connectionUri: 'http://mail.contoso.local/PowerShell/',
      strategy: 'rps',
      credential,
      commandNames: ['Get-Mailbox'],
      env: {},
      platform: 'linux',
    });
    expect(plan).toMatchObject({ environment: 'exchange-server', strategy: 'rps', rpsRetired: false });
    expect(plan.connect.map((c) => `${c.step}:${c.command}`)).toEqual([
      'session:Connect-ExoRps',
      'import:Import-ExoRps',
    ]);
    const [session, imported] = plan.connect;
    expect(session!.parameters).toEqual({
      ConnectionUri: 'http://mail.contoso.local/PowerShell/',
      Authentication: 'Kerberos',
      AllowRedirection: false,
      Credential: { $exoSecret: 'credential' },
    });
    expect(JSON.stringify(session!.parameters)).not.toContain(credential.password);
    expect(session!.secrets.credential).toEqual({
      kind: 'credential',
      userName: credential.userPrincipalName,
      password: credential.password,
    });
    expect(imported!.parameters).toEqual({ CommandName: ['Get-Mailbox'] });
    expect(plan.disconnect.map((c) => c.command)).toEqual(['Disconnect-ExoRps']);
  });

  it('plans the rest strategy by default for an Exchange Online cloud: no PowerShell, the proxy in Node', () => {
    const plan = connectionPlan({
      environment: 'gcc-high',
      credential: { kind: 'device' },
      proxy: { proxyUrl: 'http://127.0.0.1:3128' },
      env: {},
      platform: 'linux',
    });
    expect(plan.strategy).toBe('rest');
    // The token is had in the credential step; the session and import steps are the transport's own.
    expect(plan.connect.map((c) => c.command)).toEqual(['Connect-ExoRest', 'Get-ExoRestCommand']);
  });

  it('plans the module strategy, a proxy first, with every sign-in as data', () => {
    const plan = connectionPlan({
      environment: 'gcc-high',
      strategy: 'module',
      credential: { kind: 'device' },
      proxy: { proxyUrl: 'http://127.0.0.1:3128' },
      env: {},
      platform: 'linux',
    });
    expect(plan.strategy).toBe('module');
    expect(plan.connect.map((c) => c.command)).toEqual([
      'Set-ExoHttpProxy',
      'Connect-ExoModule',
      'Get-ExoModuleCommand',
    ]);
    expect(plan.connect[1]!.parameters.Parameters).toMatchObject({
      ExchangeEnvironmentName: 'O365USGovGCCHigh',
      Device: true,
    });
  });

  it('refuses what connect() would refuse, before anything starts', () => {
    expect(() => connectionPlan({ environment: 'exchange-server', strategy: 'rps', env: {} })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { field: 'connectionUri' } }),
    );
    expect(() => connectionPlan({ environment: 'mars' })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_ENVIRONMENT' }),
    );
    expect(() =>
      connectionPlan({ environment: 'worldwide', credential: { kind: 'certificate', appId: 'a' } as never }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
