import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export const CONFIG_DIR_NAME = 'exo-connect';
export const CONFIG_FILE_NAME = 'config.json';

export interface ConfigDirOptions {
  env?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  home?: string;
}

/**
 * Where exo keeps its config: $EXO_CONFIG_DIR when set; else on Windows %APPDATA%\exo-connect, on macOS
 * ~/Library/Application Support/exo-connect, elsewhere $XDG_CONFIG_HOME/exo-connect or
 * ~/.config/exo-connect (a relative XDG_CONFIG_HOME is ignored, as the XDG spec says).
 */
export function configDir(options: ConfigDirOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.home ?? homedir();
  if (env.EXO_CONFIG_DIR) return env.EXO_CONFIG_DIR;
  if (platform === 'win32') {
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), CONFIG_DIR_NAME);
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', CONFIG_DIR_NAME);
  const xdg = env.XDG_CONFIG_HOME;
  return posix.join(xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.config'), CONFIG_DIR_NAME);
}

/** The config file: config.json in configDir(). */
export function configPath(options: ConfigDirOptions = {}): string {
  const path = (options.platform ?? process.platform) === 'win32' ? win32 : posix;
  return path.join(configDir(options), CONFIG_FILE_NAME);
}
