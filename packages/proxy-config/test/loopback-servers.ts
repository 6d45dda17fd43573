import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  /** `GET http://host/path` for a proxy (absolute form), `GET /path` for a plain server. */
  requestLine: string;
  proxyAuthorization?: string;
}

export interface LoopbackServer {
  port: number;
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

function record(req: IncomingMessage, seen: SeenRequest[]): void {
  const proxyAuthorization = req.headers['proxy-authorization'];
  seen.push({ requestLine: `${req.method} ${req.url}`, ...(proxyAuthorization && { proxyAuthorization }) });
}

async function listen(server: Server, seen: SeenRequest[]): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A forward proxy that never forwards: it records each request line and answers `via-proxy` itself, so no
 * traffic leaves 127.0.0.1 whatever host a request names. With `basicCredential`, it first demands Basic
 * proxy authentication (407) like a corporate proxy. CONNECT tunnels are recorded and refused.
 */
export function startRecordingProxy(options: { basicCredential?: string } = {}): Promise<LoopbackServer> {
  const seen: SeenRequest[] = [];
  const expected =
    options.basicCredential && `Basic ${Buffer.from(options.basicCredential).toString('base64')}`;
  const server = createServer((req, res) => {
    record(req, seen);
    if (expected && req.headers['proxy-authorization'] !== expected) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="exo-connect test proxy"' }).end();
      return;
    }
    res.end('via-proxy');
  });
  server.on('connect', (req, socket) => {
    record(req, seen);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  return listen(server, seen);
}

/** A plain web server on 127.0.0.1 that answers `direct`: reached only when the proxy is bypassed. */
export function startDirectServer(): Promise<LoopbackServer> {
  const seen: SeenRequest[] = [];
  return listen(
    createServer((req, res) => {
      record(req, seen);
      res.end('direct');
    }),
    seen,
  );
}
