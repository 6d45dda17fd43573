import { PassThrough } from 'node:stream';
import { ExoError } from '@exo-connect/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terminalText } from '../text/terminal-text.js';
import { promptPassword } from './prompt-password.js';

function fakeTerminal() {
  const modes: boolean[] = [];
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      modes.push(mode);
      input.isRaw = mode;
      return input;
    },
  });
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk) => {
    written += String(chunk);
  });
  return { input, output, modes, written: () => written };
}

async function rejection(promise: Promise<unknown>): Promise<ExoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ExoError.is(error)).toBe(true);
  return error as ExoError;
}

describe('promptPassword', () => {
  it('returns what was typed, echoes only the mask, and restores the mode', async () => {
    const t = fakeTerminal();
    const answer = promptPassword({ input: t.input, output: t.output, prompt: 'Password for admin: ' });
    t.input.write('s3cr');
    t.input.write('et!\r');
    expect(await answer).toBe('s3cret!');
    expect(t.written()).toBe('Password for admin: *******\n');
    expect(t.modes).toEqual([true, false]);
    expect(t.input.listenerCount('data')).toBe(0);
  });

  it('handles Backspace and Ctrl+U, erasing the mask', async () => {
    const t = fakeTerminal();
    const answer = promptPassword({ input: t.input, output: t.output });
    t.input.write('abX\u007fc\u0015xy\bz\n');
    expect(await answer).toBe('xz');
    expect(t.written()).toBe('Password: ***\b \b*\b \b\b \b\b \b**\b \b*\n');
  });

  it('echoes nothing with an empty mask', async () => {
    const t = fakeTerminal();
    const answer = promptPassword({ input: t.input, output: t.output, mask: '', prompt: '> ' });
    t.input.write('hidden\r');
    expect(await answer).toBe('hidden');
    expect(t.written()).toBe('> \n');
  });

  it('ignores arrow keys and other escape sequences, and keeps multi-byte characters whole', async () => {
    const t = fakeTerminal();
    const answer = promptPassword({ input: t.input, output: t.output });
    const euro = Buffer.from('€');
    t.input.write(Buffer.concat([Buffer.from('a\u001b[D\u001bOAb'), euro.subarray(0, 1)]));
    t.input.write(Buffer.concat([euro.subarray(1), Buffer.from('\u001b[200~p\u001b[201~😀\r')]));
    expect(await answer).toBe('ab€p😀');
    expect(t.written()).toBe('Password: *****\n');
  });

  it('rejects with ABORTED on Ctrl+C and restores the mode', async () => {
    const t = fakeTerminal();
    const answer = promptPassword({ input: t.input, output: t.output });
    t.input.write('abc\u0003');
    expect((await rejection(answer)).code).toBe('ABORTED');
    expect(t.modes).toEqual([true, false]);
    expect(t.written()).not.toContain('abc');
  });

  it('treats Ctrl+D on an empty line as cancel, and an empty Enter as no password', async () => {
    const t = fakeTerminal();
    const cancelled = promptPassword({ input: t.input, output: t.output });
    t.input.write('\u0004');
    expect((await rejection(cancelled)).code).toBe('ABORTED');
    const u = fakeTerminal();
    const empty = promptPassword({ input: u.input, output: u.output });
    u.input.write('\r');
    expect((await rejection(empty)).code).toBe('CREDENTIAL_MISSING');
    expect(u.modes).toEqual([true, false]);
  });

  it('rejects when the input ends or the signal aborts, restoring a raw terminal to raw', async () => {
    const t = fakeTerminal();
    t.input.isRaw = true;
    const ended = promptPassword({ input: t.input, output: t.output });
    t.input.end('abc');
    expect((await rejection(ended)).code).toBe('ABORTED');
    expect(t.modes).toEqual([true, true]);

    const u = fakeTerminal();
    const controller = new AbortController();
    const stopped = promptPassword({ input: u.input, output: u.output, signal: controller.signal });
    controller.abort();
    expect((await rejection(stopped)).code).toBe('ABORTED');
    expect(u.modes).toEqual([true, false]);
  });

  it('refuses to prompt without a terminal', async () => {
    const input = new PassThrough();
    const error = await rejection(promptPassword({ input, output: new PassThrough() }));
    expect(error.code).toBe('CREDENTIAL_MISSING');
    expect(error.remediation).toContain('--password-stdin');
  });

  it('never writes any typed character, whatever is typed', async () => {
    const printable = fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => terminalText(s) === s);
    await fc.assert(
      fc.asyncProperty(printable, async (secret) => {
        const t = fakeTerminal();
        const answer = promptPassword({ input: t.input, output: t.output, prompt: '' });
        t.input.write(`${secret}\r`);
        expect(await answer).toBe(secret);
        expect(t.written()).toBe(`${'*'.repeat([...secret].length)}\n`);
      }),
    );
  });
});
