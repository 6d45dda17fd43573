import type { ErrorCode } from '../errors/error-codes.js';

/**
 * The connection state machine as a pure function: (state, event) → next state and effects as data.
 * It never touches a process, a timer or a clock; the interpreter (connection.ts) runs the effects.
 *
 *   idle → policy → credential → session → import → ready → disconnecting → disconnected
 *                                                     ↘ (any failure, abort or timeout) → disconnecting → failed
 */
export type Step = 'policy' | 'credential' | 'session' | 'import' | 'disconnect';
export type ActiveStep = Exclude<Step, 'disconnect'>;

export const CONNECT_STEPS: readonly ActiveStep[] = ['policy', 'credential', 'session', 'import'];

/** What the connection holds and must release: the pwsh host and the remote session. */
export interface Held {
  host: boolean;
  session: boolean;
}

export interface Failure {
  code: ErrorCode;
  message: string;
  cause?: unknown;
}

export type State =
  | { kind: 'idle' }
  | { kind: ActiveStep; held: Held; reconnecting: boolean }
  | { kind: 'ready'; held: Held; reconnects: number }
  | { kind: 'disconnecting'; held: Held; failure?: Failure }
  | { kind: 'disconnected' }
  | { kind: 'failed'; failure: Failure };

export type StateKind = State['kind'];

export type Event =
  | { type: 'START' }
  | { type: 'STEP_OK'; step: Step }
  | { type: 'STEP_FAILED'; step: Step; failure: Failure }
  | { type: 'TIMEOUT'; step: Step }
  | { type: 'ABORT'; reason?: string }
  | { type: 'DISCONNECT' }
  | { type: 'SESSION_LOST'; failure: Failure }
  | { type: 'RECONNECT' }
  /**
   * A command on a ready connection found its session broken. `hostLost`: the channel to the host failed, so
   * nothing can run any more; `delivered`: the caller has already seen part of its output.
   */
  | { type: 'COMMAND_BROKEN'; command: string; delivered: boolean; hostLost: boolean; failure: Failure };

export type Effect =
  | { type: 'run'; step: Step }
  | { type: 'cancel'; step: Step }
  | { type: 'startTimer'; step: Step }
  | { type: 'clearTimer'; step: Step }
  | { type: 'killHost' }
  | { type: 'settle'; outcome: 'ready' | 'disconnected' | 'failed' }
  /** The answer to COMMAND_BROKEN: run the command again once ready, or fail it with its error. */
  | { type: 'command'; outcome: 'retry' | 'fail' };

export interface Transition {
  state: State;
  effects: Effect[];
}

const NEXT: Record<ActiveStep, ActiveStep | 'ready'> = {
  policy: 'credential',
  credential: 'session',
  session: 'import',
  import: 'ready',
};

export const initialState: State = { kind: 'idle' };

function isActive(kind: StateKind): kind is ActiveStep {
  return kind === 'policy' || kind === 'credential' || kind === 'session' || kind === 'import';
}

function enter(step: Step): Effect[] {
  return [
    { type: 'startTimer', step },
    { type: 'run', step },
  ];
}

/** Leaves a connect step for cleanup: release what is held, or fail at once when nothing is. */
function fail(held: Held, failure: Failure, running?: Step): Transition {
  const stop: Effect[] = running
    ? [
        { type: 'clearTimer', step: running },
        { type: 'cancel', step: running },
      ]
    : [];
  if (held.host || held.session) {
    return { state: { kind: 'disconnecting', held, failure }, effects: [...stop, ...enter('disconnect')] };
  }
  return { state: { kind: 'failed', failure }, effects: [...stop, { type: 'settle', outcome: 'failed' }] };
}

/** Cleanup is over: failed when a failure led here, else disconnected. */
function end(state: { failure?: Failure }, effects: Effect[]): Transition {
  if (state.failure) {
    return {
      state: { kind: 'failed', failure: state.failure },
      effects: [...effects, { type: 'settle', outcome: 'failed' }],
    };
  }
  return {
    state: { kind: 'disconnected' },
    effects: [...effects, { type: 'settle', outcome: 'disconnected' }],
  };
}

function unchanged(state: State): Transition {
  return { state, effects: [] };
}

