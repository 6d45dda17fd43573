import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxError } from './errors/sandbox-error.js';
import { resolvePwsh } from './resolve-pwsh.js';

describe('resolvePwsh', () => {
  const none = () => false;

  it('takes the pwsh option first, then EXO_PWSH, without checking either', () => {
    expect(resolvePwsh({ pwsh: '/opt/a/pwsh', env: { EXO_PWSH: '/opt/b/pwsh' }, isExecutable: none })).toBe(
      '/opt/a/pwsh',
    );
    expect(resolvePwsh({ env: { EXO_PWSH: '/opt/b/pwsh', PATH: '/usr/bin' }, isExecutable: none })).toBe(
      '/opt/b/pwsh',
    );
  });

  it('searches PATH in order, then the .NET global tool', () => {
    const found = new Set(['/second/pwsh', join('/home/u', '.dotnet', 'tools', 'pwsh')]);
    const isExecutable = (p: string) => found.has(p);
    expect(
      resolvePwsh({ env: { PATH: '/first:/second' }, platform: 'linux', home: '/home/u', isExecutable }),
    ).toBe('/second/pwsh');
    expect(resolvePwsh({ env: { PATH: '/first' }, platform: 'linux', home: '/home/u', isExecutable })).toBe(
      join('/home/u', '.dotnet', 'tools', 'pwsh'),
    );
  });

  it('looks for pwsh.exe on Windows, in the ;-separated Path', () => {
    const seen: string[] = [];
    expect(() =>
      resolvePwsh({
        env: { Path: 'C:\\a;C:\\b' },
        platform: 'win32',
        home: 'C:\\Users\\u',
        isExecutable: (p) => {
          seen.push(p);
          return false;
        },
      }),
    ).toThrow(SandboxError);
    expect(seen).toEqual([
      join('C:\\a', 'pwsh.exe'),
      join('C:\\b', 'pwsh.exe'),
      join('C:\\Users\\u', '.dotnet', 'tools', 'pwsh.exe'),
    ]);
  });

  it('fails with PWSH_NOT_FOUND and a next step when nothing is found', () => {
    try {
      resolvePwsh({ env: { PATH: '/nowhere' }, platform: 'linux', home: '/h', isExecutable: none });
      expect.unreachable();
    } catch (error) {
      expect(SandboxError.is(error, 'PWSH_NOT_FOUND')).toBe(true);
      expect((error as SandboxError).code).toBe('PWSH_NOT_FOUND');
      expect((error as SandboxError).remediation).toContain('EXO_PWSH');
    }
  });
});
