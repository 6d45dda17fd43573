import { type Credential, ExoError, locatePwsh } from '@exo-connect/core';
import { getEnvironment } from '@exo-connect/env-endpoints';
import { runShell, type ShellRun } from '../lib/interactive-shell.js';
import { type ConnectionFlagValues, type Io, resolveTarget } from '../lib/open-connection.js';
import { shellMessage } from '../lib/shell-message.js';

export interface OpenShellRequest {
  flags: ConnectionFlagValues;
  io: Io;
  /** The shell's stdin: inherited, or the terminal's file descriptor (after --password-stdin read the pipe). */
  stdin: 'inherit' | number;
  /** No terminal: pwsh runs what is piped in as one script. */
  stdinScript: boolean;
}

/**
 * `exo shell`'s one service: resolve where to connect, plan the connection with core (the same steps the
 * engine runs), and run the interactive pwsh that carries it out until it exits.
 */
export async function openShell(request: OpenShellRequest): Promise<ShellRun> {
  const { flags, io } = request;
  const restRefused = () =>
    new ExoError('INVALID_ARGUMENT', 'exo shell needs a PowerShell session; the rest strategy has none.', {
      details: { field: 'strategy' },
      remediation: 'Use --strategy module or --strategy rps for exo shell, or exo run for the rest strategy.',
    });
  if (flags.strategy === 'rest') throw restRefused();
  const target = await resolveTarget(flags, io);
  if (target.options.strategy === 'rest') {
    await target.cleanup?.();
    throw restRefused();
  }
  const environment =
    typeof target.options.environment === 'string'
      ? getEnvironment(target.options.environment)
      : target.options.environment!;
  const source = target.options.credential;
  const credential = (typeof source === 'function' ? await source() : source) as Credential | undefined;
  const { message, warnings } = shellMessage({
    environment,
    strategy: target.options.strategy,
    connectionUri: target.options.connectionUri,
    credential,
    proxy: target.options.proxy,
    commandNames: target.options.commandNames,
    label: target.sandbox ? 'sandbox' : environment.id,
    quiet: flags.quiet ?? false,
    stdinScript: request.stdinScript,
    env: (target.options.env ?? io.env) as Record<string, string | undefined>,
    platform: process.platform,
  });
  const pwsh = await locatePwsh({ env: io.env, cache: true });
  if (!flags.quiet) io.stderr.write(`› ${target.label}\n`);
  for (const warning of warnings) io.stderr.write(`WARNING: ${warning}\n`);
  return runShell({
    pwsh: pwsh.executable,
    message,
    env: { ...io.env, ...(target.options.env ?? {}) },
    stdin: request.stdin,
  });
}
