import { homedir } from 'node:os';
import { join } from 'node:path';

export interface TenantDirOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/**
 * Where the sandbox tenant lives: EXO_SANDBOX_DIR when set, otherwise the user's state directory
 * ($XDG_STATE_HOME or ~/.local/state on Linux, ~/Library/Application Support on macOS, %LOCALAPPDATA% on Windows).
 */
export function defaultTenantDir(options: TenantDirOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.home ?? homedir();
  if (env.EXO_SANDBOX_DIR) return env.EXO_SANDBOX_DIR;
  if (platform === 'win32') {
    return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'exo-connect', 'sandbox');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'exo-connect', 'sandbox');
  return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'exo-connect', 'sandbox');
}
