import type { EnvironmentDefinition } from '@exo-connect/env-endpoints';
import type { ParameterValue } from '../bridge/encode-request.js';
import type { ErrorFrame, Frame } from '../bridge/frames.js';
import { classifyErrorFrame } from '../errors/classify-error.js';
import { ExoError } from '../errors/exo-error.js';
import {
  type Effect,
  type Event,
  type Failure,
  initialState,
  type State,
  type StateKind,
  type Step,
  transition,
} from '../machine/machine.js';
import type { PwshInfo } from '../pwsh/locate-pwsh.js';
import type { ConnectionEvent } from './events.js';
import type { Clock, HostFactory, HostPort } from './host-port.js';
import {
  type Credential,
  type CredentialProvider,
  DEFAULT_TIMEOUTS,
  parseCredential,
  type Timeouts,
} from './options.js';
import { emitFrame, runCommand, stoppedError } from './run-command.js';
import { STRATEGIES, type StepContext, type StrategyName } from './strategies.js';

export interface ConnectionConfig {
  environment: EnvironmentDefinition;
  strategy: StrategyName;
  connectionUri?: string;
  credential?: Credential | CredentialProvider;
  proxy?: StepContext['proxy'];
  commandNames?: string[];
  prefix?: string;
  skipLoadingFormatData?: boolean;
  executionPolicy: 'bypass' | 'remoteSigned';
  timeouts: Timeouts;
  depth: number;
  pwsh?: PwshInfo;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  onEvent?: (event: ConnectionEvent) => void;
}

export interface Ports {
  hosts: HostFactory;
  clock: Clock;
}

export interface CommandOptions {
  signal?: AbortSignal;
  /** Stops the command after this many milliseconds (TIMEOUT). Default: the connection's `timeouts.command`. */
  timeoutMs?: number;
  /** Depth of the objects returned. Default: the connection's `depth` (4). */
  depth?: number;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

function toFailure(error: unknown): Failure {
  if (ExoError.is(error)) return { code: error.code, message: error.message, cause: error };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'CMDLET_ERROR', message, cause: error };
}

function failureError(failure: Failure): ExoError {
  const cause = failure.cause;
  if (cause instanceof ExoError && cause.code === failure.code) return cause;
  const remediation = ExoError.is(cause) ? cause.remediation : undefined;
  return new ExoError(failure.code, failure.message, { remediation, cause });
}

const READ_VERB = /^(Get|Test|Search|Find|Export|Measure|Resolve|Read)-/i;

/**
 * A connection to Exchange PowerShell: the interpreter of the state machine, running each effect through
 * the ports (the PowerShell host, the clock) and exposing invoke(), stream() and disconnect().
 */
export class Connection implements AsyncDisposable {
  #state: State = initialState;
  #host: HostPort | undefined;
  #credential: Credential | undefined;
  readonly #timers = new Map<Step, unknown>();
  readonly #steps = new Map<Step, AbortController>();
  #ready = deferred();
  readonly #done = deferred();
  #onSettled: Array<() => void> = [];
  #policy: string | undefined;
  /** Stops the commands running now; disconnecting stops them instead of waiting for their end. */
  readonly #commands = new Set<AbortController>();

