import { describe, expect, it } from 'vitest';
import { CONNECT_STEPS, type Event, initialState, type State, transition } from './machine.js';

/** The state after feeding `events` one by one. */
const walk = (events: Event[], from: State = initialState): State =>
  events.reduce((state, event) => transition(state, event).state, from);

const toReady: Event[] = [
  { type: 'START' },
  ...CONNECT_STEPS.map((step): Event => ({ type: 'STEP_OK', step })),
];

describe('a command that finds its session broken', () => {
  const broken = (command: string, delivered: boolean, hostLost = false): Event => ({
    type: 'COMMAND_BROKEN',
    command,
    delivered,
    hostLost,
    failure: { code: 'SESSION_BROKEN', message: 'broken' },
  });
  const ready = walk(toReady);

  it('reconnects once and retries a read that returned nothing yet', () => {
    const { state, effects } = transition(ready, broken('Get-Mailbox', false));
    expect(state).toEqual({ kind: 'session', held: { host: true, session: false }, reconnecting: true });
    expect(effects).toEqual([
      { type: 'startTimer', step: 'session' },
      { type: 'run', step: 'session' },
      { type: 'command', outcome: 'retry' },
    ]);
    const again = walk(
      [
        { type: 'STEP_OK', step: 'session' },
        { type: 'STEP_OK', step: 'import' },
      ],
      state,
    );
    expect(again).toMatchObject({ kind: 'ready', reconnects: 1 });
    // The reconnect is spent: the next broken read fails alone, and the connection stays up.
    expect(transition(again, broken('get-mailbox', false))).toEqual({
      state: again,
      effects: [{ type: 'command', outcome: 'fail' }],
    });
  });

  it('never runs a write again, nor a read whose output the caller has seen', () => {
    for (const event of [broken('Set-Mailbox', false), broken('Get-Mailbox', true)]) {
      expect(transition(ready, event)).toEqual({
        state: ready,
        effects: [{ type: 'command', outcome: 'fail' }],
      });
    }
  });

  it('ends the connection when the host is gone, or for a write once the reconnect is spent', () => {
    const lost = transition(ready, broken('Get-Mailbox', false, true));
    expect(lost.state).toMatchObject({ kind: 'disconnecting', failure: { code: 'SESSION_BROKEN' } });
    expect(lost.effects[0]).toEqual({ type: 'command', outcome: 'fail' });
    const spent = walk(
      [
        broken('Get-Mailbox', false),
        { type: 'STEP_OK', step: 'session' },
        { type: 'STEP_OK', step: 'import' },
      ],
      ready,
    );
    expect(transition(spent, broken('Set-Mailbox', false)).state).toMatchObject({ kind: 'disconnecting' });
  });

  it('is ignored while not ready', () => {
    const connecting = walk(toReady.slice(0, 3));
    expect(transition(connecting, broken('Get-Mailbox', false))).toEqual({
      state: connecting,
      effects: [],
    });
  });
});
