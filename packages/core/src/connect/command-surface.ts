import { checkRequest, type ParameterValue } from '../bridge/encode-request.js';
import { ExoError } from '../errors/exo-error.js';

export interface SurfaceOptions {
  /** Commands to run besides those the session exported (local ones such as Start-Sleep included). */
  allowCommands?: readonly string[];
  /** Runs any command in the local PowerShell host, as a script would. */
  allowLocalCommands?: boolean;
}

const MODULE_QUALIFIED = /^[A-Za-z0-9_.]+\\[A-Za-z][A-Za-z0-9]*-[A-Za-z][A-Za-z0-9_]*$/;

/**
 * The commands a connection runs: what its session exported (the import step's list, with the commandNames
 * filter and prefix applied), plus what the caller opted in to. A service that passes its own users' command
 * names on would otherwise run local PowerShell (Get-Content, Invoke-Expression, Start-Process) in its host.
 */
export class CommandSurface {
  readonly #allowed: Set<string>;
  readonly #any: boolean;
  readonly exported: readonly string[];

  constructor(exported: readonly string[], options: SurfaceOptions = {}) {
    this.exported = Object.freeze([...exported].sort((a, b) => a.localeCompare(b)));
    this.#allowed = new Set([...exported, ...(options.allowCommands ?? [])].map((c) => c.toLowerCase()));
    this.#any = options.allowLocalCommands === true;
  }

  /**
   * Throws unless the command may run: INVALID_ARGUMENT for a malformed name or value, else
   * COMMAND_NOT_ALLOWED unless it is allowed (PowerShell's names are case-insensitive).
   */
  check(command: string, parameters: Record<string, ParameterValue> = {}): void {
    const name = command.slice(0, 120);
    if (MODULE_QUALIFIED.test(command)) {
      throw new ExoError(
        'COMMAND_NOT_ALLOWED',
        `"${name}" is a module-qualified name: it names a command of the local PowerShell host, not of the session.`,
        {
          details: { command: name },
          remediation: "Use the session's command without its module name, e.g. Get-Mailbox.",
        },
      );
    }
    checkRequest(command, parameters);
    if (this.#any || this.#allowed.has(command.toLowerCase())) return;
    throw new ExoError(
      'COMMAND_NOT_ALLOWED',
      `${name} is not one of the ${this.exported.length} commands this session exported.`,
      {
        details: { command: name },
        remediation:
          'Run a command the session exported (connection.commands lists them; check the commandNames and prefix options). ' +
          `To run ${name} in the local PowerShell host, opt in with allowCommands: ['${name}'] ` +
          `(exo run: --allow-command ${name}) or allowLocalCommands: true.`,
      },
    );
  }
}
