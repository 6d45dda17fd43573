import { describe, expect, it } from 'vitest';
import {
  CONNECT_STEPS,
  type Effect,
  type Event,
  type Failure,
  initialState,
  isTerminal,
  type State,
  type Step,
  transition,
} from './machine.js';

const failure: Failure = { code: 'AUTH_FAILED', message: 'Access is denied.' };
const STEPS: Step[] = [...CONNECT_STEPS, 'disconnect'];
const EVENTS: Event[] = [
  { type: 'START' },
  { type: 'ABORT', reason: 'test' },
  { type: 'DISCONNECT' },
  { type: 'RECONNECT' },
  { type: 'SESSION_LOST', failure: { code: 'SESSION_BROKEN', message: 'broken' } },
  ...(['Get-Mailbox', 'Set-Mailbox'] as const).flatMap((command) =>
    [false, true].flatMap((delivered) =>
      [false, true].map(
        (hostLost): Event => ({
          type: 'COMMAND_BROKEN',
          command,
          delivered,
          hostLost,
          failure: { code: 'SESSION_BROKEN', message: 'broken' },
        }),
      ),
    ),
  ),
  ...STEPS.flatMap((step): Event[] => [
    { type: 'STEP_OK', step },
    { type: 'STEP_FAILED', step, failure },
    { type: 'TIMEOUT', step },
  ]),
];

