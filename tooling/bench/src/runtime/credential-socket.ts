import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CredentialSocket {
  /** Where pwsh connects (Read-BenchCredential): a socket in a directory only this user can enter. */
  path: string;
  close(): Promise<void>;
}

/**
 * Hands a user name and password to one pwsh over a Unix socket, once, then stops listening: the
 * node-powershell baseline's stdin carries its commands, and the password must not go into script text,
 * argv or the environment.
 */
export async function serveCredential(userName: string, password: string): Promise<CredentialSocket> {
  const dir = await mkdtemp(join(tmpdir(), 'exo-bench-cred-'));
  const path = join(dir, 's');
  const server = createServer((socket) => {
    server.close();
    socket.end(`${userName}\n${password}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    path,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
