import type { ParameterValue } from '../bridge/encode-request.js';
import type { ErrorFrame, Frame } from '../bridge/frames.js';
import type { BridgeRequestOptions, SecretValue } from '../bridge/pwsh-bridge.js';
import type { RequestEnd, Transport, TransportFactory } from '../connect/host-port.js';
import { ExoError } from '../errors/exo-error.js';

/** What a scripted command sees: its parameters, the secrets they refer to, and its stop signal. */
export interface MemoryCall {
  command: string;
  /** As sent: a secret only as its reference, { $exoSecret: name }. */
  parameters: Record<string, ParameterValue>;
  /** The secrets the parameters refer to, asked for once each as the pwsh host does, by parameter name. */
  secrets: Record<string, SecretValue>;
  signal: AbortSignal;
}

/** A scripted command: the frames it answers with, as a list or as they come. */
export type MemoryHandler = (call: MemoryCall) => Iterable<Frame> | AsyncIterable<Frame> | Promise<Frame[]>;

export interface MemoryTransportOptions {
  /** Commands by name (case-insensitive): the connection steps' own, and the cmdlets a test runs. */
  commands?: Record<string, MemoryHandler>;
  /** What the import step reports the session exported. Default: Get-Mailbox, Set-Mailbox, New-Mailbox. */
  exported?: string[];
}

/** Frame constructors for handlers. */
export const frame = {
  object: (v: unknown): Frame => ({ t: 'o', v }),
  warning: (m: string): Frame => ({ t: 'w', m }),
  information: (m: string): Frame => ({ t: 'i', m }),
  progress: (activity: string, percent: number, completed = false): Frame => ({
    t: 'p',
    activity,
    status: completed ? 'done' : 'running',
    percent,
    operation: null,
    activityId: 0,
    parentId: -1,
    completed,
  }),
  error: (message: string, options: Partial<ErrorFrame> = {}): Frame => ({
    t: 'e',
    message,
    fqid: '',
    category: 'NotSpecified',
    reason: '',
    targetName: '',
    exceptionType: 'System.Management.Automation.RuntimeException',
    details: null,
    inner: [],
    terminating: true,
    ...options,
  }),
};

/** One request as the transport saw it: never a secret's value, only which secrets were asked for. */
export interface MemoryRequest {
  command: string;
  parameters: Record<string, ParameterValue>;
  secretsRead: string[];
}

const DEFAULT_EXPORTED = ['Get-Mailbox', 'Set-Mailbox', 'New-Mailbox'];

function defaults(exported: string[]): Record<string, MemoryHandler> {
  const ok = (v: unknown = {}) => [frame.object(v)];
  return {
    'get-exoexecutionpolicy': () => ok({ Applicable: false, Effective: null, Scopes: [] }),
    'import-exoprelude': () => ok({ Loaded: 0 }),
    'connect-exorps': () => ok({ State: 'Opened' }),
    'import-exorps': () => [
      frame.progress('Importing commands', 50),
      frame.progress('Importing commands', 100, true),
      frame.object({ Commands: exported, CommandCount: exported.length }),
    ],
    'disconnect-exorps': () => ok({ Removed: true }),
    'set-exohttpproxy': () => ok(),
    'connect-exomodule': () => ok({ State: 'Connected' }),
    'get-exomodulecommand': () => ok({ Commands: exported }),
    'disconnect-exomodule': () => ok({ Removed: true }),
  };
}

/**
 * A transport in memory, for tests of code built on core: it answers the connection steps like a pwsh host
 * over a healthy session, and runs the commands a test scripts. `requests` records what was sent.
 */
export class MemoryTransport implements Transport {
  readonly pid = 0;
  readonly requests: MemoryRequest[] = [];
  #alive = true;
  #closed = false;
  #queue: Promise<void> = Promise.resolve();
  readonly #handlers: Record<string, MemoryHandler>;
  readonly #lost = new AbortController();

  constructor(options: MemoryTransportOptions = {}) {
    const scripted = Object.entries(options.commands ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
    this.#handlers = { ...defaults(options.exported ?? DEFAULT_EXPORTED), ...Object.fromEntries(scripted) };
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** True once close() ended it cleanly (not killed). */
  get closed(): boolean {
    return this.#closed;
  }

  async *request(
    command: string,
    parameters: Record<string, ParameterValue> = {},
    options: BridgeRequestOptions = {},
  ): AsyncGenerator<Frame, RequestEnd, undefined> {
    let release!: () => void;
    const turn = this.#queue;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await turn;
    try {
      if (!this.#alive) throw lost('The in-memory host has ended.');
      options.signal?.throwIfAborted();
      const secrets = new Map(Object.entries(options.secrets ?? {}));
      const record: MemoryRequest = { command, parameters, secretsRead: [] };
      this.requests.push(record);
      const handler = this.#handlers[command.toLowerCase()];
      if (!handler) {
        yield frame.error(`The term '${command}' is not recognized as a name of a cmdlet.`, {
          fqid: 'CommandNotFoundException',
        });
        return { ok: false, stopped: false };
      }
      const signal = options.signal
        ? AbortSignal.any([options.signal, this.#lost.signal])
        : this.#lost.signal;
      // Like the bridge, ask for each referenced secret once before the command runs; refuse a missing one.
      const resolved: Record<string, SecretValue> = {};
      for (const [key, value] of Object.entries(parameters)) {
        if (typeof value !== 'object' || value === null || !('$exoSecret' in value)) continue;
        const name = String(value.$exoSecret);
        record.secretsRead.push(name);
        const secret = secrets.get(name);
        secrets.delete(name);
        if (!secret) {
          yield frame.error(`No secret named '${name}' was provided.`);
          return { ok: false, stopped: false };
        }
        resolved[key] = secret;
      }
      const call: MemoryCall = { command, parameters, secrets: resolved, signal };
      let ok = true;
      for await (const f of await handler(call)) {
        if (this.#lost.signal.aborted) throw lost('The in-memory host exited.');
        if (options.signal?.aborted) return { ok: false, stopped: true };
        if (f.t === 'e' && f.terminating) ok = false;
        yield f;
      }
      if (this.#lost.signal.aborted) throw lost('The in-memory host exited.');
      if (options.signal?.aborted) return { ok: false, stopped: true };
      return { ok, stopped: false };
    } finally {
      release();
    }
  }

  /** Ends the host as a crash would: running and later requests fail with SESSION_BROKEN. */
  kill(): void {
    this.#alive = false;
    this.#lost.abort();
  }

  async close(): Promise<void> {
    if (this.#alive) this.#closed = true;
    this.#alive = false;
    this.#lost.abort();
  }
}

function lost(message: string): ExoError {
  return new ExoError('SESSION_BROKEN', message);
}

/** A transport factory for connect()'s `hosts` port; `started` lists each transport it made. */
export function memoryTransports(options: MemoryTransportOptions = {}): TransportFactory & {
  started: MemoryTransport[];
} {
  const started: MemoryTransport[] = [];
  return {
    started,
    async start({ signal }) {
      signal?.throwIfAborted();
      const transport = new MemoryTransport(options);
      started.push(transport);
      return transport;
    },
  };
}
