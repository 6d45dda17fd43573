import type { EnvironmentDefinition } from '@exo-connect/env-endpoints';
import type { ParameterValue } from '../bridge/encode-request.js';
import { ExoError } from '../errors/exo-error.js';
import {
  type Effect,
  type Event,
  initialState,
  isTerminal,
  type State,
  type StateKind,
  type Step,
  transition,
} from '../machine/machine.js';
import type { PwshInfo } from '../pwsh/locate-pwsh.js';
import type { BatchItem, BatchResult } from '../rest/contracts.js';
import { RestTransport } from '../rest/rest-transport.js';
import { CommandChannel, type CommandOptions } from './command-channel.js';
import { CommandSurface, type SurfaceOptions } from './command-surface.js';
import type { ConnectionEvent } from './events.js';
import { deferred, failureError, safely, toFailure } from './failures.js';
import type { Clock, Transport, TransportFactory } from './host-port.js';
import { type Credential, type CredentialProvider, DEFAULT_TIMEOUTS, type Timeouts } from './options.js';
import { STEP_RUNNERS } from './steps/index.js';
import type { StepContext, StepResult } from './steps/step-context.js';
import { type PlanContext, STRATEGIES, type StrategyName } from './strategies/index.js';

export type { CommandOptions } from './command-channel.js';
export { describeCredential } from './steps/credential-step.js';

export interface ConnectionConfig extends Omit<PlanContext, 'credential'>, SurfaceOptions {
  credential?: Credential | CredentialProvider;
  executionPolicy: 'bypass' | 'remoteSigned';
  timeouts: Timeouts;
  depth: number;
  pwsh?: PwshInfo;
  onEvent?: (event: ConnectionEvent) => void;
}

export interface Ports {
  hosts: TransportFactory;
  clock: Clock;
}

/**
 * A connection to Exchange PowerShell: the interpreter of the state machine (machine.ts decides, this runs
 * its effects through the ports) and the public API: invoke(), stream(), disconnect().
 */
