import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDirectory, compareVersions, MINIMUM_PWSH_VERSION } from './locate-pwsh.js';

describe('compareVersions', () => {
  it('orders major, minor and patch numerically, ignoring a pre-release tail', () => {
    expect(compareVersions('7.6.5', '7.6.5')).toBe(0);
    expect(compareVersions('7.10.0', '7.6.5')).toBe(1);
    expect(compareVersions('7.6.4', MINIMUM_PWSH_VERSION)).toBe(-1);
    expect(compareVersions('7.6.5-preview.1', '7.6.5')).toBe(0);
    expect(compareVersions('8', '7.6.5')).toBe(1);
  });
});

describe('cacheDirectory', () => {
  it('is EXO_CACHE_DIR, else the platform per-user cache directory', () => {
    expect(cacheDirectory({ EXO_CACHE_DIR: '/c' }, 'linux', '/h')).toBe('/c');
    expect(cacheDirectory({ XDG_CACHE_HOME: '/x' }, 'linux', '/h')).toBe(join('/x', 'exo-connect'));
    expect(cacheDirectory({}, 'linux', '/h')).toBe(join('/h', '.cache', 'exo-connect'));
    expect(cacheDirectory({}, 'darwin', '/h')).toBe(join('/h', 'Library', 'Caches', 'exo-connect'));
    expect(cacheDirectory({ LOCALAPPDATA: 'L' }, 'win32', '/h')).toBe(join('L', 'exo-connect'));
  });
});
