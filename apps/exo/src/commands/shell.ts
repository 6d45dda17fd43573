import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Credential, ExoError, locatePwsh, openSideChannel } from '@exo-connect/core';
import { getEnvironment } from '@exo-connect/env-endpoints';
import { BaseCommand } from '../lib/base-command.js';
import { connectionFlags } from '../lib/connection-flags.js';
import { resolveTarget } from '../lib/open-connection.js';

const STARTUP = fileURLToPath(new URL('../../powershell/shell-startup.ps1', import.meta.url));

export default class Shell extends BaseCommand {
  static override summary =
    'Open an interactive pwsh with the session made and the Exchange cmdlets imported.';
  static override description =
    'The session is removed when you leave the shell (exit, Ctrl+D); Ctrl+C stops the running command, as in ' +
    'any PowerShell. If the terminal is closed the pwsh process ends; for the sandbox its session ends with it, ' +
    'for a real service an unremoved session expires after 15 minutes.';
  static override examples = ['<%= config.bin %> shell', '<%= config.bin %> shell -p work'];
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(Shell);
    const io = { stdin: process.stdin, stderr: process.stderr, env: process.env };
    const target = await resolveTarget(flags, io);
    const environment =
      typeof target.options.environment === 'string'
        ? getEnvironment(target.options.environment)
        : target.options.environment!;
    const strategy = target.options.strategy ?? environment.defaultStrategy;
    const source = target.options.credential;
    const credential = (typeof source === 'function' ? await source() : source) as Credential | undefined;
    if (!credential || (credential.kind !== undefined && credential.kind !== 'password')) {
      throw new ExoError('CREDENTIAL_MISSING', 'exo shell signs in with a user name and password.', {
        remediation: 'Pass -u user@domain (the password is asked for, or read with --password-stdin).',
      });
    }
    const pwsh = await locatePwsh({ env: io.env });
    const channel = await openSideChannel();
    if (!channel.address.socketPath) {
      await channel.close();
      throw new ExoError('PWSH_NOT_FOUND', 'exo shell is not supported on Windows yet.', {
        remediation: 'Use exo run, or Connect-ExchangeOnline in your own pwsh.',
      });
    }
    const payload = {
      label: target.sandbox ? 'sandbox' : environment.id,
      strategy,
      modules: environment.prelude?.modules ?? [],
      userName: credential.userPrincipalName,
      password: credential.password,
      commandNames: target.options.commandNames,
      session: {
        ConnectionUri: target.options.connectionUri ?? environment.rps?.connectionUri,
        Authentication: environment.rps?.authentication ?? 'Basic',
        AllowRedirection: environment.rps?.allowRedirection ?? false,
      },
      connect: {
        ExchangeEnvironmentName: environment.module?.exchangeEnvironmentName ?? 'O365Default',
        ...(environment.module?.connectionUri ? { ConnectionUri: environment.module.connectionUri } : {}),
      },
    };
    const env: NodeJS.ProcessEnv = {
      ...io.env,
      ...(target.options.env ?? {}),
      EXO_SHELL_CHANNEL: channel.address.socketPath,
      EXO_SHELL_TOKEN: channel.address.token,
    };
    delete env.EXO_PASSWORD;
    const child = spawn(pwsh.executable, ['-NoLogo', '-NoProfile', '-NoExit', '-File', STARTUP], {
      stdio: 'inherit',
      env,
    });
    // The one connection: check the token, hand over the payload once, close.
    channel.accepted.then((socket) => {
      socket.once('data', (chunk: Buffer) => {
        if (chunk.toString('utf8').trim() === channel.address.token)
          socket.end(`${JSON.stringify(payload)}\n`);
        else socket.destroy();
      });
    });
    // Ctrl+C belongs to the interactive pwsh while it runs.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    try {
      const code = await new Promise<number>((resolve) =>
        child.once('exit', (c, signal) => resolve(c ?? (signal ? 129 : 1))),
      );
      if (code !== 0) this.exit(code);
    } finally {
      process.off('SIGINT', ignore);
      await channel.close();
    }
  }
}
