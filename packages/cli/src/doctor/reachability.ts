import { type Socket, connect as tcpConnect } from 'node:net';

export interface ReachabilityTarget {
  host: string;
  port: number;
}

export interface ProxyHop {
  host: string;
  port: number;
}

export interface ReachabilityResult extends ReachabilityTarget {
  ok: boolean;
  via?: string;
  detail: string;
  ms: number;
}

function open(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(error.code ?? error.message));
    });
  });
}

/** Asks an HTTP proxy to open a tunnel (CONNECT host:port) and reads its status line. */
function tunnel(socket: Socket, target: ReachabilityTarget, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`proxy did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n');
      if (end === -1) return;
      clearTimeout(timer);
      resolve(head.slice(0, end));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(
      `CONNECT ${target.host}:${target.port} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\n\r\n`,
    );
  });
}

/**
 * Checks that a TCP connection to host:port can be made, directly or, when a proxy is given, through it
 * (HTTP CONNECT). Only opens and closes the connection: nothing is sent to the service itself.
 */
export async function checkReachable(
  target: ReachabilityTarget,
  options: { proxy?: ProxyHop; timeoutMs?: number } = {},
): Promise<ReachabilityResult> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const started = Date.now();
  const result = (ok: boolean, detail: string, via?: string): ReachabilityResult => ({
    ...target,
    ok,
    detail,
    via,
    ms: Date.now() - started,
  });
  if (options.proxy) {
    const via = `${options.proxy.host}:${options.proxy.port}`;
    let socket: Socket | undefined;
    try {
      socket = await open(options.proxy.host, options.proxy.port, timeoutMs);
      const status = await tunnel(socket, target, timeoutMs);
      const code = Number(status.split(' ')[1]);
      return code >= 200 && code < 300
        ? result(true, 'open through the proxy', via)
        : result(false, `proxy answered "${status}"`, via);
    } catch (error) {
      return result(false, `proxy ${via}: ${(error as Error).message}`, via);
    } finally {
      socket?.destroy();
    }
  }
  try {
    const socket = await open(target.host, target.port, timeoutMs);
    socket.destroy();
    return result(true, 'open');
  } catch (error) {
    return result(false, (error as Error).message);
  }
}
