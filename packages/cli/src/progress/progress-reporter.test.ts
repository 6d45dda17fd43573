import { PassThrough } from 'node:stream';
import type { ConnectionEvent } from '@exo-connect/core';
import { describe, expect, it } from 'vitest';
import {
  createProgressReporter,
  type ProgressReporterOptions,
  progressBar,
  useColor,
} from './progress-reporter.js';

const E = '\r\u001b[2K';

/** What core emits for a module-strategy connect on Linux, then a disconnect. */
const SESSION: ConnectionEvent[] = [
  { type: 'state', from: 'idle', to: 'policy' },
  { type: 'step', step: 'policy', status: 'started' },
  { type: 'step', step: 'policy', status: 'not-applicable', detail: 'not applicable on linux' },
  { type: 'step', step: 'policy', status: 'done', detail: 'not applicable' },
  { type: 'state', from: 'policy', to: 'credential' },
  { type: 'step', step: 'credential', status: 'started' },
  { type: 'step', step: 'credential', status: 'done', detail: 'admin@contoso.com' },
  { type: 'state', from: 'credential', to: 'session' },
  { type: 'step', step: 'session', status: 'started' },
  { type: 'state', from: 'session', to: 'import' },
  { type: 'step', step: 'import', status: 'started' },
  { type: 'progress', activity: 'Importing cmdlets', status: 'Get-Mailbox', percent: 10, completed: false },
  { type: 'progress', activity: 'Importing cmdlets', status: 'Set-Mailbox', percent: 30, completed: false },
  { type: 'warning', message: 'Some imported command names include unapproved verbs.' },
  { type: 'progress', activity: 'Importing cmdlets', status: 'Set-Mailbox', percent: 30, completed: false },
  { type: 'progress', activity: 'Importing cmdlets', status: 'Get-User', percent: 60, completed: false },
  { type: 'progress', activity: 'Importing cmdlets', status: 'done', percent: 100, completed: true },
  { type: 'state', from: 'import', to: 'ready' },
  { type: 'information', message: 'Connected to the sandbox tenant.' },
  { type: 'state', from: 'ready', to: 'disconnecting' },
  { type: 'step', step: 'disconnect', status: 'started' },
  { type: 'step', step: 'disconnect', status: 'done' },
  { type: 'state', from: 'disconnecting', to: 'disconnected' },
];

function run(events: ConnectionEvent[], options: Omit<ProgressReporterOptions, 'stream'>): string {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => {
    text += String(chunk);
  });
  const reporter = createProgressReporter({ stream, env: {}, columns: 61, ...options });
  for (const event of events) reporter.onEvent(event);
  reporter.clear();
  stream.end();
  return text;
}

describe('createProgressReporter without a terminal', () => {
  it('prints plain step lines and progress milestones only', () => {
    expect(run(SESSION, { isTTY: false })).toBe(
      [
        '✓ policy: not applicable on linux',
        '✓ credential: admin@contoso.com',
        '✓ session',
        'Importing cmdlets: 0%',
        'Importing cmdlets: 25%',
        'WARNING: Some imported command names include unapproved verbs.',
        'Importing cmdlets: 50%',
        'Importing cmdlets: 100%',
        '✓ import',
        'Connected to the sandbox tenant.',
        '✓ disconnected',
        '',
      ].join('\n'),
    );
  });

  it('never writes escape codes or carriage returns, even for hostile text', () => {
    const text = run(
      [
        { type: 'warning', message: 'bad\u001b[2J\rtext' },
        { type: 'progress', activity: 'x\u001b]0;t\u0007', status: '', percent: -1, completed: false },
        { type: 'progress', activity: 'x\u001b]0;t\u0007', status: '', percent: -1, completed: false },
      ],
      { isTTY: false },
    );
    expect(text).toBe('WARNING: bad\uFFFD[2J text\nx\uFFFD]0;t\uFFFD…\n');
  });

  it('reports a failed step with ✗', () => {
    const text = run(
      [
        { type: 'step', step: 'session', status: 'started' },
        { type: 'state', from: 'session', to: 'disconnecting' },
      ],
      { isTTY: false },
    );
    expect(text).toBe('✗ session\n');
  });

  it('prints only warnings when quiet', () => {
    expect(run(SESSION, { isTTY: false, quiet: true })).toBe(
      'WARNING: Some imported command names include unapproved verbs.\n',
    );
  });

  it('tells the user it is waiting for a session slot', () => {
    expect(run([{ type: 'queued', account: 'admin@contoso.com', waiting: 2 }], { isTTY: false })).toBe(
      'waiting for a free session for admin@contoso.com (2 waiting)\n',
    );
  });
});