export function transition(state: State, event: Event): Transition {
  switch (state.kind) {
    case 'idle':
      if (event.type === 'START') {
        return {
          state: { kind: 'policy', held: { host: false, session: false }, reconnecting: false },
          effects: enter('policy'),
        };
      }
      if (event.type === 'ABORT') {
        return {
          state: { kind: 'failed', failure: aborted(event.reason) },
          effects: [{ type: 'settle', outcome: 'failed' }],
        };
      }
      return unchanged(state);

    case 'policy':
    case 'credential':
    case 'session':
    case 'import': {
      const step = state.kind;
      if (event.type === 'STEP_OK' && event.step === step) {
        const held: Held = {
          host: state.held.host || step === 'policy',
          session: state.held.session || step === 'session',
        };
        const next = NEXT[step];
        const leave: Effect[] = [{ type: 'clearTimer', step }];
        if (next === 'ready') {
          return {
            state: { kind: 'ready', held, reconnects: state.reconnecting ? 1 : 0 },
            effects: [...leave, { type: 'settle', outcome: 'ready' }],
          };
        }
        return {
          state: { kind: next, held, reconnecting: state.reconnecting },
          effects: [...leave, ...enter(next)],
        };
      }
      if (event.type === 'STEP_FAILED' && event.step === step) {
        // A failed session step may still have opened something remotely; release it too.
        return fail(
          { ...state.held, session: state.held.session || step === 'session' },
          event.failure,
          step,
        );
      }
      if (event.type === 'TIMEOUT' && event.step === step) {
        return fail(
          { ...state.held, session: state.held.session || step === 'session' },
          timedOut(step),
          step,
        );
      }
      if (event.type === 'ABORT') {
        return fail(
          { ...state.held, session: state.held.session || step === 'session' },
          aborted(event.reason),
          step,
        );
      }
      if (event.type === 'DISCONNECT') {
        return fail(state.held, aborted('disconnect() was called before the connection was ready'), step);
      }
      return unchanged(state);
    }

    case 'ready':
      if (event.type === 'DISCONNECT') {
        return { state: { kind: 'disconnecting', held: state.held }, effects: enter('disconnect') };
      }
      if (event.type === 'ABORT') {
        return {
          state: { kind: 'disconnecting', held: state.held, failure: aborted(event.reason) },
          effects: enter('disconnect'),
        };
      }
      if (event.type === 'SESSION_LOST') {
        return fail(state.held, event.failure);
      }
      if (event.type === 'RECONNECT' && state.reconnects === 0) return reconnect(state.held, []);
      if (event.type === 'COMMAND_BROKEN') return commandBroken(state, event);
      return unchanged(state);

    case 'disconnecting': {
      if ((event.type === 'STEP_OK' || event.type === 'STEP_FAILED') && event.step === 'disconnect') {
        return end(state, [{ type: 'clearTimer', step: 'disconnect' }]);
      }
      if (event.type === 'TIMEOUT' && event.step === 'disconnect') {
        // The remote did not answer in time: end the host, which drops the session with it.
        return end(state, [{ type: 'cancel', step: 'disconnect' }, { type: 'killHost' }]);
      }
      // Abort and further disconnect requests cannot interrupt cleanup.
      return unchanged(state);
    }

    case 'disconnected':
    case 'failed':
      return unchanged(state);
  }
}

/** Verbs that only read: running one again after a reconnect cannot change anything twice. */
const READ_VERB = /^(Get|Test|Search|Find|Export|Measure|Resolve|Read)-/i;

export function isReadCommand(command: string): boolean {
  return READ_VERB.test(command);
}

function reconnect(held: Held, effects: Effect[]): Transition {
  return {
    state: { kind: 'session', held: { host: held.host, session: false }, reconnecting: true },
    effects: [...enter('session'), ...effects],
  };
}

/**
 * A broken session under a ready connection. A read that returned nothing yet is run again after the one
 * reconnect a connection gets; a host that is gone, or a write once that reconnect is spent, ends the
 * connection; anything else fails only the command and leaves the next read to reconnect.
 */
function commandBroken(
  state: Extract<State, { kind: 'ready' }>,
  event: Extract<Event, { type: 'COMMAND_BROKEN' }>,
): Transition {
  const failCommand: Effect = { type: 'command', outcome: 'fail' };
  if (event.hostLost) {
    const lost = fail(state.held, event.failure);
    return { state: lost.state, effects: [failCommand, ...lost.effects] };
  }
  const read = isReadCommand(event.command);
  if (state.reconnects === 0) {
    if (read && !event.delivered) return reconnect(state.held, [{ type: 'command', outcome: 'retry' }]);
    return { state, effects: [failCommand] };
  }
  if (!read) {
    const lost = fail(state.held, event.failure);
    return { state: lost.state, effects: [failCommand, ...lost.effects] };
  }
  return { state, effects: [failCommand] };
}

export function aborted(reason?: string): Failure {
  return { code: 'ABORTED', message: reason ? `Aborted: ${reason}` : 'The operation was aborted.' };
}

export function timedOut(step: Step): Failure {
  return { code: 'TIMEOUT', message: `The ${step} step timed out.` };
}

export function isTerminal(state: State): boolean {
  return state.kind === 'disconnected' || state.kind === 'failed';
}

export function isConnecting(state: State): boolean {
  return isActive(state.kind);
}
