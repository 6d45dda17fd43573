import { stoppedError } from '../../connect/run-command.js';
import type { InvokeOptions } from '../contracts.js';
import { isWriteCommand } from '../http/retry.js';
import type { ClientContext } from './client-context.js';
import { exchange } from './exchange.js';
import { checkInvoke, cmdletBody, DEFAULT_PAGE_SIZE, invokeHeaders, invokeUrl } from './invoke-request.js';
import { checkedTarget } from './origin.js';
import { type Page, readPage } from './page.js';

/**
 * The first page asked for when the caller names no page size: small, so that the first object comes back
 * quickly (the service's time per page grows with its size); later pages are DEFAULT_PAGE_SIZE.
 */
export const FIRST_PAGE_SIZE = 100;

/**
 * InvokeCommand as a lazy stream of pages: one page is held at a time, and the next (`@odata.nextLink`,
 * re-POSTed with the same body) is asked for only when the consumer pulls past the current one. A consumer
 * that stops early stops the fetching; an abort cancels the request in flight. Without `pageSize` the first
 * page is FIRST_PAGE_SIZE and the rest DEFAULT_PAGE_SIZE (each request's `Prefer: odata.maxpagesize` says
 * which). An empty page is not yielded.
 */
export async function* invokePages(
  context: ClientContext,
  cmdlet: string,
  parameters: Record<string, unknown>,
  options: InvokeOptions,
  openSignal: () => AbortSignal,
): AsyncGenerator<Record<string, unknown>[], void, undefined> {
  const signal = openSignal();
  checkInvoke(cmdlet, parameters, options);
  const body = JSON.stringify(cmdletBody(cmdlet, parameters));
  const firstHeaders = invokeHeaders(context.identity, cmdlet, options.pageSize ?? FIRST_PAGE_SIZE);
  const laterHeaders = invokeHeaders(context.identity, cmdlet, options.pageSize ?? DEFAULT_PAGE_SIZE);
  let url: string | undefined = invokeUrl(context.origin(), context.tenant, options.select);
  let first = true;
  let page: Page | undefined;
  while (url !== undefined) {
    // The page just yielded is dropped before the next one arrives: one page in memory at a time.
    page = undefined;
    const reply = await exchange(context.deps, {
      method: 'POST',
      url,
      headers: first ? firstHeaders : laterHeaders,
      body,
      what: cmdlet,
      cmdlet,
      // Following a nextLink reads the rest of a result; only the first request runs the cmdlet.
      write: first && isWriteCommand(cmdlet),
      signal,
    });
    first = false;
    const from = reply.url;
    page = readPage(reply.text, cmdlet, new URL(from).host);
    // Only the parsed page is held while the consumer reads it, not the reply's text as well.
    reply.text = '';
    for (const warning of page.warnings) options.onWarning?.(warning);
    const { nextLink } = page;
    if (signal.aborted) throw stoppedError(signal, cmdlet);
    if (page.value.length) yield page.value;
    // Checked when followed: a consumer that stopped early never depends on it.
    url = nextLink ? checkedTarget(context.deps.api, from, nextLink, cmdlet).href : undefined;
  }
}

/** invokePages, one object at a time. */
export async function* invokeStream(
  context: ClientContext,
  cmdlet: string,
  parameters: Record<string, unknown>,
  options: InvokeOptions,
  openSignal: () => AbortSignal,
): AsyncGenerator<Record<string, unknown>, void, undefined> {
  const signal = openSignal();
  for await (const page of invokePages(context, cmdlet, parameters, options, () => signal)) {
    for (const object of page) {
      if (signal.aborted) throw stoppedError(signal, cmdlet);
      yield object;
    }
  }
}
