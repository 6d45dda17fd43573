import type { Readable } from 'node:stream';
import { ExoError } from '@exo-connect/core';

/** Far more than any password; stops `--password-stdin < big-file` from reading a whole file. */
export const MAX_STDIN_PASSWORD_BYTES = 64 * 1024;

/**
 * `--password-stdin`: reads everything piped in and strips one trailing newline (LF or CRLF), as
 * `echo`/`Write-Output` add one. An empty result is CREDENTIAL_MISSING; a terminal on stdin is refused, since
 * typing there would echo the password.
 */
export async function readPasswordFromStdin(stream: Readable & { isTTY?: boolean }): Promise<string> {
  if (stream.isTTY) {
    throw new ExoError(
      'CREDENTIAL_MISSING',
      '--password-stdin reads a piped password, but stdin is a terminal.',
      {
        remediation:
          'Pipe the password in (`printf "%s" "$PASSWORD" | exo … --password-stdin`), or leave out ' +
          '--password-stdin to be prompted with the input hidden.',
      },
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
      size += buffer.length;
      chunks.push(buffer);
      if (size > MAX_STDIN_PASSWORD_BYTES) {
        throw new ExoError(
          'INVALID_ARGUMENT',
          `--password-stdin: more than ${MAX_STDIN_PASSWORD_BYTES} bytes on stdin; that is not a password.`,
          {
            details: { field: 'password-stdin' },
            remediation: 'Pipe only the password to --password-stdin.',
          },
        );
      }
    }
    const password = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (password === '') {
      throw new ExoError('CREDENTIAL_MISSING', '--password-stdin: stdin held no password.', {
        remediation: 'Pipe the password in: `printf "%s" "$PASSWORD" | exo … --password-stdin`.',
      });
    }
    return password;
  } finally {
    // The string cannot be wiped, but the raw bytes need not linger.
    for (const chunk of chunks) chunk.fill(0);
  }
}
