import { describe, expect, it } from 'vitest';
import { configDir, configPath } from './config-dir.js';

describe('configDir', () => {
  it('prefers EXO_CONFIG_DIR on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(configDir({ env: { EXO_CONFIG_DIR: '/tmp/exo', APPDATA: 'C:\\x' }, platform, home: '/h' })).toBe(
        '/tmp/exo',
      );
    }
  });

  it('uses XDG_CONFIG_HOME on Linux when absolute, else ~/.config', () => {
    expect(configDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home: '/home/u' })).toBe(
      '/xdg/exo-connect',
    );
    expect(configDir({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux', home: '/home/u' })).toBe(
      '/home/u/.config/exo-connect',
    );
    expect(configDir({ env: {}, platform: 'freebsd', home: '/home/u' })).toBe('/home/u/.config/exo-connect');
  });

  it('uses Application Support on macOS and %APPDATA% on Windows', () => {
    expect(configDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'darwin', home: '/Users/u' })).toBe(
      '/Users/u/Library/Application Support/exo-connect',
    );
    expect(
      configDir({
        env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
        platform: 'win32',
        home: 'C:\\Users\\u',
      }),
    ).toBe('C:\\Users\\u\\AppData\\Roaming\\exo-connect');
    expect(configDir({ env: {}, platform: 'win32', home: 'C:\\Users\\u' })).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\exo-connect',
    );
  });

  it('puts config.json in it, with the platform separator', () => {
    expect(configPath({ env: {}, platform: 'linux', home: '/home/u' })).toBe(
      '/home/u/.config/exo-connect/config.json',
    );
    expect(configPath({ env: { APPDATA: 'C:\\A' }, platform: 'win32', home: 'C:\\U' })).toBe(
      'C:\\A\\exo-connect\\config.json',
    );
  });
});