function run(events: Event[], from: State = initialState) {
  let state = from;
  const effects: Effect[] = [];
  for (const event of events) {
    const next = transition(state, event);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

const toReady: Event[] = [
  { type: 'START' },
  ...CONNECT_STEPS.map((step): Event => ({ type: 'STEP_OK', step })),
];

function key(state: State): string {
  return JSON.stringify(state);
}

/** Every state reachable from idle through any sequence of events. */
function reachable(): State[] {
  const seen = new Map<string, State>([[key(initialState), initialState]]);
  const queue: State[] = [initialState];
  while (queue.length) {
    const state = queue.shift()!;
    for (const event of EVENTS) {
      const next = transition(state, event).state;
      if (!seen.has(key(next))) {
        seen.set(key(next), next);
        queue.push(next);
      }
    }
  }
  return [...seen.values()];
}

describe('connection state machine', () => {
  it('walks policy → credential → session → import → ready → disconnected', () => {
    const up = run(toReady);
    expect(up.state).toEqual({ kind: 'ready', held: { host: true, session: true }, reconnects: 0 });
    expect(up.effects.filter((e) => e.type === 'run')).toEqual(
      CONNECT_STEPS.map((step) => ({ type: 'run', step })),
    );
    expect(up.effects.at(-1)).toEqual({ type: 'settle', outcome: 'ready' });

    const down = run([{ type: 'DISCONNECT' }, { type: 'STEP_OK', step: 'disconnect' }], up.state);
    expect(down.state).toEqual({ kind: 'disconnected' });
    expect(down.effects).toEqual([
      { type: 'startTimer', step: 'disconnect' },
      { type: 'run', step: 'disconnect' },
      { type: 'clearTimer', step: 'disconnect' },
      { type: 'settle', outcome: 'disconnected' },
    ]);
  });

  describe.each(CONNECT_STEPS.map((step, i) => ({ step, before: toReady.slice(0, i + 1) })))(
    'in the $step step',
    ({ step, before }) => {
      const cases: Array<[string, Event, string]> = [
        ['a failure', { type: 'STEP_FAILED', step, failure }, 'AUTH_FAILED'],
        ['a timeout', { type: 'TIMEOUT', step }, 'TIMEOUT'],
        ['an abort', { type: 'ABORT', reason: 'user' }, 'ABORTED'],
        ['an early disconnect()', { type: 'DISCONNECT' }, 'ABORTED'],
      ];
      it.each(cases)(
        '%s cancels the step, releases what is held and fails with its code',
        (_, event, code) => {
          const at = run(before);
          expect(at.state.kind).toBe(step);
          const next = transition(at.state, event);
          expect(next.effects).toContainEqual({ type: 'cancel', step });
          expect(next.effects).toContainEqual({ type: 'clearTimer', step });
          // Only the policy step holds nothing yet (it cleans up a half-started host itself).
          if (step !== 'policy') {
            expect(next.state).toMatchObject({ kind: 'disconnecting', failure: { code } });
            expect(next.effects).toContainEqual({ type: 'run', step: 'disconnect' });
            const end = run([{ type: 'STEP_OK', step: 'disconnect' }], next.state);
            expect(end.state).toMatchObject({ kind: 'failed', failure: { code } });
            expect(end.effects).toContainEqual({ type: 'settle', outcome: 'failed' });
          } else {
            expect(next.state).toMatchObject({ kind: 'failed', failure: { code } });
            expect(next.effects).toContainEqual({ type: 'settle', outcome: 'failed' });
          }
        },
      );
    },
  );

  it('releases a session that a failed session step may have opened', () => {
    const at = run(toReady.slice(0, 3));
    const next = transition(at.state, { type: 'STEP_FAILED', step: 'session', failure });
    expect(next.state).toMatchObject({ kind: 'disconnecting', held: { host: true, session: true } });
  });

  it('fails directly when aborted before anything is held', () => {
    expect(transition(initialState, { type: 'ABORT' })).toEqual({
      state: { kind: 'failed', failure: { code: 'ABORTED', message: 'The operation was aborted.' } },
      effects: [{ type: 'settle', outcome: 'failed' }],
    });
  });

  it('disconnects and fails with ABORTED when aborted while ready', () => {
    const next = run([...toReady, { type: 'ABORT' }, { type: 'STEP_OK', step: 'disconnect' }]);
    expect(next.state).toMatchObject({ kind: 'failed', failure: { code: 'ABORTED' } });
  });

  it('kills the host when disconnect times out, and still settles', () => {
    const next = run([...toReady, { type: 'DISCONNECT' }, { type: 'TIMEOUT', step: 'disconnect' }]);
    expect(next.state).toEqual({ kind: 'disconnected' });
    expect(next.effects.slice(-3)).toEqual([
      { type: 'cancel', step: 'disconnect' },
      { type: 'killHost' },
      { type: 'settle', outcome: 'disconnected' },
    ]);
  });

  it('ignores abort and repeated disconnect while disconnecting', () => {
    const at = run([...toReady, { type: 'DISCONNECT' }]);
    expect(transition(at.state, { type: 'ABORT' })).toEqual({ state: at.state, effects: [] });
    expect(transition(at.state, { type: 'DISCONNECT' })).toEqual({ state: at.state, effects: [] });
  });

  it('reconnects a lost session once, then reports the loss', () => {
    const first = run([...toReady, { type: 'RECONNECT' }]);
    expect(first.state).toEqual({
      kind: 'session',
      held: { host: true, session: false },
      reconnecting: true,
    });
    expect(first.effects.slice(-2)).toEqual([
      { type: 'startTimer', step: 'session' },
      { type: 'run', step: 'session' },
    ]);
    const back = run(
      [
        { type: 'STEP_OK', step: 'session' },
        { type: 'STEP_OK', step: 'import' },
      ],
      first.state,
    );
    expect(back.state).toEqual({ kind: 'ready', held: { host: true, session: true }, reconnects: 1 });
    expect(transition(back.state, { type: 'RECONNECT' }).effects).toEqual([]);
    const lost = transition(back.state, {
      type: 'SESSION_LOST',
      failure: { code: 'SESSION_BROKEN', message: 'x' },
    });
    expect(lost.state).toMatchObject({ kind: 'disconnecting', failure: { code: 'SESSION_BROKEN' } });
  });

  it('ignores events meant for another step', () => {
    const at = run(toReady.slice(0, 2));
    expect(at.state.kind).toBe('credential');
    for (const event of EVENTS.filter((e) => 'step' in e && e.step !== 'credential')) {
      expect(transition(at.state, event)).toEqual({ state: at.state, effects: [] });
    }
  });

  describe('over every reachable state', () => {
    const states = reachable();

    it('reaches a finite, complete set of states', () => {
      expect(new Set(states.map((s) => s.kind))).toEqual(
        new Set([
          'idle',
          'policy',
          'credential',
          'session',
          'import',
          'ready',
          'disconnecting',
          'disconnected',
          'failed',
        ]),
      );
    });

    it('can always still end in disconnected or failed', () => {
      for (const start of states) {
        const seen = new Set<string>();
        const queue = [start];
        let terminal = false;
        while (queue.length && !terminal) {
          const state = queue.shift()!;
          if (isTerminal(state)) terminal = true;
          for (const event of EVENTS) {
            const next = transition(state, event).state;
            if (!seen.has(key(next))) {
              seen.add(key(next));
              queue.push(next);
            }
          }
        }
        expect(terminal, `stuck from ${key(start)}`).toBe(true);
      }
    });

    it('never fails while holding the host or a session without disconnecting first', () => {
      for (const state of states) {
        for (const event of EVENTS) {
          const next = transition(state, event);
          if (next.state.kind === 'failed' && state.kind !== 'disconnecting' && state.kind !== 'failed') {
            const held = 'held' in state ? state.held : { host: false, session: false };
            expect(held, `${key(state)} --${event.type}--> failed`).toEqual({ host: false, session: false });
          }
        }
      }
    });

    it('pairs every run with a timer, clears it on leaving, and settles exactly on entering an end state', () => {
      for (const state of states) {
        for (const event of EVENTS) {
          const { state: next, effects } = transition(state, event);
          for (const effect of effects.filter((e) => e.type === 'run')) {
            expect(effects).toContainEqual({ type: 'startTimer', step: effect.step });
          }
          const leftStep = state.kind !== next.kind && state.kind !== 'idle' && state.kind !== 'ready';
          if (leftStep && !isTerminal(state)) {
            const step = state.kind === 'disconnecting' ? 'disconnect' : state.kind;
            const cleared = effects.some(
              (e) => (e.type === 'clearTimer' || e.type === 'cancel') && e.step === step,
            );
            expect(cleared, `${key(state)} --${event.type}--> ${next.kind}`).toBe(true);
          }
          const settles = effects.filter((e) => e.type === 'settle');
          const entersEnd = isTerminal(next) && !isTerminal(state);
          const entersReady = next.kind === 'ready' && state.kind !== 'ready';
          expect(settles.length).toBe(entersEnd || entersReady ? 1 : 0);
          if (isTerminal(state)) expect(effects).toEqual([]);
        }
      }
    });
  });
});
