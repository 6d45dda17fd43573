import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SideChannelAddress {
  /** Unix domain socket path (Linux, macOS) inside a directory only this user can enter. */
  socketPath?: string;
  /** Named pipe name (Windows), without the \\.\pipe\ prefix. */
  pipeName?: string;
  /** Proves to Node that the connecting process is the pwsh we started. */
  token: string;
}

export interface SideChannel {
  address: SideChannelAddress;
  /** Resolves with the one authenticated connection; the listener is closed right after. */
  accepted: Promise<Socket>;
  close(): Promise<void>;
}

/**
 * A one-shot local listener for the results stream and for secrets: it accepts a single connection,
 * then stops listening and removes its socket file, so nothing else on the machine can reach it.
 */
export async function openSideChannel(platform: NodeJS.Platform = process.platform): Promise<SideChannel> {
  const token = randomBytes(24).toString('base64url');
  let dir: string | undefined;
  let listenPath: string;
  let address: SideChannelAddress;
  if (platform === 'win32') {
    const pipeName = `exo-connect-${process.pid}-${randomBytes(12).toString('hex')}`;
    listenPath = `\\\\.\\pipe\\${pipeName}`;
    address = { pipeName, token };
  } else {
    // mkdtemp creates the directory with mode 0700.
    dir = await mkdtemp(join(tmpdir(), 'exo-'));
    listenPath = join(dir, 's');
    address = { socketPath: listenPath, token };
  }

  const server: Server = createServer();
  const cleanup = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  const accepted = new Promise<Socket>((resolve, reject) => {
    server.once('connection', (socket) => {
      void cleanup();
      resolve(socket);
    });
    server.once('error', reject);
  });
  accepted.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPath, () => resolve());
  });
  return {
    address,
    accepted,
    close: async () => {
      if (server.listening) await cleanup();
      else if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
