import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { ExoError } from '../errors/exo-error.js';
import { checkSecret, encodeRequest, type ParameterValue } from './encode-request.js';
import {
  type ControlFrame,
  decodeFrame,
  encodeFrame,
  type Frame,
  type HelloFrame,
  LineSplitter,
  PROTOCOL_VERSION,
  type SecretValue,
} from './frames.js';

export interface BridgeRequestOptions {
  depth?: number;
  /** Properties to return (the rest transport asks the service for only these: `$select`). */
  select?: readonly string[];
  /** Values for the parameters given as { $exoSecret: name }; each is handed over once, on request. */
  secrets?: Record<string, SecretValue>;
  signal?: AbortSignal;
  /** How long a stop may take before the host is killed. Default 5 s. */
  stopGraceMs?: number;
}

export interface HostProtocolOptions {
  /** Names the other side in messages ("PowerShell host"). */
  peer: string;
  /** Ends the other side: called when a stop was not honoured within its grace. */
  kill(): void;
}

/** Frames held for a slow reader: above HIGH_WATER the stream is paused, below LOW_WATER resumed. */
export const HIGH_WATER = 2048;
export const LOW_WATER = 256;

interface Pending {
  id: string;
  frames: Frame[];
  wake?: () => void;
  secrets: Map<string, SecretValue>;
  failure?: Error;
  done: boolean;
}

/**
 * Node's side of the host protocol over any duplex byte stream: the hello, then requests one at a time in
 * call order, each yielding its frames up to its end frame, with backpressure (a slow reader pauses the
 * stream, and so the host), secrets handed over once when the host asks, stop, and quit. The stream closing,
 * or the host going away (end()), fails the running request and every later one with SESSION_BROKEN.
 */