export class Connection implements AsyncDisposable {
  #state: State = initialState;
  #transport: Transport | undefined;
  #credential: Credential | undefined;
  #policy: string | undefined;
  #surface: CommandSurface | undefined;
  readonly #timers = new Map<Step, unknown>();
  readonly #steps = new Map<Step, AbortController>();
  #ready = deferred();
  readonly #done = deferred();
  #onSettled: Array<() => void> = [];
  readonly #channel: CommandChannel;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly ports: Ports,
  ) {
    this.#channel = new CommandChannel({
      ready: () => this.#requireReady(),
      dispatch: (event) => this.dispatch(event),
      whenReady: () => this.#ready.promise,
      emit: this.#emit,
      depth: config.depth,
      commandTimeoutMs: config.timeouts.command,
    });
  }

  /** The machine's state: policy, credential, session, import, ready, disconnecting, disconnected or failed. */
  get state(): StateKind {
    return this.#state.kind;
  }

  get environment(): EnvironmentDefinition {
    return this.config.environment;
  }

  get strategy(): StrategyName {
    return this.config.strategy;
  }

  /** PID of this connection's pwsh host, while it runs. */
  get hostPid(): number | undefined {
    return this.#transport?.alive ? this.#transport.pid : undefined;
  }

  /** What the policy step found: "not applicable" off Windows, else the effective execution policy. */
  get executionPolicy(): string | undefined {
    return this.#policy;
  }

  /** The commands the session exported, sorted: the only ones invoke() and stream() run unless opted in. */
  get commands(): readonly string[] {
    return this.#surface?.exported ?? [];
  }

  /** Runs `fn` once the connection has ended (disconnected or failed). */
  onSettled(fn: () => void): void {
    if (isTerminal(this.#state)) fn();
    else this.#onSettled.push(fn);
  }

  /** Starts the machine; resolves when ready, rejects with the ExoError that ended it. */
  open(signal?: AbortSignal): Promise<void> {
    if (signal) {
      const onAbort = () =>
        this.dispatch({ type: 'ABORT', reason: String(signal.reason ?? 'signal aborted') });
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.onSettled(() => signal.removeEventListener('abort', onAbort));
      }
    }
    this.dispatch({ type: 'START' });
    return this.#ready.promise;
  }

  /** Runs a cmdlet and returns its output as plain objects. Reads are retried once on a broken session. */
  async invoke<T = Record<string, unknown>>(
    command: string,
    parameters: Record<string, ParameterValue> = {},
    options: CommandOptions = {},
  ): Promise<T[]> {
    const rows: T[] = [];
    for await (const row of this.#channel.stream<T>(command, parameters, options)) rows.push(row);
    return rows;
  }

  /** Runs a cmdlet and yields each output object as it arrives, with backpressure to the host. */
  stream<T = Record<string, unknown>>(
    command: string,
    parameters: Record<string, ParameterValue> = {},
    options: CommandOptions = {},
  ): AsyncGenerator<T, void, undefined> {
    return this.#channel.stream<T>(command, parameters, options);
  }

  /**
   * Runs several cmdlets, each checked against the command surface first. The rest strategy sends them as
   * `$batch` requests of 10; the others run them one after another on the session. One result per item, in
   * order: a cmdlet's failure is its item's `error` (ABORTED and TIMEOUT end the whole batch).
   */
  async batch(items: readonly BatchItem[], options: { signal?: AbortSignal } = {}): Promise<BatchResult[]> {
    const { transport, surface } = this.#requireReady();
    for (const item of items)
      surface.check(item.cmdlet, (item.parameters ?? {}) as Record<string, ParameterValue>);
    if (transport instanceof RestTransport) return transport.batch(items, options);
    const results: BatchResult[] = [];
    for (const item of items) {
      const warnings: string[] = [];
      try {
        const value = await this.invoke(
          item.cmdlet,
          (item.parameters ?? {}) as Record<string, ParameterValue>,
          {
            signal: options.signal,
          },
        );
        results.push({ ok: true, cmdlet: item.cmdlet, value, warnings });
      } catch (error) {
        if (!ExoError.is(error) || error.code === 'ABORTED' || error.code === 'TIMEOUT') throw error;
        results.push({ ok: false, cmdlet: item.cmdlet, error });
      }
    }
    return results;
  }

  /** Removes the session and ends the host. Safe to call in any state, and more than once. */
  async disconnect(): Promise<void> {
    this.dispatch(
      this.#state.kind === 'idle'
        ? { type: 'ABORT', reason: 'disconnect() before connect' }
        : { type: 'DISCONNECT' },
    );
    await this.#done.promise.catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.disconnect();
  }

  /** Feeds an event to the machine, runs the effects it returns, and returns them. */
  dispatch(event: Event): Effect[] {
    const from = this.#state.kind;
    const { state, effects } = transition(this.#state, event);
    this.#state = state;
    if (state.kind !== from) this.#emit({ type: 'state', from, to: state.kind });
    // A reconnect starts: commands that wait for it wait for the next ready.
    if (from === 'ready' && state.kind === 'session') this.#ready = deferred();
    for (const effect of effects) this.#perform(effect);
    return effects;
  }

  readonly #emit = (event: ConnectionEvent): void => safely(() => this.config.onEvent?.(event));

  #requireReady(): { transport: Transport; surface: CommandSurface } {
    if (this.#state.kind !== 'ready' || !this.#transport?.alive || !this.#surface) {
      throw new ExoError('SESSION_BROKEN', `The connection is ${this.#state.kind}, not ready.`, {
        remediation:
          this.#state.kind === 'disconnected'
            ? 'Connect again: this connection was disconnected.'
            : undefined,
      });
    }
    return { transport: this.#transport, surface: this.#surface };
  }

  #perform(effect: Effect): void {
    switch (effect.type) {
      case 'startTimer': {
        const ms = this.config.timeouts[effect.step] ?? DEFAULT_TIMEOUTS[effect.step];
        const timer = this.ports.clock.setTimeout(
          () => this.dispatch({ type: 'TIMEOUT', step: effect.step }),
          ms,
        );
        this.#timers.set(effect.step, timer);
        return;
      }
      case 'clearTimer':
        this.ports.clock.clearTimeout(this.#timers.get(effect.step));
        this.#timers.delete(effect.step);
        return;
      case 'run':
        this.#run(effect.step);
        return;
      case 'cancel': {
        const failure = 'failure' in this.#state ? this.#state.failure : undefined;
        const running = this.#steps.get(effect.step);
        running?.abort(failure ? failureError(failure) : undefined);
        this.#steps.delete(effect.step);
        // A stopped step (timeout, abort) ends here: its own end is never reported.
        if (running) this.#emit({ type: 'step', step: effect.step, status: 'failed', detail: failure?.code });
        return;
      }
      case 'killHost':
        this.#transport?.kill();
        return;
      case 'settle':
        this.#settle(effect.outcome);
        return;
      case 'command':
        // Read by the command channel, which dispatched the event that chose it.
        return;
    }
  }

  /** Runs one step; the one place step events come from: its start, and its end (done or failed). */
  #run(step: Step): void {
    const controller = new AbortController();
    this.#steps.set(step, controller);
    this.#emit({ type: 'step', step, status: 'started' });
    STEP_RUNNERS[step](this.#context(controller.signal)).then(
      (result) => {
        if (controller.signal.aborted) return;
        this.#steps.delete(step);
        this.#keep(result);
        if (result.notApplicable) {
          this.#emit({ type: 'step', step, status: 'not-applicable', detail: result.notApplicable });
        }
        this.#emit({ type: 'step', step, status: 'done', detail: result.detail });
        this.dispatch({ type: 'STEP_OK', step });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        this.#steps.delete(step);
        const failure = toFailure(error);
        this.#emit({ type: 'step', step, status: 'failed', detail: failure.code });
        this.dispatch({ type: 'STEP_FAILED', step, failure });
      },
    );
  }

  #keep(result: StepResult): void {
    if (result.transport) this.#transport = result.transport;
    if (result.credential) this.#credential = result.credential;
    if (result.policy) this.#policy = result.policy;
    if (result.commands) this.#surface = new CommandSurface(result.commands, this.config);
  }

  #context(signal: AbortSignal): StepContext {
    const c = this.config;
    return {
      plan: { ...c, credential: this.#credential },
      strategy: STRATEGIES[c.strategy],
      credentialSource: c.credential,
      executionPolicy: c.executionPolicy,
      pwsh: c.pwsh,
      transports: this.ports.hosts,
      transport: this.#transport,
      holdsSession: this.#state.kind === 'disconnecting' ? this.#state.held.session : true,
      // A command still running (a long stream, say) would hold the host until it ends: disconnecting stops it.
      stopCommands: () => this.#channel.stopAll(new ExoError('ABORTED', 'The connection is disconnecting.')),
      emit: this.#emit,
      signal,
    };
  }

  #settle(outcome: 'ready' | 'disconnected' | 'failed'): void {
    if (outcome === 'ready') {
      this.#ready.resolve();
      return;
    }
    for (const timer of this.#timers.values()) this.ports.clock.clearTimeout(timer);
    this.#timers.clear();
    // Whatever happened, no process outlives the connection.
    const transport = this.#transport;
    const finish = () => {
      this.#credential = undefined;
      for (const fn of this.#onSettled.splice(0)) fn();
      if (this.#state.kind === 'failed') {
        const error = failureError(this.#state.failure);
        this.#ready.reject(error);
        this.#done.reject(error);
      } else {
        this.#ready.reject(new ExoError('ABORTED', 'The connection was closed before it was ready.'));
        this.#done.resolve();
      }
    };
    if (transport?.alive) void transport.close(5_000).finally(finish);
    else finish();
  }
}
