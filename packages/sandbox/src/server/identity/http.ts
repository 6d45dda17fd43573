import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EntraError, entraErrorBody, type RequestIds } from './entra-errors.js';

/** Token requests are a few form fields; a larger body is refused before it is buffered whole. */
const MAX_BODY_BYTES = 64 * 1024;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class BodyTooLargeError extends Error {
  constructor() {
    super('The request body is too large.');
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The form fields of an application/x-www-form-urlencoded body; any other content type yields no fields,
 * as Entra then finds none of its parameters.
 */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return new URLSearchParams();
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Trace id per response; correlation id from the client's `client-request-id` when it sent a GUID, as Entra. */
export function requestIds(req: IncomingMessage): RequestIds {
  const sent = req.headers['client-request-id'];
  const correlationId = typeof sent === 'string' && GUID.test(sent) ? sent.toLowerCase() : randomUUID();
  return { traceId: randomUUID(), correlationId };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  ids: RequestIds,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    // Tokens must not be cached by anything in between.
    'Cache-Control': 'no-store, no-cache',
    Pragma: 'no-cache',
    'x-ms-request-id': ids.traceId,
    'client-request-id': ids.correlationId,
    ...headers,
  });
  res.end(payload);
}

export function sendEntraError(
  res: ServerResponse,
  failure: EntraError,
  ids: RequestIds,
  errorUriBase: string,
): void {
  sendJson(res, failure.status, entraErrorBody(failure, ids, errorUriBase), ids);
}
