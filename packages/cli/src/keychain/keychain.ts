import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ExoError, locatePwsh } from '@exo-connect/core';
import { childEnv } from '@exo-connect/pwsh';
import { terminalText } from '../text/terminal-text.js';
import { findExecutable, isExecutable } from './find-executable.js';
import { type CommandResult, type CommandRunner, runCommand } from './run-command.js';
import { encodedWindowsCredentialScript } from './windows-credential-script.js';

export type KeychainBackend = 'secret-tool' | 'macos-security' | 'windows-credential-manager';

export interface KeychainAvailability {
  available: boolean;
  /** Why not, when not available. */
  reason?: string;
}

/** Passwords in the OS keychain, by account (a user principal name), under the service "exo-connect". */
export interface Keychain {
  readonly backend: KeychainBackend;
  availability(): Promise<KeychainAvailability>;
  isAvailable(): Promise<boolean>;
  /** The stored password, or undefined when there is none for the account. */
  getPassword(account: string): Promise<string | undefined>;
  setPassword(account: string, password: string): Promise<void>;
  /** True when a password was removed. */
  deletePassword(account: string): Promise<boolean>;
}

export interface KeychainOptions {
  platform?: NodeJS.Platform;
  env?: Readonly<Record<string, string | undefined>>;
  /** Default 'exo-connect'. */
  service?: string;
  /** Runs the keychain program; tests inject a fake. */
  run?: CommandRunner;
  /** macOS: the security tool. Default /usr/bin/security (never looked up on PATH). */
  securityPath?: string;
  /** Windows: the pwsh that reaches Credential Manager. Default: core's locatePwsh (EXO_PWSH, PATH, …). */
  pwshPath?: string;
  /** Default 60 s: unlocking a keyring can wait for the user at a dialog. */
  timeoutMs?: number;
}

export const KEYCHAIN_SERVICE = 'exo-connect';
/** Longer than any password; keeps `security -i`'s one command line under its 4096-byte buffer. */
export const MAX_KEYCHAIN_SECRET_BYTES = 2048;
// macOS prints non-ASCII or multi-line passwords as hex, so every secret is stored base64 with a marker.
const BASE64_MARKER = 'exo-connect-base64:';
// security -i splits its input line itself; plain user principal names and profile names need no quoting.
const MAC_ACCOUNT = /^[A-Za-z0-9._%+@-]{1,256}$/;
const REMEDY =
  'Use --password-stdin, EXO_PASSWORD or the prompt instead; on Linux, install secret-tool (libsecret-tools) ' +
  'and use a desktop session with a keyring (GNOME Keyring, KWallet); on Windows, install PowerShell 7 (pwsh).';

function missing(message: string, remediation = REMEDY): ExoError {
  return new ExoError('CREDENTIAL_MISSING', message, { remediation });
}

/** A keychain program's own error text, safe to show (it never holds the secret, which went to stdin). */
function programError(what: string, result: CommandResult): ExoError {
  const said = terminalText(result.stderr.trim()).slice(0, 300);
  const how = result.code === null ? 'timed out' : `exited with ${result.code}`;
  return missing(
    `${what}: the keychain ${how}${said ? `: ${said}` : ''}.`,
    'Unlock the keychain and try again, or use --password-stdin or the prompt.',
  );
}

function checkAccount(account: string, macos: boolean): void {
  const ok = macos
    ? MAC_ACCOUNT.test(account)
    : account.length > 0 && account.length <= 256 && terminalText(account) === account;
  if (!ok) {
    throw new ExoError(
      'INVALID_ARGUMENT',
      `"${terminalText(account.slice(0, 64))}" cannot name a keychain entry.`,
      {
        details: { field: 'account' },
        remediation: 'Use the user principal name (user@domain) as the keychain account.',
      },
    );
  }
}

