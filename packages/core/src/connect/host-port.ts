import type { ParameterValue } from '../bridge/encode-request.js';
import type { Frame } from '../bridge/frames.js';
import type { BridgeRequestOptions, BridgeStartOptions } from '../bridge/pwsh-bridge.js';
import { PwshBridge } from '../bridge/pwsh-bridge.js';

/** The PowerShell host as the engine sees it; PwshBridge is the real adapter, tests may pass another. */
export interface HostPort {
  readonly pid: number;
  readonly alive: boolean;
  request(
    command: string,
    parameters?: Record<string, ParameterValue>,
    options?: BridgeRequestOptions,
  ): AsyncGenerator<Frame, { ok: boolean; stopped: boolean }, undefined>;
  kill(): void;
  close(graceMs?: number): Promise<void>;
}

export interface HostFactory {
  start(options: BridgeStartOptions & { signal?: AbortSignal }): Promise<HostPort>;
}

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
