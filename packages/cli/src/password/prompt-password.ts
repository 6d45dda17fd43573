import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ExoError } from '@exo-connect/core';

/** A terminal input: process.stdin when it is a TTY. */
export type TerminalInput = Readable & {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?: (mode: boolean) => unknown;
};

export interface PromptPasswordOptions {
  input: TerminalInput;
  /** Where the prompt and the mask go: stderr, so stdout stays data. */
  output: Writable;
  /** Default 'Password: '. */
  prompt?: string;
  /** Echoed once per character typed; '' echoes nothing. Default '*'. */
  mask?: string;
  signal?: AbortSignal;
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const ESC = '\u001b';
const BACKSPACES = new Set(['\u007f', '\b']);

function aborted(message: string): ExoError {
  return new ExoError('ABORTED', message, { remediation: 'Run the command again to enter the password.' });
}

/**
 * Reads a password from a terminal the way Get-Credential does: raw mode, one mask character per
 * character typed (never the character), Backspace and Ctrl+U edit, Enter ends, Ctrl+C (or Ctrl+D on an
 * empty line) rejects with ABORTED. The terminal's mode is restored however it ends. Arrow keys and other
 * escape sequences are ignored rather than taken into the password.
 */
export function promptPassword(options: PromptPasswordOptions): Promise<string> {
  const { input, output, signal } = options;
  const mask = options.mask ?? '*';
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    return Promise.reject(
      new ExoError('CREDENTIAL_MISSING', 'A password is needed, but there is no terminal to ask it on.', {
        remediation:
          'Pipe the password with --password-stdin, set EXO_PASSWORD, or store it in the keychain.',
      }),
    );
  }
  if (signal?.aborted) return Promise.reject(aborted('The password prompt was cancelled.'));
  const setRawMode = input.setRawMode.bind(input);

  return new Promise<string>((resolve, reject) => {
    const wasRaw = input.isRaw === true;
    const decoder = new StringDecoder('utf8');
    const chars: string[] = [];
    // Inside an escape sequence: after ESC, inside CSI (ESC [ … final byte), or before SS3's one character.
    let sequence: 'none' | 'esc' | 'csi' | 'ss3' = 'none';
    let settled = false;

    const finish = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      try {
        setRawMode(wasRaw);
      } finally {
        input.pause();
        output.write('\n');
        if (error) reject(error);
        else resolve(chars.join(''));
        chars.length = 0;
      }
    };
    const erase = (count: number) => {
      if (mask !== '') output.write('\b \b'.repeat(count * mask.length));
    };
    const key = (ch: string): boolean => {
      if (sequence === 'esc') {
        sequence = ch === '[' ? 'csi' : ch === 'O' ? 'ss3' : 'none';
        return false;
      }
      if (sequence === 'csi') {
        if (ch >= '@' && ch <= '~') sequence = 'none';
        return false;
      }
      if (sequence === 'ss3') {
        sequence = 'none';
        return false;
      }
      if (ch === '\r' || ch === '\n') {
        if (chars.length === 0) {
          finish(
            new ExoError('CREDENTIAL_MISSING', 'No password was entered.', {
              remediation: 'Run the command again and type the password, then Enter.',
            }),
          );
        } else finish(undefined);
        return true;
      }
      if (ch === CTRL_C || (ch === CTRL_D && chars.length === 0)) {
        finish(aborted('The password prompt was cancelled.'));
        return true;
      }
      if (ch === ESC) sequence = 'esc';
      else if (BACKSPACES.has(ch)) {
        if (chars.pop() !== undefined) erase(1);
      } else if (ch === CTRL_U) {
        erase(chars.length);
        chars.length = 0;
      } else if (ch >= ' ') {
        chars.push(ch);
        output.write(mask);
      }
      return false;
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      for (const ch of text) if (key(ch)) return;
    };
    const onEnd = () => finish(aborted('The input closed before the password was entered.'));
    const onError = (cause: Error) =>
      finish(
        new ExoError('CREDENTIAL_MISSING', 'The password could not be read from the terminal.', { cause }),
      );
    const onAbort = () => finish(aborted('The password prompt was cancelled.'));

    output.write(options.prompt ?? 'Password: ');
    try {
      setRawMode(true);
    } catch (cause) {
      settled = true;
      reject(
        new ExoError('CREDENTIAL_MISSING', 'The terminal could not be switched to raw mode.', { cause }),
      );
      return;
    }
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    input.resume();
  });
}