function checkSecret(password: string): void {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes === 0 || bytes > MAX_KEYCHAIN_SECRET_BYTES) {
    throw new ExoError(
      'INVALID_ARGUMENT',
      `A keychain password must be 1 to ${MAX_KEYCHAIN_SECRET_BYTES} bytes (this one is ${bytes}).`,
      { details: { field: 'password' } },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** libsecret's secret-tool: the secret goes in on stdin (`store` reads it when stdin is not a terminal). */
function secretTool(
  options: Required<Omit<KeychainOptions, 'securityPath' | 'platform' | 'pwshPath'>>,
): Keychain {
  const { env, service, run, timeoutMs } = options;
  let located: Promise<KeychainAvailability & { path?: string }> | undefined;
  const locate = () => {
    located ??= (async () => {
      const path = await findExecutable('secret-tool', env);
      if (path === undefined) return { available: false, reason: 'secret-tool (libsecret) is not on PATH' };
      const bus =
        Boolean(env.DBUS_SESSION_BUS_ADDRESS) ||
        (env.XDG_RUNTIME_DIR !== undefined && (await exists(join(env.XDG_RUNTIME_DIR, 'bus'))));
      if (!bus) {
        return {
          available: false,
          reason:
            'there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset and $XDG_RUNTIME_DIR/bus is missing)',
        };
      }
      return { available: true, path };
    })();
    return located;
  };
  const tool = async (args: string[], input?: string) => {
    const found = await locate();
    if (!found.path) throw missing(`No OS keychain found: ${found.reason}.`);
    return run(found.path, args, { input, env: childEnv(env), timeoutMs });
  };
  const attributes = (account: string) => ['service', service, 'account', account];

  return {
    backend: 'secret-tool',
    availability: async () => {
      const { available, reason } = await locate();
      return reason === undefined ? { available } : { available, reason };
    },
    isAvailable: async () => (await locate()).available,
    async getPassword(account) {
      checkAccount(account, false);
      const result = await tool(['lookup', ...attributes(account)]);
      if (result.code === 0) return result.stdout;
      // Exit 1 with nothing on stderr is "no such item"; anything else is a failure.
      if (result.code === 1 && result.stderr.trim() === '') return undefined;
      throw programError('Reading the password failed', result);
    },
    async setPassword(account, password) {
      checkAccount(account, false);
      checkSecret(password);
      const result = await tool(
        ['store', `--label=${service}: ${account}`, ...attributes(account)],
        password,
      );
      if (result.code !== 0) throw programError('Storing the password failed', result);
    },
    async deletePassword(account) {
      checkAccount(account, false);
      const result = await tool(['clear', ...attributes(account)]);
      if (result.code === 0) return true;
      if (result.code === 1 && result.stderr.trim() === '') return false;
      throw programError('Removing the password failed', result);
    },
  };
}

/**
 * macOS `security`. `add-generic-password -w <password>` would put the password in argv (visible to every
 * user in `ps`), so the command is written to `security -i` on stdin instead, and read back to confirm it.
 */
function macosSecurity(options: Required<Omit<KeychainOptions, 'platform' | 'pwshPath'>>): Keychain {
  const { env, service, run, timeoutMs, securityPath } = options;
  const availability = async (): Promise<KeychainAvailability> =>
    (await isExecutable(securityPath))
      ? { available: true }
      : { available: false, reason: `${securityPath} is missing` };
  const security = async (args: string[], input?: string) => {
    const found = await availability();
    if (!found.available) throw missing(`No OS keychain found: ${found.reason}.`);
    return run(securityPath, args, { input, env: childEnv(env), timeoutMs });
  };
  const notFound = (result: CommandResult) => result.code === 44 || /could not be found/i.test(result.stderr);

  const getPassword = async (account: string) => {
    checkAccount(account, true);
    const result = await security(['find-generic-password', '-s', service, '-a', account, '-w']);
    if (result.code !== 0) {
      if (notFound(result)) return undefined;
      throw programError('Reading the password failed', result);
    }
    const text = result.stdout.replace(/\n$/, '');
    return text.startsWith(BASE64_MARKER)
      ? Buffer.from(text.slice(BASE64_MARKER.length), 'base64').toString('utf8')
      : text;
  };

  return {
    backend: 'macos-security',
    availability,
    isAvailable: async () => (await availability()).available,
    getPassword,
    async setPassword(account, password) {
      checkAccount(account, true);
      checkSecret(password);
      const encoded = BASE64_MARKER + Buffer.from(password, 'utf8').toString('base64');
      const command = `add-generic-password -U -s ${service} -a ${account} -l ${service} -w ${encoded}\n`;
      const result = await security(['-i'], command);
      if (result.code !== 0) throw programError('Storing the password failed', result);
      // `security -i` can exit 0 after a failed command: only reading the item back proves it was stored.
      if ((await getPassword(account)) !== password) {
        throw programError('Storing the password failed', {
          ...result,
          stderr: result.stderr || 'not stored',
        });
      }
    },
    async deletePassword(account) {
      checkAccount(account, true);
      const result = await security(['delete-generic-password', '-s', service, '-a', account]);
      if (result.code === 0) return true;
      if (notFound(result)) return false;
      throw programError('Removing the password failed', result);
    },
  };
}

/** One answer of the Credential Manager script (windows-credential-script.ts). */
interface CredentialAnswer {
  ok: boolean;
  found?: boolean;
  password?: string | null;
  error?: string;
}

/**
 * Windows Credential Manager, reached through pwsh and a fixed script (Win32 CredReadW/CredWriteW/
 * CredDeleteW): the request, password included, goes in on stdin as JSON, never in argv or the environment.
 */
function windowsCredentialManager(
  options: Required<Omit<KeychainOptions, 'platform' | 'securityPath' | 'pwshPath'>> & { pwshPath?: string },
): Keychain {
  const { env, service, run, timeoutMs } = options;
  let located: Promise<KeychainAvailability & { path?: string }> | undefined;
  const locate = () => {
    located ??= (async () => {
      if (options.pwshPath) {
        return (await isExecutable(options.pwshPath))
          ? { available: true, path: options.pwshPath }
          : { available: false, reason: `${options.pwshPath} is missing` };
      }
      try {
        const pwsh = await locatePwsh({ env: childEnv(env), platform: 'win32' });
        return { available: true, path: pwsh.executable };
      } catch {
        return {
          available: false,
          reason: 'PowerShell 7 (pwsh), which reaches Windows Credential Manager, is not installed',
        };
      }
    })();
    return located;
  };
  const call = async (what: string, request: Record<string, string>): Promise<CredentialAnswer> => {
    const found = await locate();
    if (!found.path) throw missing(`No OS keychain found: ${found.reason}.`);
    const result = await run(
      found.path,
      ['-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand', encodedWindowsCredentialScript()],
      {
        input: JSON.stringify({ ...request, target: `${service}:${request.account}` }),
        env: childEnv(env),
        timeoutMs,
      },
    );
    let answer: CredentialAnswer | undefined;
    try {
      answer = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as CredentialAnswer;
    } catch {
      answer = undefined;
    }
    if (result.code !== 0 || !answer) throw programError(what, result);
    if (!answer.ok) {
      const said = terminalText((answer.error ?? 'failed').trim()).slice(0, 300);
      throw missing(
        `${what}: Windows Credential Manager: ${said.replace(/\.$/, '')}.`,
        'Try again, or use --password-stdin or the prompt.',
      );
    }
    return answer;
  };

  return {
    backend: 'windows-credential-manager',
    availability: async () => {
      const { available, reason } = await locate();
      return reason === undefined ? { available } : { available, reason };
    },
    isAvailable: async () => (await locate()).available,
    async getPassword(account) {
      checkAccount(account, false);
      const answer = await call('Reading the password failed', { op: 'get', account });
      return answer.found && typeof answer.password === 'string' ? answer.password : undefined;
    },
    async setPassword(account, password) {
      checkAccount(account, false);
      checkSecret(password);
      await call('Storing the password failed', { op: 'set', account, password });
    },
    async deletePassword(account) {
      checkAccount(account, false);
      return (await call('Removing the password failed', { op: 'delete', account })).found === true;
    },
  };
}

/**
 * The OS keychain for this platform: secret-tool (libsecret over D-Bus) on Linux and other Unixes, the
 * `security` tool on macOS, Credential Manager (through pwsh) on Windows. Passwords reach the keychain
 * program only on stdin, never in argv, the environment or a file. When there is no keychain every operation rejects with
 * CREDENTIAL_MISSING saying why and what to use instead.
 */
export function createKeychain(options: KeychainOptions = {}): Keychain {
  const platform = options.platform ?? process.platform;
  const common = {
    env: options.env ?? process.env,
    service: options.service ?? KEYCHAIN_SERVICE,
    run: options.run ?? runCommand,
    timeoutMs: options.timeoutMs ?? 60_000,
  };
  if (!MAC_ACCOUNT.test(common.service)) {
    throw new ExoError('INVALID_ARGUMENT', 'The keychain service name must be letters, digits and ._%+@-.', {
      details: { field: 'service' },
    });
  }
  if (platform === 'darwin') {
    return macosSecurity({ ...common, securityPath: options.securityPath ?? '/usr/bin/security' });
  }
  if (platform === 'win32') return windowsCredentialManager({ ...common, pwshPath: options.pwshPath });
  return secretTool(common);
}
