import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withTempDir } from '@exo-connect/test-utils';
import { describe, expect, it } from 'vitest';
import { NEW_SESSION_OPTION_SCRIPT, renderSessionOption, resolveProxyOptions } from '../src/index.js';
import { runFixedScript, runPwsh } from './run-fixed-script.js';

// Reads every option back from the PSSessionOption object New-PSSessionOption returned.
const READ_BACK = `param($Option, $Data)
[ordered]@{
    Type = $Option.GetType().FullName
    ProxyAccessType = $Option.ProxyAccessType.ToString()
    ProxyAuthentication = $Option.ProxyAuthentication.ToString()
    ProxyUserName = if ($Option.ProxyCredential) { $Option.ProxyCredential.UserName } else { $null }
    ProxyPassword = if ($Option.ProxyCredential) { $Option.ProxyCredential.GetNetworkCredential().Password } else { $null }
    OpenTimeout = $Option.OpenTimeout.TotalMilliseconds
    OperationTimeout = $Option.OperationTimeout.TotalMilliseconds
    IdleTimeout = $Option.IdleTimeout.TotalMilliseconds
    SkipCACheck = $Option.SkipCACheck
    SkipCNCheck = $Option.SkipCNCheck
    SkipRevocationCheck = $Option.SkipRevocationCheck
    Culture = if ($Option.Culture) { $Option.Culture.Name } else { $null }
    UICulture = if ($Option.UICulture) { $Option.UICulture.Name } else { $null }
    CmdletParameters = @((Get-Command -Name 'Microsoft.PowerShell.Core\\New-PSSessionOption').Parameters.Keys)
}
`;

interface ReadBack {
  Type: string;
  ProxyAccessType: string;
  ProxyAuthentication: string;
  ProxyUserName: string | null;
  ProxyPassword: string | null;
  OpenTimeout: number;
  OperationTimeout: number;
  IdleTimeout: number;
  SkipCACheck: boolean;
  SkipCNCheck: boolean;
  SkipRevocationCheck: boolean;
  Culture: string | null;
  UICulture: string | null;
  CmdletParameters: string[];
}

describe('NEW_SESSION_OPTION_SCRIPT with the real New-PSSessionOption', () => {
  it('splats every rendered option (as JSON) into New-PSSessionOption and reads each one back', async () => {
    // Rendered for Windows so every parameter is present, the proxy ones included. Where pwsh lacks a
    // parameter (Linux/macOS compile them out), the script sets it on the PSSessionOption object instead.
    const resolved = resolveProxyOptions({
      platform: 'win32',
      env: {},
      flags: {
        accessType: 'WinHttpConfig',
        authentication: 'Digest',
        credential: { userName: 'CORP\\proxy-user', password: 'Pa55\'; $(exit 7) `$x"' },
        openTimeoutMs: 45_000,
        operationTimeoutMs: 150_000,
        idleTimeoutMs: 900_000,
        skipCACheck: true,
        skipCNCheck: true,
        skipRevocationCheck: true,
        culture: 'fr-CA',
        uiCulture: 'ja-JP',
      },
    });
    const rendered = renderSessionOption(resolved);
    const parametersJson = JSON.stringify(rendered.parameters);
    expect(parametersJson).not.toContain('Pa55');
    const option = await runFixedScript<ReadBack>({
      script: NEW_SESSION_OPTION_SCRIPT,
      parametersJson,
      credential: rendered.secret.proxyCredential,
      probe: READ_BACK,
    });
    expect(option).toMatchObject({
      Type: 'System.Management.Automation.Remoting.PSSessionOption',
      ProxyAccessType: 'WinHttpConfig',
      ProxyAuthentication: 'Digest',
      ProxyUserName: 'CORP\\proxy-user',
      ProxyPassword: 'Pa55\'; $(exit 7) `$x"',
      OpenTimeout: 45_000,
      OperationTimeout: 150_000,
      IdleTimeout: 900_000,
      SkipCACheck: true,
      SkipCNCheck: true,
      SkipRevocationCheck: true,
      Culture: 'fr-CA',
      UICulture: 'ja-JP',
    });
    // Why the fallback exists: PowerShell outside Windows has only -SkipCACheck and -SkipCNCheck.
    expect(option.CmdletParameters).toContain('SkipCACheck');
    expect(option.CmdletParameters.includes('ProxyAccessType')).toBe(process.platform === 'win32');
  });

  it(`builds the options rendered for this platform (${process.platform}), with IdleTimeout -1`, async () => {
    const resolved = resolveProxyOptions({
      env: {},
      config: { openTimeoutMs: 5_000, idleTimeoutMs: -1, skipCNCheck: true, culture: 'de-DE' },
    });
    const rendered = renderSessionOption(resolved);
    const option = await runFixedScript<ReadBack>({
      script: NEW_SESSION_OPTION_SCRIPT,
      parametersJson: JSON.stringify(rendered.parameters),
      credential: rendered.secret.proxyCredential,
      probe: READ_BACK,
    });
    expect(option).toMatchObject({
      ProxyAccessType: 'None',
      ProxyUserName: null,
      OpenTimeout: 5_000,
      OperationTimeout: 180_000,
      IdleTimeout: -1,
      SkipCACheck: false,
      SkipCNCheck: true,
      SkipRevocationCheck: false,
      Culture: 'de-DE',
      UICulture: null,
    });
  });

  it('refuses a parameter name it does not know', async () => {
    const run = await runPwsh({
      script: NEW_SESSION_OPTION_SCRIPT,
      parametersJson: JSON.stringify({ NoEncryption: true }),
      probe: READ_BACK,
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain("New-PSSessionOption parameter 'NoEncryption' is not supported");
  });

  it('treats a value as data, never as code', async () => {
    await withTempDir(async (dir) => {
      const marker = join(dir, 'ran.txt');
      const run = await runPwsh({
        script: NEW_SESSION_OPTION_SCRIPT,
        parametersJson: JSON.stringify({ Culture: `$(Set-Content -LiteralPath '${marker}' -Value ran)` }),
        probe: READ_BACK,
      });
      expect(run.exitCode).not.toBe(0);
      expect(run.stderr).toMatch(/culture/i);
      expect(existsSync(marker)).toBe(false);
    });
  });
});
