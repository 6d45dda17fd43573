import type { ParameterValue } from '@exo-connect/core';
import { ExoError } from '@exo-connect/core';
import {
  type ConnectionFlagValues,
  type Io,
  interruptSignal,
  type OpenedConnection,
  openConnection,
} from '../lib/open-connection.js';

export interface RunCmdletRequest {
  flags: ConnectionFlagValues;
  cmdlet: string;
  parameters: Record<string, ParameterValue>;
  /** Commands to run besides those the session exported (--allow-command). */
  allowCommands?: string[];
  /** Stops the cmdlet after this many milliseconds. */
  timeoutMs?: number;
  io: Io;
}

/**
 * `exo run`'s one service: connect, hand the cmdlet's output stream to `present`, disconnect — always, also
 * after Ctrl+C, SIGTERM or SIGHUP, which then end it with ABORTED (exit 130).
 */
export async function runCmdlet(
  request: RunCmdletRequest,
  present: (rows: AsyncIterable<Record<string, unknown>>) => Promise<unknown>,
): Promise<void> {
  const interrupt = interruptSignal();
  let opened: OpenedConnection | undefined;
  try {
    opened = await openConnection(request.flags, request.io, interrupt.signal, {
      allowCommands: request.allowCommands,
    });
    await present(
      opened.connection.stream(request.cmdlet, request.parameters, {
        signal: interrupt.signal,
        timeoutMs: request.timeoutMs,
      }),
    );
  } catch (error) {
    // After Ctrl+C, whatever the cancelled step reported is not the news: the interruption is (below).
    if (!interrupt.interrupted()) throw error;
  } finally {
    // The interrupt handler stays until exit: a second Ctrl+C during cleanup must not cut it short.
    await opened?.close();
  }
  const signal = interrupt.interrupted();
  if (signal) {
    throw new ExoError(
      'ABORTED',
      `${signal === 'SIGINT' ? 'Interrupted (Ctrl+C)' : `Stopped by ${signal}`}; ${opened ? 'the session was removed' : 'nothing was left open'}.`,
    );
  }
}