describe('createProgressReporter on a terminal', () => {
  it('redraws one line in place for steps and the import bar, and erases it when done', () => {
    const bar = (n: number) => `[${'█'.repeat(n)}${'░'.repeat(20 - n)}]`;
    expect(run(SESSION, { isTTY: true, env: { NO_COLOR: '1' } })).toBe(
      [
        `${E}… policy`,
        `${E}✓ policy: not applicable on linux\n`,
        `${E}… credential`,
        `${E}✓ credential: admin@contoso.com\n`,
        `${E}… session`,
        `${E}✓ session\n`,
        `${E}… import`,
        `${E}Importing cmdlets ${bar(2)}  10% Get-Mailbox`,
        `${E}Importing cmdlets ${bar(6)}  30% Set-Mailbox`,
        `${E}WARNING: Some imported command names include unapproved verbs.\n`,
        `${E}Importing cmdlets ${bar(6)}  30% Set-Mailbox`,
        `${E}Importing cmdlets ${bar(12)}  60% Get-User`,
        `${E}✓ import\n`,
        'Connected to the sandbox tenant.\n',
        `${E}… disconnect`,
        `${E}✓ disconnected\n`,
      ].join(''),
    );
  });

  it('colors marks and warnings unless NO_COLOR is set', () => {
    const events: ConnectionEvent[] = [
      { type: 'step', step: 'credential', status: 'done', detail: 'a@b.c' },
      { type: 'warning', message: 'w' },
    ];
    expect(run(events, { isTTY: true, env: {} })).toBe(
      '\u001b[32m✓\u001b[39m credential: a@b.c\n\u001b[33mWARNING:\u001b[39m w\n',
    );
    expect(run(events, { isTTY: true, env: { NO_COLOR: '1' } })).toBe('✓ credential: a@b.c\nWARNING: w\n');
  });

  it('truncates the progress line to the terminal width', () => {
    const text = run(
      [{ type: 'progress', activity: 'A'.repeat(100), status: '', percent: 50, completed: false }],
      { isTTY: true, columns: 21 },
    );
    expect(text).toBe(`${E}${'A'.repeat(19)}…${E}`);
  });

  it('moves an indeterminate bar one cell per event and leaves no line behind', () => {
    const event: ConnectionEvent = {
      type: 'progress',
      activity: 'Connecting',
      status: '',
      percent: -1,
      completed: false,
    };
    expect(run([event, event], { isTTY: true })).toBe(
      `${E}Connecting ${progressBar(-1, 1)}${E}Connecting ${progressBar(-1, 2)}${E}`,
    );
  });
});

describe('progressBar', () => {
  it('fills in proportion and bounces when the percent is unknown', () => {
    expect(progressBar(0, 0, 10)).toBe('[░░░░░░░░░░]');
    expect(progressBar(55, 0, 10)).toBe('[██████░░░░]');
    expect(progressBar(150, 0, 10)).toBe('[██████████]');
    expect([0, 1, 7, 8, 14].map((t) => progressBar(-1, t, 10))).toEqual([
      '[███       ]',
      '[ ███      ]',
      '[       ███]',
      '[      ███ ]',
      '[███       ]',
    ]);
  });
});

describe('useColor', () => {
  it('is off without a terminal, with NO_COLOR, or with TERM=dumb', () => {
    expect(useColor(true, {})).toBe(true);
    expect(useColor(false, {})).toBe(false);
    expect(useColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(true, { NO_COLOR: '' })).toBe(true);
    expect(useColor(true, { TERM: 'dumb' })).toBe(false);
  });
});
