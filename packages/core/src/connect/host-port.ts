import type { ParameterValue } from '../bridge/encode-request.js';
import type { Frame } from '../bridge/frames.js';
import type { BridgeRequestOptions, BridgeStartOptions } from '../bridge/pwsh-bridge.js';
import { PwshBridge } from '../bridge/pwsh-bridge.js';

/** How a request ended: `ok` false when it failed, `stopped` when it was stopped before its end. */
export interface RequestEnd {
  ok: boolean;
  stopped: boolean;
}

/**
 * The transport port: how the interpreter reaches the service, whatever carries it. A request runs one
 * command (a connection step's or the caller's) and streams its frames (objects, errors, warnings,
 * information, progress) until its end; aborting its signal stops it; secrets named in its parameters are
 * handed over when the transport asks. PwshBridge (a pwsh process) is the real one; core/testing has one in
 * memory.
 */
export interface Transport {
  /** The host's process id, when the transport has a process (the rest transport has none). */
  readonly pid: number | undefined;
  readonly alive: boolean;
  /**
   * True when a request that broke (SESSION_BROKEN) leaves the transport usable, as HTTPS does: the machine
   * then reconnects instead of failing the connection. A pwsh host whose channel broke is gone.
   */
  readonly survivesBrokenRequests?: boolean;
  request(
    command: string,
    parameters?: Record<string, ParameterValue>,
    options?: BridgeRequestOptions,
  ): AsyncGenerator<Frame, RequestEnd, undefined>;
  /** Ends it at once (a step's timeout, a stop that did not end in time). */
  kill(): void;
  /** Ends it cleanly: every session it holds is released; killed after graceMs. */
  close(graceMs?: number): Promise<void>;
}

export interface TransportFactory {
  start(options: BridgeStartOptions & { signal?: AbortSignal }): Promise<Transport>;
}

/** The names of the transport port before it had other implementations than the pwsh host. */
export type HostPort = Transport;
export type HostFactory = TransportFactory;

export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export const pwshHostFactory: HostFactory = {
  async start(options) {
    const starting = PwshBridge.start(options);
    if (!options.signal) return starting;
    // An abort while pwsh starts: wait for it to come up, then end it, so no process is orphaned.
    const onAbort = () => {
      void starting.then(
        (host) => host.kill(),
        () => undefined,
      );
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await starting;
    } finally {
      options.signal.removeEventListener('abort', onAbort);
    }
  },
};
