import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultTenantDir } from './tenant-dir.js';

describe('defaultTenantDir', () => {
  it('uses EXO_SANDBOX_DIR when set', () => {
    expect(defaultTenantDir({ env: { EXO_SANDBOX_DIR: '/data/tenant' } })).toBe('/data/tenant');
  });

  it('uses XDG_STATE_HOME, then ~/.local/state on Linux', () => {
    expect(defaultTenantDir({ env: { XDG_STATE_HOME: '/xdg' }, platform: 'linux', home: '/h' })).toBe(
      join('/xdg', 'exo-connect', 'sandbox'),
    );
    expect(defaultTenantDir({ env: {}, platform: 'linux', home: '/h' })).toBe(
      join('/h', '.local', 'state', 'exo-connect', 'sandbox'),
    );
  });

  it('uses Application Support on macOS and LOCALAPPDATA on Windows', () => {
    expect(defaultTenantDir({ env: {}, platform: 'darwin', home: '/Users/a' })).toBe(
      join('/Users/a', 'Library', 'Application Support', 'exo-connect', 'sandbox'),
    );
    expect(defaultTenantDir({ env: { LOCALAPPDATA: 'C:/L' }, platform: 'win32', home: 'C:/U' })).toBe(
      join('C:/L', 'exo-connect', 'sandbox'),
    );
  });
});
