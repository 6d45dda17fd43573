import type { ServerResponse } from 'node:http';
import { serviceError } from './odata-error.js';
import { ClientGoneError, createSink, type PageBody, writePage } from './page-writer.js';

/** What a request comes to, before it is written: to the response, or into a $batch envelope. */
export type Outcome =
  | { kind: 'json'; status: number; headers: Record<string, string>; body: unknown }
  | { kind: 'page'; status: 200; headers: Record<string, string>; page: PageBody; reset: boolean }
  | { kind: 'text'; status: number; headers: Record<string, string>; text: string }
  /** A status with no body (the service's bare 403). */
  | { kind: 'bare'; status: number; headers: Record<string, string> };

/** The service's content type (from a real reply) and its OData version. */
export const JSON_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

export function jsonOutcome(status: number, body: unknown, headers: Record<string, string> = {}): Outcome {
  return { kind: 'json', status, headers, body };
}

export function errorOutcome(status: number, message: string, headers: Record<string, string> = {}): Outcome {
  return jsonOutcome(status, serviceError(status, message), headers);
}

export function isSuccess(outcome: Outcome): boolean {
  return outcome.status >= 200 && outcome.status < 300;
}

export function contentTypeOf(outcome: Outcome): string | undefined {
  if (outcome.kind === 'json' || outcome.kind === 'page') return JSON_CONTENT_TYPE;
  if (outcome.kind === 'text') return TEXT_CONTENT_TYPE;
  return undefined;
}

/** Where the page of a reset outcome stops: halfway, so the client gets a part of it. */
export function resetPoint(page: PageBody): number {
  return Math.floor(page.objects.length / 2);
}

/**
 * Writes an outcome as the whole response. A page is streamed; a reset page is cut halfway and its connection
 * destroyed once the part has reached the socket. A client that left mid-way is not an error.
 */
export async function sendOutcome(res: ServerResponse, outcome: Outcome): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = outcome.status;
  for (const [name, value] of Object.entries(outcome.headers)) res.setHeader(name, value);
  const type = contentTypeOf(outcome);
  if (type) res.setHeader('Content-Type', type);
  if (type === JSON_CONTENT_TYPE) res.setHeader('OData-Version', '4.0');
  if (outcome.kind === 'page') {
    const sink = createSink(res);
    try {
      const ended = await writePage(sink, outcome.page, {
        ...(outcome.reset ? { resetAfter: resetPoint(outcome.page) } : {}),
      });
      if (ended === 'reset') {
        await sink.flush();
        res.socket?.destroy();
        return;
      }
      await sink.flush();
      res.end();
    } catch (error) {
      if (!(error instanceof ClientGoneError)) throw error;
    }
    return;
  }
  const payload =
    outcome.kind === 'json' ? JSON.stringify(outcome.body) : outcome.kind === 'text' ? outcome.text : '';
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}
