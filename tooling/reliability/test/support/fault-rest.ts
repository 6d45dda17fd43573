/**
 * The rest strategy's side of the fault suite: the sandbox's REST face served in this process, and a count of
 * the HTTP requests it receives and this process sends (Node's and undici's diagnostics channels), so that a
 * case can prove how often a write was sent and that nothing is left in flight afterwards.
 */
import { execFile } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type SandboxServer, startSandboxServer } from '@exo-connect/sandbox';
import { makeTempDir } from '@exo-connect/test-utils';

const run = promisify(execFile);

/** One request the sandbox server received. */
export interface ServedRequest {
  port: number;
  method: string;
  path: string;
  /** The status it was answered with, once its response closed (the socket may have been destroyed first). */
  status?: number;
  closed: boolean;
}

/** Requests every in-process HTTPS server received (the sandbox's), and undici's requests from this process. */
export class RequestLedger {
  readonly served: ServedRequest[] = [];
  #clientOpen = 0;
  #clientSent = 0;

  constructor() {
    subscribe('http.server.request.start', (message) => {
      const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
      const entry: ServedRequest = {
        port: request.socket.localPort ?? 0,
        method: request.method ?? '?',
        path: (request.url ?? '').split('?')[0]!,
        closed: false,
      };
      this.served.push(entry);
      response.once('close', () => {
        entry.closed = true;
        entry.status = response.statusCode;
      });
    });
    // undici publishes on these names whichever copy of it sends (core has its own).
    const done = new WeakSet<object>();
    const finish = (message: unknown) => {
      const { request } = message as { request: object };
      if (done.has(request)) return;
      done.add(request);
      this.#clientOpen -= 1;
    };
    subscribe('undici:request:create', () => {
      this.#clientOpen += 1;
      this.#clientSent += 1;
    });
    subscribe('undici:request:trailers', finish);
    subscribe('undici:request:error', finish);
  }

  /** Requests received on `port` that have not closed yet. */
  inFlight(port: number): number {
    return this.served.filter((r) => r.port === port && !r.closed).length;
  }

  /** undici requests of this process not yet completed or failed. */
  get clientInFlight(): number {
    return this.#clientOpen;
  }

  get clientSent(): number {
    return this.#clientSent;
  }

  /** A mark to count from: `since(mark)` gives the requests received after it. */
  mark(): number {
    return this.served.length;
  }

  since(mark: number, port: number, path?: RegExp): ServedRequest[] {
    return this.served.slice(mark).filter((r) => r.port === port && (!path || path.test(r.path)));
  }
}

export const INVOKE_PATH = /\/InvokeCommand$/;
export const BATCH_PATH = /\/\$batch$/;
export const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/;

/** The sandbox's REST face on a port that stays the same across restarts (the environment keeps naming it). */
export class RestServer {
  #server: SandboxServer | undefined;
  #port = 0;

  constructor(
    private readonly options: {
      directory: string;
      env: Record<string, string>;
      lifetimes?: { accessTokenSeconds?: number };
    },
  ) {}

  async start(): Promise<SandboxServer> {
    this.#server = await startSandboxServer({
      directory: this.options.directory,
      env: this.options.env,
      workers: 1,
      port: this.#port,
      ...(this.options.lifetimes ? { lifetimes: this.options.lifetimes } : {}),
    });
    this.#port = Number(new URL(this.#server.adminUrl).port);
    return this.#server;
  }

  get server(): SandboxServer {
    if (!this.#server) throw new Error('the REST server is not running');
    return this.#server;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  get port(): number {
    return this.#port;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.stop();
  }
}

/** A CA certificate (PEM) of a CA made here, in a temporary directory: one that issued nothing the sandbox serves. */
export async function otherCertificateAuthority(): Promise<string> {
  const dir = await makeTempDir('exo-rel-other-ca-');
  const certificate = join(dir, 'other-ca.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'other-ca-key.pem'),
    '-out',
    certificate,
    '-days',
    '2',
    '-subj',
    '/CN=exo-connect reliability: another CA',
  ]);
  return certificate;
}