  constructor(
    private readonly config: ConnectionConfig,
    private readonly ports: Ports,
  ) {}

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
    return this.#host?.alive ? this.#host.pid : undefined;
  }

  /** What the policy step found: "not applicable" off Windows, else the effective execution policy. */
  get executionPolicy(): string | undefined {
    return this.#policy;
  }

  /** Runs `fn` once the connection has ended (disconnected or failed). */
  onSettled(fn: () => void): void {
    if (this.#state.kind === 'disconnected' || this.#state.kind === 'failed') fn();
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
    try {
      for await (const row of this.stream<T>(command, parameters, options)) rows.push(row);
      return rows;
    } catch (error) {
      if (
        ExoError.is(error, 'SESSION_BROKEN') &&
        rows.length === 0 &&
        READ_VERB.test(command) &&
        this.#canReconnect()
      ) {
        await this.#reconnect();
        return this.invoke<T>(command, parameters, options);
      }
      throw error;
    }
  }

  /** Runs a cmdlet and yields each output object as it arrives, with backpressure to pwsh. */
  async *stream<T = Record<string, unknown>>(
    command: string,
    parameters: Record<string, ParameterValue> = {},
    options: CommandOptions = {},
  ): AsyncGenerator<T, void, undefined> {
    const host = this.#requireReady();
    const timeoutMs = options.timeoutMs ?? this.config.timeouts.command;
    const closing = new AbortController();
    const signals = [
      closing.signal,
      options.signal,
      timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
    ].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : closing.signal;
    const errors: ErrorFrame[] = [];
    this.#commands.add(closing);
    let step: IteratorResult<Frame, { ok: boolean; stopped: boolean }>;
    const frames = host.request(command, parameters, { depth: options.depth ?? this.config.depth, signal });
    try {
      step = await frames.next();
      while (!step.done) {
        const frame = step.value;
        if (frame.t === 'o') yield frame.v as T;
        else if (frame.t === 'e') errors.push(frame);
        else emitFrame(frame, this.#emit);
        step = await frames.next();
      }
    } catch (error) {
      // The channel to the host failed (the host exited, or its channel closed or broke): nothing can run
      // on this connection any more, not even a reconnect, which would need that host.
      if (ExoError.is(error, 'SESSION_BROKEN') && this.#state.kind === 'ready') {
        this.dispatch({ type: 'SESSION_LOST', failure: toFailure(error) });
      }
      throw error;
    } finally {
      this.#commands.delete(closing);
      // A caller that stops reading early (break, throw) leaves the request open: end it, so the host
      // stops the command and takes the next one (a no-op when the request already ended).
      await frames.return({ ok: false, stopped: true });
    }
    if (step.value.stopped) throw stoppedError(signal, command);
    const first = errors.find((e) => e.terminating) ?? errors[0];
    if (first) {
      const error = classifyErrorFrame(first, { step: 'invoke' });
      if (errors.length > 1) Object.assign(error.details, { errorCount: errors.length });
      if (error.code === 'SESSION_BROKEN' && !this.#canReconnect() && !READ_VERB.test(command)) {
        this.dispatch({ type: 'SESSION_LOST', failure: toFailure(error) });
      }
      throw error;
    }
  }

  /** Removes the session and ends the host. Safe to call in any state, and more than once. */
  async disconnect(): Promise<void> {
    if (this.#state.kind === 'idle') {
      this.dispatch({ type: 'ABORT', reason: 'disconnect() before connect' });
    } else {
      this.dispatch({ type: 'DISCONNECT' });
    }
    await this.#done.promise.catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.disconnect();
  }

  /** Feeds an event to the machine and runs the effects it returns. */
  dispatch(event: Event): void {
    const from = this.#state.kind;
    const { state, effects } = transition(this.#state, event);
    this.#state = state;
    if (state.kind !== from) this.#emit({ type: 'state', from, to: state.kind });
    for (const effect of effects) this.#perform(effect);
  }

  readonly #emit = (event: ConnectionEvent): void => {
    try {
      this.config.onEvent?.(event);
    } catch {
      // A listener's failure must never break the connection.
    }
  };

  #requireReady(): HostPort {
    if (this.#state.kind !== 'ready' || !this.#host?.alive) {
      throw new ExoError('SESSION_BROKEN', `The connection is ${this.#state.kind}, not ready.`, {
        remediation:
          this.#state.kind === 'disconnected'
            ? 'Connect again: this connection was disconnected.'
            : undefined,
      });
    }
    return this.#host;
  }

  #canReconnect(): boolean {
    return this.#state.kind === 'ready' && this.#state.reconnects === 0;
  }

  async #reconnect(): Promise<void> {
    this.#ready = deferred();
    this.dispatch({ type: 'RECONNECT' });
    await this.#ready.promise;
  }

  #perform(effect: Effect): void {
    switch (effect.type) {
      case 'startTimer': {
        const ms = this.config.timeouts[effect.step] ?? DEFAULT_TIMEOUTS[effect.step];
        this.#timers.set(
          effect.step,
          this.ports.clock.setTimeout(() => this.dispatch({ type: 'TIMEOUT', step: effect.step }), ms),
        );
        return;
      }
      case 'clearTimer':
        this.ports.clock.clearTimeout(this.#timers.get(effect.step));
        this.#timers.delete(effect.step);
        return;
      case 'run': {
        const controller = new AbortController();
        this.#steps.set(effect.step, controller);
        this.#emit({ type: 'step', step: effect.step, status: 'started' });
        this.#runStep(effect.step, controller.signal).then(
          () => {
            if (controller.signal.aborted) return;
            this.#steps.delete(effect.step);
            this.dispatch({ type: 'STEP_OK', step: effect.step });
          },
          (error: unknown) => {
            if (controller.signal.aborted) return;
            this.#steps.delete(effect.step);
            this.dispatch({ type: 'STEP_FAILED', step: effect.step, failure: toFailure(error) });
          },
        );
        return;
      }
      case 'cancel': {
        const failure = 'failure' in this.#state ? this.#state.failure : undefined;
        this.#steps.get(effect.step)?.abort(failure ? failureError(failure) : undefined);
        this.#steps.delete(effect.step);
        return;
      }
      case 'killHost':
        this.#host?.kill();
        return;
      case 'settle':
        this.#settle(effect.outcome);
        return;
    }
  }

  #settle(outcome: 'ready' | 'disconnected' | 'failed'): void {
    if (outcome === 'ready') {
      this.#ready.resolve();
      return;
    }
    for (const timer of this.#timers.values()) this.ports.clock.clearTimeout(timer);
    this.#timers.clear();
    // Whatever happened, no process outlives the connection.
    const host = this.#host;
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
    if (host?.alive) void host.close(5_000).finally(finish);
    else finish();
  }

  #context(signal: AbortSignal): StepContext {
    const c = this.config;
    return {
      host: this.#host!,
      environment: c.environment,
      strategy: c.strategy,
      connectionUri: c.connectionUri,
      credential: this.#credential,
      proxy: c.proxy,
      commandNames: c.commandNames,
      prefix: c.prefix,
      skipLoadingFormatData: c.skipLoadingFormatData,
      env: c.env,
      platform: c.platform,
      emit: this.#emit,
      signal,
    };
  }

  async #runStep(step: Step, signal: AbortSignal): Promise<void> {
    const strategy = STRATEGIES[this.config.strategy];
    switch (step) {
      case 'policy':
        return this.#policyStep(signal);
      case 'credential':
        return this.#credentialStep();
      case 'session':
        return strategy.session(this.#context(signal));
      case 'import':
        return strategy.import(this.#context(signal));
      case 'disconnect': {
        const held = this.#state.kind === 'disconnecting' ? this.#state.held : { host: true, session: true };
        // A command still running (a long stream, say) would hold the host until it ends: stop it.
        const closing = new ExoError('ABORTED', 'The connection is disconnecting.');
        for (const command of this.#commands) command.abort(closing);
        if (held.session && this.#host?.alive) {
          try {
            await strategy.disconnect(this.#context(signal));
          } catch (error) {
            // Ending the host below drops the session with it; say that the clean removal failed.
            this.#emit({
              type: 'warning',
              message: `Removing the session failed: ${(error as Error).message}`,
            });
          }
        }
        await this.#host?.close(5_000);
        this.#emit({ type: 'step', step: 'disconnect', status: 'done' });
        return;
      }
    }
  }

  async #policyStep(signal: AbortSignal): Promise<void> {
    const c = this.config;
    const host = await this.ports.hosts.start({
      info: c.pwsh,
      env: c.env,
      executionPolicy: 'Bypass',
      signal,
    });
    this.#host = host;
    try {
      signal.throwIfAborted();
      // Execution policy exists only on Windows: elsewhere the host need not be asked (a round trip saved).
      const [policy] =
        c.platform === 'win32'
          ? ((await runCommand(host, 'Get-ExoExecutionPolicy', {}, { signal })) as Array<{
              Applicable: boolean;
              Effective: string | null;
              Scopes: Array<{ Scope: string; Policy: string }>;
            }>)
          : [];
      if (!policy?.Applicable) {
        this.#policy = 'not applicable';
        this.#emit({
          type: 'step',
          step: 'policy',
          status: 'not-applicable',
          detail: `not applicable on ${c.platform}`,
        });
      } else {
        await this.#windowsPolicy(host, policy.Scopes, signal);
      }
      const modules = c.environment.prelude?.modules ?? [];
      if (modules.length)
        await runCommand(host, 'Import-ExoPrelude', { Module: modules }, { signal, classify: {} });
      this.#emit({ type: 'step', step: 'policy', status: 'done', detail: this.#policy });
    } catch (error) {
      // The machine does not hold the host until this step succeeds: end it here.
      host.kill();
      throw error;
    }
  }

  async #windowsPolicy(
    host: HostPort,
    scopes: Array<{ Scope: string; Policy: string }>,
    signal: AbortSignal,
  ) {
    const enforced = scopes.find(
      (s) =>
        (s.Scope === 'MachinePolicy' || s.Scope === 'UserPolicy') &&
        /^(Restricted|AllSigned)$/i.test(s.Policy),
    );
    if (enforced) {
      throw new ExoError(
        'EXECUTION_POLICY',
        `Group Policy enforces the execution policy ${enforced.Policy} (${enforced.Scope}): running scripts is disabled on this system.`,
        {
          remediation:
            'Group Policy overrides every other scope, so exo-connect cannot bypass it. Ask your administrator to allow RemoteSigned scripts.',
        },
      );
    }
    if (this.config.executionPolicy === 'remoteSigned') {
      await runCommand(host, 'Set-ExoExecutionPolicy', {}, { signal });
      this.#policy = 'RemoteSigned (CurrentUser, persisted)';
    } else {
      this.#policy = 'Bypass (this process only)';
    }
  }

  async #credentialStep(): Promise<void> {
    const source = this.config.credential;
    if (source === undefined) {
      if (this.config.strategy === 'module') {
        throw new ExoError('CREDENTIAL_MISSING', 'No credential was given for the module strategy.', {
          remediation:
            'Give a credential: { userPrincipalName, password }, { kind: "device" }, { kind: "certificate", … }, ' +
            '{ kind: "managedIdentity", … } or { kind: "accessToken", … }.',
        });
      }
      throw new ExoError(
        'CREDENTIAL_MISSING',
        'No credential was given: remote PowerShell needs a user name and password.',
      );
    }
    this.#credential = parseCredential(typeof source === 'function' ? await provided(source) : source);
    this.#emit({
      type: 'step',
      step: 'credential',
      status: 'done',
      detail: describeCredential(this.#credential),
    });
  }
}

/**
 * Calls a credential provider. Its own ExoError (a cancelled prompt, say) passes unchanged; anything else
 * means no credential could be had: CREDENTIAL_MISSING, with the provider's error as the cause. Its message
 * is not repeated, since it may quote what the provider read (JSON.parse quotes its input, for one).
 */
async function provided(provider: CredentialProvider): Promise<Credential> {
  try {
    return await provider();
  } catch (error) {
    if (ExoError.is(error)) throw error;
    const kind = error instanceof Error ? error.name : typeof error;
    throw new ExoError('CREDENTIAL_MISSING', `The credential provider failed (${kind}).`, {
      remediation:
        'Check what the credential provider reads (a prompt, a vault, a file), or pass the credential itself. ' +
        "The provider's error is this error's cause.",
      cause: error,
    });
  }
}

/** What may be shown of a credential: never a password, token or certificate secret. */
export function describeCredential(credential: Credential): string {
  switch (credential.kind) {
    case undefined:
    case 'password':
      return credential.userPrincipalName;
    case 'device':
      return 'device code sign-in';
    case 'certificate':
      return `certificate for app ${credential.appId}`;
    case 'managedIdentity':
      return 'managed identity';
    case 'accessToken':
      return 'access token';
  }
}
