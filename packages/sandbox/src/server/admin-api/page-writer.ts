import type { Writable } from 'node:stream';
import { projector } from './request-options.js';

/** The client went away while a response was being written. */
export class ClientGoneError extends Error {
  constructor() {
    super('The client closed the connection before the response was written.');
    this.name = 'ClientGoneError';
  }
}

/** Text written in chunks of about chunkChars, waiting for 'drain' whenever the socket's buffer is full. */
export interface Sink {
  write(text: string): Promise<void>;
  /** Writes what is buffered and resolves once it has been handed to the operating system. */
  flush(): Promise<void>;
}

export const DEFAULT_CHUNK_CHARS = 64 * 1024;

export function createSink(out: Writable, chunkChars = DEFAULT_CHUNK_CHARS): Sink {
  let pending = '';
  const gone = () => out.destroyed || out.writableEnded;
  const push = async (chunk: string) => {
    if (gone()) throw new ClientGoneError();
    if (!out.write(chunk)) await drained(out);
  };
  return {
    async write(text) {
      pending += text;
      if (pending.length < chunkChars) return;
      const chunk = pending;
      pending = '';
      await push(chunk);
    },
    async flush() {
      if (gone()) throw new ClientGoneError();
      // JSON whitespace when nothing is pending, so there is always a write whose callback says "flushed".
      const chunk = pending === '' ? ' ' : pending;
      pending = '';
      await new Promise<void>((resolve, reject) => {
        out.write(chunk, (error) => (error ? reject(new ClientGoneError()) : resolve()));
      });
    },
  };
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      out.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      out.off('drain', onDrain);
      reject(new ClientGoneError());
    };
    out.once('drain', onDrain);
    out.once('close', onClose);
  });
}

export interface PageBody {
  context: string;
  warnings: readonly string[];
  objects: readonly Record<string, unknown>[];
  nextLink?: string;
  select?: readonly string[];
}

/**
 * Writes `{"@odata.context",…,"@adminapi.warnings":[…],"value":[…],"@odata.nextLink"?}` one object at a time,
 * in the order of a real reply (context, the warnings' type annotation, warnings, value, nextLink). With
 * resetAfter, stops after that many objects and reports 'reset' (the caller then drops the connection).
 */
export async function writePage(
  sink: Sink,
  page: PageBody,
  options: { resetAfter?: number } = {},
): Promise<'done' | 'reset'> {
  const project = projector(page.select);
  await sink.write(
    `{"@odata.context":${JSON.stringify(page.context)},"adminapi.warnings@odata.type":"#Collection(String)",` +
      `"@adminapi.warnings":${JSON.stringify(page.warnings)},"value":[`,
  );
  for (let i = 0; i < page.objects.length; i++) {
    if (i === options.resetAfter) return 'reset';
    await sink.write((i === 0 ? '' : ',') + JSON.stringify(project(page.objects[i]!)));
  }
  if (options.resetAfter !== undefined) return 'reset';
  const next = page.nextLink === undefined ? '' : `,"@odata.nextLink":${JSON.stringify(page.nextLink)}`;
  await sink.write(`]${next}}`);
  return 'done';
}
