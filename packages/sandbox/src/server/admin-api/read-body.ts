import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { kind: 'body'; text: string }
  /**
   * Over the cap. `drained`: the rest was read and discarded, so the answer can be written and the connection
   * closed cleanly; otherwise the client kept sending past the drain limit and the connection must go.
   */
  | { kind: 'too-large'; drained: boolean }
  /** The client went away before the end of the body: nothing to answer. */
  | { kind: 'aborted' };

export interface ReadBodyOptions {
  maxBytes: number;
  /** How much more than the cap is read and thrown away so the client can finish sending and read the 413. */
  drainBytes: number;
}

/**
 * Reads the body as UTF-8 text, holding at most maxBytes: past the cap it stops keeping data and only counts
 * it, so memory stays flat whatever the client sends. Closing a socket with unread data makes the kernel reset
 * the connection, which can destroy the 413 before the client reads it; draining first avoids that.
 */
export function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes + options.drainBytes) {
    req.pause();
    return Promise.resolve({ kind: 'too-large', drained: false });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    const finish = (result: BodyRead) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= options.maxBytes) {
        chunks.push(chunk);
        kept = total;
      } else if (kept > 0) {
        chunks.length = 0;
        kept = 0;
      }
      if (total > options.maxBytes + options.drainBytes) {
        req.pause();
        finish({ kind: 'too-large', drained: false });
      }
    };
    const onEnd = () => {
      if (total > options.maxBytes) return finish({ kind: 'too-large', drained: true });
      const text = Buffer.concat(chunks, kept).toString('utf8');
      finish({ kind: 'body', text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
    };
    const onAbort = () => finish({ kind: 'aborted' });
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}
