import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPwsh, pwshCandidates } from './find-pwsh.js';

describe('pwshCandidates', () => {
  it('is EXO_PWSH alone when it is set', () => {
    expect(pwshCandidates({ env: { EXO_PWSH: '/opt/pwsh', PATH: '/usr/bin' } })).toEqual([
      { path: '/opt/pwsh', source: 'EXO_PWSH' },
    ]);
  });

  it('is each PATH directory in order, then the .NET global tool', () => {
    expect(pwshCandidates({ env: { PATH: '/a::/b' }, platform: 'linux', home: '/home/u' })).toEqual([
      { path: join('/a', 'pwsh'), source: 'PATH' },
      { path: join('/b', 'pwsh'), source: 'PATH' },
      { path: join('/home/u', '.dotnet', 'tools', 'pwsh'), source: 'dotnet-tool' },
    ]);
  });

  it('looks for pwsh.exe on Windows, in the ;-separated Path', () => {
    expect(
      pwshCandidates({ env: { Path: 'C:\\a;C:\\b' }, platform: 'win32', home: 'C:\\Users\\u' }).map(
        (c) => c.path,
      ),
    ).toEqual([
      join('C:\\a', 'pwsh.exe'),
      join('C:\\b', 'pwsh.exe'),
      join('C:\\Users\\u', '.dotnet', 'tools', 'pwsh.exe'),
    ]);
  });
});

describe('findPwsh', () => {
  const none = () => false;

  it('takes EXO_PWSH as given, without checking it', () => {
    expect(findPwsh({ env: { EXO_PWSH: '/opt/pwsh' }, isExecutable: none })).toEqual({
      path: '/opt/pwsh',
      source: 'EXO_PWSH',
    });
  });

  it('returns the first executable candidate, or nothing', () => {
    const tool = join('/home/u', '.dotnet', 'tools', 'pwsh');
    const found = new Set([join('/b', 'pwsh'), tool]);
    const isExecutable = (p: string) => found.has(p);
    const options = { platform: 'linux' as const, home: '/home/u', isExecutable };
    expect(findPwsh({ ...options, env: { PATH: '/a:/b' } })?.path).toBe(join('/b', 'pwsh'));
    expect(findPwsh({ ...options, env: { PATH: '/a' } })).toEqual({ path: tool, source: 'dotnet-tool' });
    expect(findPwsh({ ...options, env: { PATH: '/a' }, isExecutable: none })).toBeUndefined();
  });
});
