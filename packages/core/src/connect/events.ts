import type { StateKind } from '../machine/machine.js';

export type ConnectionEvent =
  | { type: 'state'; from: StateKind; to: StateKind }
  | { type: 'step'; step: string; status: 'started' | 'done' | 'not-applicable' | 'failed'; detail?: string }
  | {
      type: 'progress';
      activity: string;
      status: string;
      percent: number;
      completed: boolean;
    }
  | { type: 'warning'; message: string }
  | { type: 'information'; message: string }
  | { type: 'queued'; account: string; waiting: number };
