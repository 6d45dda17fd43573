import type { ParameterValue } from '../bridge/encode-request.js';
import type { ErrorFrame } from '../bridge/frames.js';
import { ExoError } from '../errors/exo-error.js';
import type { Effect, Event } from '../machine/machine.js';
import type { CommandSurface } from './command-surface.js';
import type { ConnectionEvent } from './events.js';
import { toFailure } from './failures.js';
import type { Transport } from './host-port.js';
import { readFrames, requestError, stoppedError } from './run-command.js';

export interface CommandOptions {
  signal?: AbortSignal;
  /** Stops the command after this many milliseconds (TIMEOUT). Default: the connection's `timeouts.command`. */
  timeoutMs?: number;
  /** Depth of the objects returned. Default: the connection's `depth` (4). */
  depth?: number;
  /** Return only these properties of each object (rest: the service sends only them, `$select`). */
  properties?: readonly string[];
}

function checkProperties(properties: readonly string[] | undefined): void {
  for (const property of properties ?? []) {
    if (typeof property !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(property)) {
      throw new ExoError(
        'INVALID_ARGUMENT',
        `properties: "${String(property).slice(0, 80)}" is not a property name.`,
        {
          details: { field: 'properties' },
          remediation:
            'Name properties as the cmdlet outputs them: letters, digits and underscores (DisplayName).',
        },
      );
    }
  }
}

/** Keeps only the asked-for properties of an output object (PowerShell's names are case-insensitive). */
function project(row: unknown, properties: readonly string[] | undefined): unknown {
  if (!properties?.length || !row || typeof row !== 'object' || Array.isArray(row)) return row;
  const wanted = new Set(properties.map((p) => p.toLowerCase()));
  return Object.fromEntries(Object.entries(row).filter(([key]) => wanted.has(key.toLowerCase())));
}

/** What the channel needs of its connection: a ready transport, the machine, and the defaults. */
export interface ChannelOwner {
  /** The transport and command surface of a ready connection; throws SESSION_BROKEN otherwise. */
  ready(): { transport: Transport; surface: CommandSurface };
  /** Feeds the machine an event and returns the effects it chose. */
  dispatch(event: Event): Effect[];
  /** Resolves once the connection is ready again (after a reconnect); rejects if it ended instead. */
  whenReady(): Promise<void>;
  emit(event: ConnectionEvent): void;
  readonly depth: number;
  readonly commandTimeoutMs?: number;
}

/**
 * The caller's commands: checked against the command surface before anything runs, streamed through the
 * one frame loop, stopped on abort, timeout or disconnect. When the session breaks the machine decides: a
 * read that returned nothing yet runs again after one reconnect.
 */
export class CommandChannel {
  /** Stops the commands running now; disconnecting stops them instead of waiting for their end. */
  readonly #running = new Set<AbortController>();

  constructor(private readonly owner: ChannelOwner) {}

  /** Stops every running command with `reason`. */
  stopAll(reason: ExoError): void {
    for (const command of this.#running) command.abort(reason);
  }

  async *stream<T>(
    command: string,
    parameters: Record<string, ParameterValue>,
    options: CommandOptions,
  ): AsyncGenerator<T, void, undefined> {
    let delivered = false;
    while (true) {
      try {
        for await (const row of this.#once<T>(command, parameters, options)) {
          delivered = true;
          yield row;
        }
        return;
      } catch (error) {
        if (!(error instanceof BrokenSession)) throw error;
        const effects = this.owner.dispatch({
          type: 'COMMAND_BROKEN',
          command,
          delivered,
          hostLost: error.hostLost,
          failure: toFailure(error.error),
        });
        if (!effects.some((e) => e.type === 'command' && e.outcome === 'retry')) throw error.error;
        await untilReady(this.owner.whenReady(), options.signal, command);
      }
    }
  }

  async *#once<T>(
    command: string,
    parameters: Record<string, ParameterValue>,
    options: CommandOptions,
  ): AsyncGenerator<T, void, undefined> {
    const { transport, surface } = this.owner.ready();
    surface.check(command, parameters);
    checkProperties(options.properties);
    const timeoutMs = options.timeoutMs ?? this.owner.commandTimeoutMs;
    const closing = new AbortController();
    const signals = [
      closing.signal,
      options.signal,
      timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
    ].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : closing.signal;
    const errors: ErrorFrame[] = [];
    this.#running.add(closing);
    const request = transport.request(command, parameters, {
      depth: options.depth ?? this.owner.depth,
      select: options.properties,
      signal,
    });
    const frames = readFrames(request, errors, (event) => this.owner.emit(event));
    let end: { ok: boolean; stopped: boolean };
    try {
      let step = await frames.next();
      while (!step.done) {
        for (const row of step.value) {
          // A page is handed over whole: a stop (disconnect, the caller's signal) also ends its rest.
          if (signal.aborted) throw stoppedError(signal, command);
          yield project(row, options.properties) as T;
        }
        step = await frames.next();
      }
      end = step.value;
    } catch (error) {
      // Stopped first (disconnect(), the caller's signal, the timeout), the host then gone: that is the
      // stop, not a broken session. A disconnect stops the command and closes the host while a slow
      // consumer still holds a row; the close is what its next read meets.
      if (signal.aborted) throw stoppedError(signal, command);
      // The channel to the host failed (the host exited, or its channel closed or broke): nothing can run
      // on this connection any more, not even a reconnect, which would need that host.
      if (ExoError.is(error, 'SESSION_BROKEN')) {
        throw new BrokenSession(error, !(transport.survivesBrokenRequests && transport.alive));
      }
      throw error;
    } finally {
      this.#running.delete(closing);
      // A caller that stops reading early (break, throw) leaves the request open: end it, so the host
      // stops the command and takes the next one (a no-op when the request already ended).
      await request.return({ ok: false, stopped: true });
    }
    const error = requestError(end, errors, command, signal, { step: 'invoke' });
    if (error?.code === 'SESSION_BROKEN') throw new BrokenSession(error, false);
    if (error) throw error;
  }
}

/** Waits for the reconnect, unless the caller's signal gives up first (ABORTED, or its TimeoutError). */
function untilReady(ready: Promise<void>, signal: AbortSignal | undefined, command: string): Promise<void> {
  if (!signal) return ready;
  if (signal.aborted) return Promise.reject(stoppedError(signal, command));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(stoppedError(signal, command));
    signal.addEventListener('abort', onAbort, { once: true });
    ready.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A session that broke under a command, and whether the host itself is gone. */
class BrokenSession extends Error {
  constructor(
    readonly error: ExoError,
    readonly hostLost: boolean,
  ) {
    super(error.message);
  }
}
