import type { Writable } from 'node:stream';
import type { ConnectionEvent } from '@exo-connect/core';
import { truncateToWidth } from '../text/display-width.js';
import { terminalText } from '../text/terminal-text.js';

export interface ProgressReporterOptions {
  /** stderr: progress never mixes with the data on stdout. */
  stream: Writable & { isTTY?: boolean; columns?: number };
  /** Default: stream.isTTY. */
  isTTY?: boolean;
  /** Only warnings are printed. */
  quiet?: boolean;
  /** For NO_COLOR and TERM. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Terminal width for the progress line. Default: stream.columns, else 80. */
  columns?: number;
}

export interface ProgressReporter {
  /** Pass as connect()'s onEvent. */
  readonly onEvent: (event: ConnectionEvent) => void;
  /** Removes a progress line still drawn; call before writing anything else to the terminal. */
  clear(): void;
}

const NEXT: Record<string, string> = {
  policy: 'credential',
  credential: 'session',
  session: 'import',
  import: 'ready',
};
const MILESTONES = [0, 25, 50, 75, 100];
const BAR_WIDTH = 20;
const ERASE_LINE = '\r\u001b[2K';

/** Color only on a terminal that has not opted out (https://no-color.org, TERM=dumb). */
export function useColor(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** `[█████░░░░░]`, or for an unknown percent (-1) a block that moves one cell per event. */
export function progressBar(percent: number, tick: number, width = BAR_WIDTH): string {
  if (percent < 0) {
    const span = width - 3;
    const at = tick % (2 * span);
    const start = at <= span ? at : 2 * span - at;
    return `[${' '.repeat(start)}███${' '.repeat(span - start)}]`;
  }
  const filled = Math.round((Math.min(percent, 100) / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/**
 * Renders core's ConnectionEvents on stderr. On a terminal: one ✓/✗ line per step, and a single line redrawn
 * in place for the step under way and the import progress bar, erased when done. Elsewhere (a pipe, a log):
 * plain lines only, no escape codes or \r, and progress reduced to 0/25/50/75/100% milestones. `quiet`
 * prints warnings only. Draws only when an event arrives: no timers keep the process alive.
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const { stream } = options;
  const tty = options.isTTY ?? stream.isTTY === true;
  const quiet = options.quiet === true;
  const color = useColor(tty, options.env ?? process.env);
  const width = Math.max(10, (options.columns ?? stream.columns ?? 80) - 1);
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[39m` : text);

  let drawn = '';
  let live = '';
  let tick = 0;
  const printed = new Set<string>();
  const milestones = new Map<string, number>();

  const draw = (text: string) => {
    live = text;
    const next = truncateToWidth(text, width);
    if (next === drawn) return;
    stream.write(`${ERASE_LINE}${next}`);
    drawn = next;
  };
  const clear = () => {
    live = '';
    if (tty && drawn !== '') stream.write(ERASE_LINE);
    drawn = '';
  };
  const line = (text: string) => {
    if (!tty) {
      stream.write(`${text}\n`);
      return;
    }
    const keep = live;
    clear();
    stream.write(`${text}\n`);
    if (keep) draw(keep);
  };

  const finishStep = (step: string, ok: boolean, detail?: string) => {
    if (printed.has(step)) return;
    printed.add(step);
    clear();
    if (quiet) return;
    const mark = ok ? paint(32, '✓') : paint(31, '✗');
    const name = step === 'disconnect' && ok ? 'disconnected' : step;
    line(`${mark} ${name}${detail ? `: ${terminalText(detail)}` : ''}`);
  };

  const progress = (event: Extract<ConnectionEvent, { type: 'progress' }>) => {
    const activity = terminalText(event.activity) || 'Working';
    const percent = event.completed ? 100 : event.percent;
    if (tty) {
      if (event.completed) {
        clear();
        return;
      }
      tick++;
      const status = terminalText(event.status);
      const amount = percent < 0 ? '' : ` ${String(Math.round(percent)).padStart(3)}%`;
      draw(`${activity} ${progressBar(percent, tick)}${amount}${status ? ` ${status}` : ''}`);
      return;
    }
    const last = milestones.get(activity);
    if (percent < 0) {
      if (last === undefined) line(`${activity}…`);
      milestones.set(activity, last ?? -1);
      return;
    }
    const reached = MILESTONES.filter((m) => m <= percent).at(-1) ?? 0;
    if (last === undefined || reached > last) {
      line(`${activity}: ${reached}%`);
      milestones.set(activity, reached);
    }
  };

  const onEvent = (event: ConnectionEvent) => {
    switch (event.type) {
      case 'warning':
        line(`${paint(33, 'WARNING:')} ${terminalText(event.message)}`);
        return;
      case 'information':
        if (!quiet) line(terminalText(event.message));
        return;
      case 'queued':
        if (!quiet) {
          line(`waiting for a free session for ${terminalText(event.account)} (${event.waiting} waiting)`);
        }
        return;
      case 'progress':
        if (!quiet) progress(event);
        return;
      case 'step':
        if (event.status === 'started') {
          printed.delete(event.step);
          milestones.clear();
          if (tty && !quiet) draw(`… ${event.step}`);
        } else {
          finishStep(event.step, event.status !== 'failed', event.detail);
        }
        return;
      case 'state':
        // Core reports some steps' success only as the move to the next state.
        if (Object.hasOwn(NEXT, event.from)) finishStep(event.from, NEXT[event.from] === event.to);
        return;
    }
  };

  return { onEvent, clear };
}