export class HostProtocol {
  private readonly splitter = new LineSplitter();
  private readonly hello: Promise<HelloFrame>;
  private greet: ((frame: Frame | Error) => void) | undefined;
  private current: Pending | undefined;
  private queue: Promise<void> = Promise.resolve();
  private gone: string | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly options: HostProtocolOptions,
  ) {
    this.hello = new Promise((resolve, reject) => {
      this.greet = (frame) => {
        this.greet = undefined;
        if (frame instanceof Error) reject(frame);
        else if (frame.t !== 'hello') reject(new Error('expected hello'));
        else resolve(frame);
      };
    });
    this.hello.catch(() => undefined);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', () => undefined);
    stream.on('close', () => this.end(`The ${options.peer} closed its channel.`));
    stream.resume();
  }

  /**
   * Waits for the hello and checks it: the token proves the peer is the process that was started, and
   * the protocol version must be this side's. Either failing is PWSH_NOT_FOUND (no usable host: starting
   * again gives the same answer, so it is not retryable as SESSION_BROKEN is) and closes the stream.
   */
  async handshake(token: string): Promise<HelloFrame> {
    const hello = await this.hello;
    let problem: ExoError | undefined;
    if (hello.token !== token) {
      problem = new ExoError('PWSH_NOT_FOUND', `The ${this.options.peer} did not identify itself.`);
    } else if (hello.protocol !== PROTOCOL_VERSION) {
      problem = new ExoError(
        'PWSH_NOT_FOUND',
        `The ${this.options.peer} speaks host protocol ${hello.protocol}, and this exo-connect speaks ${PROTOCOL_VERSION}.`,
        {
          remediation:
            'Parts of two exo-connect versions are installed together (its JavaScript and its PowerShell files); reinstall @exo-connect/core.',
        },
      );
    }
    if (problem) {
      this.stream.destroy();
      throw problem;
    }
    return hello;
  }

  /**
   * Runs one command and yields its frames (objects, errors, warnings, information, progress) as they
   * arrive; returns the end frame. Requests run one at a time, in call order.
   */
  async *request(
    command: string,
    parameters: Record<string, ParameterValue> = {},
    options: BridgeRequestOptions = {},
  ): AsyncGenerator<Frame, { ok: boolean; stopped: boolean }, undefined> {
    const id = randomUUID();
    const line = encodeRequest({ id, command, parameters, depth: options.depth ?? 4, queue: 1024 });
    for (const [name, secret] of Object.entries(options.secrets ?? {})) checkSecret(name, secret);
    let release!: () => void;
    const turn = this.queue;
    this.queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await turn;
    const pending: Pending = {
      id,
      frames: [],
      secrets: new Map(Object.entries(options.secrets ?? {})),
      done: false,
    };
    const graceMs = options.stopGraceMs ?? 5_000;
    let stopTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      this.write({ t: 'stop', id });
      stopTimer = setTimeout(() => this.options.kill(), graceMs);
    };
    let ended = false;
    try {
      if (this.gone) throw this.broken(this.gone);
      options.signal?.throwIfAborted();
      this.current = pending;
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.stream.write(`${line}\n`);
      while (true) {
        const frame = await this.next(pending);
        if (frame.t === 'end') {
          if (frame.id !== id) continue;
          ended = true;
          return { ok: frame.ok, stopped: frame.stopped };
        }
        yield frame;
      }
    } finally {
      // The caller stopped reading before the end (break, throw): stop the command and read its frames
      // away up to its end frame, so they never reach the next request and the queue moves on.
      if (!ended && this.current === pending && !pending.failure) await this.abandon(pending, graceMs);
      clearTimeout(stopTimer);
      options.signal?.removeEventListener('abort', onAbort);
      pending.done = true;
      pending.secrets.clear();
      if (this.current === pending) this.current = undefined;
      this.stream.resume();
      release();
    }
  }

  /** Asks the running request to stop; the host stops its pipeline and ends the request. */
  stop(): void {
    if (this.current) this.write({ t: 'stop', id: this.current.id });
  }

  /** Ends the host's request loop. */
  quit(): void {
    this.write({ t: 'quit' });
  }

  /** Settles when every request made so far has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** The host is gone: fails the running request and every later one with SESSION_BROKEN. */
  end(message: string): void {
    this.gone ??= message;
    this.greet?.(new Error('the channel closed before hello'));
    this.fail(this.broken(message));
  }

  /** Stops a request nobody reads any more and waits for its end frame; kills the host after graceMs. */
  private async abandon(pending: Pending, graceMs: number): Promise<void> {
    this.write({ t: 'stop', id: pending.id });
    const timer = setTimeout(() => this.options.kill(), graceMs);
    try {
      while (true) {
        const frame = await this.next(pending);
        if (frame.t === 'end' && frame.id === pending.id) return;
      }
    } catch {
      // The host ended meanwhile: nothing more will arrive.
    } finally {
      clearTimeout(timer);
    }
  }

  private broken(message: string): ExoError {
    return new ExoError('SESSION_BROKEN', message, {
      remediation: `The local ${this.options.peer} ended unexpectedly; connect again.`,
    });
  }

  private write(frame: ControlFrame): void {
    if (!this.stream.destroyed) this.stream.write(`${encodeFrame(frame)}\n`);
  }

  private fail(error: Error): void {
    const pending = this.current;
    if (!pending || pending.failure) return;
    pending.failure = error;
    pending.wake?.();
  }

  private onData(chunk: Buffer): void {
    const pending = this.current;
    for (const line of this.splitter.push(chunk)) {
      if (!line) continue;
      let frame: Frame;
      try {
        frame = decodeFrame(line);
      } catch (error) {
        if (this.greet) this.greet(error as Error);
        else {
          this.fail(
            new ExoError('SESSION_BROKEN', `The ${this.options.peer} sent a malformed frame.`, {
              cause: error,
            }),
          );
        }
        continue;
      }
      if (this.greet) {
        this.greet(frame);
        continue;
      }
      if (!pending || pending.done) continue;
      if (frame.t === 'secret') {
        this.answerSecret(pending, frame.name);
        continue;
      }
      pending.frames.push(frame);
    }
    if (pending && pending.frames.length > HIGH_WATER) this.stream.pause();
    pending?.wake?.();
  }

  private answerSecret(pending: Pending, name: string): void {
    const secret = pending.secrets.get(name);
    pending.secrets.delete(name);
    // A missing secret is answered with a refusal, so the host fails the request instead of waiting forever.
    this.write(secret ? { t: 'secret', name, ...secret } : { t: 'secret', name: null });
  }

  private async next(pending: Pending): Promise<Frame> {
    while (true) {
      const frame = pending.frames.shift();
      if (frame) {
        if (pending.frames.length < LOW_WATER && this.stream.isPaused()) this.stream.resume();
        return frame;
      }
      if (pending.failure) throw pending.failure;
      await new Promise<void>((resolve) => {
        pending.wake = resolve;
      });
      pending.wake = undefined;
    }
  }
}
