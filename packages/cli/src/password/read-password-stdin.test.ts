import { PassThrough, Readable } from 'node:stream';
import { ExoError } from '@exo-connect/core';
import { describe, expect, it } from 'vitest';
import { passwordFromEnv } from './password-from-env.js';
import { MAX_STDIN_PASSWORD_BYTES, readPasswordFromStdin } from './read-password-stdin.js';

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return ExoError.is(error) ? error.code : String(error);
}

describe('readPasswordFromStdin', () => {
  it('reads everything and strips exactly one trailing newline', async () => {
    expect(await readPasswordFromStdin(Readable.from([Buffer.from('pa'), Buffer.from('ss\n')]))).toBe('pass');
    expect(await readPasswordFromStdin(Readable.from(['pass\r\n']))).toBe('pass');
    expect(await readPasswordFromStdin(Readable.from(['pass\n\n']))).toBe('pass\n');
    expect(await readPasswordFromStdin(Readable.from([' sp ace ']))).toBe(' sp ace ');
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('pässwörd😀');
    const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 11), bytes.subarray(11)];
    expect(await readPasswordFromStdin(Readable.from(chunks))).toBe('pässwörd😀');
  });

  it('fails with CREDENTIAL_MISSING when stdin is empty or only a newline', async () => {
    expect(await code(readPasswordFromStdin(Readable.from([])))).toBe('CREDENTIAL_MISSING');
    expect(await code(readPasswordFromStdin(Readable.from(['\n'])))).toBe('CREDENTIAL_MISSING');
  });

  it('refuses a terminal on stdin and input too large to be a password', async () => {
    expect(await code(readPasswordFromStdin(Object.assign(new PassThrough(), { isTTY: true })))).toBe(
      'CREDENTIAL_MISSING',
    );
    const big = Readable.from([Buffer.alloc(MAX_STDIN_PASSWORD_BYTES), Buffer.alloc(10)]);
    expect(await code(readPasswordFromStdin(big))).toBe('INVALID_ARGUMENT');
  });
});

describe('passwordFromEnv', () => {
  it('reads EXO_PASSWORD, treating empty as unset', () => {
    expect(passwordFromEnv({ EXO_PASSWORD: 'x y\n' })).toBe('x y\n');
    expect(passwordFromEnv({ EXO_PASSWORD: '' })).toBeUndefined();
    expect(passwordFromEnv({})).toBeUndefined();
  });
});
