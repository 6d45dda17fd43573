import { ExoError } from '../../errors/exo-error.js';
import type { AdminApiClient, AdminApiClientOptions } from '../contracts.js';
import { retryPolicy } from '../http/retry.js';
import { runBatch } from './batch.js';
import type { ClientContext } from './client-context.js';
import { invokePages, invokeStream } from './invoke-stream.js';
import { exportedCmdlets } from './module-file.js';
import { apiOrigin } from './origin.js';

function required(
  options: AdminApiClientOptions,
  field: 'tenant' | 'anchorMailbox' | 'connectionId',
): string {
  const value = options[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ExoError('INVALID_ARGUMENT', `${field} must be given.`, { details: { field } });
  }
  return value.trim();
}

/**
 * The admin API of one connection (REFERENCE.md §8): InvokeCommand as a lazy stream, `$batch`, EXOModuleFile,
 * over the connection's HTTP stack, with its retries, token refresh and regional pinning. close() aborts every
 * request in flight (ABORTED) and fails every later call.
 */
export function createAdminApiClient(options: AdminApiClientOptions): AdminApiClient {
  const api = apiOrigin(options.apiUrl);
  const tenant = required(options, 'tenant');
  const identity = {
    anchorMailbox: required(options, 'anchorMailbox'),
    connectionId: required(options, 'connectionId'),
  };
  let origin = api.origin;
  const closer = new AbortController();
  const context: ClientContext = {
    deps: {
      api,
      tenant,
      pin: (pinned) => {
        origin = pinned;
      },
      tokens: options.tokens,
      dispatcher: options.http.dispatcher,
      policy: retryPolicy(options.retry),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      random: options.random ?? Math.random,
      now: Date.now,
    },
    identity,
    tenant,
    origin: () => origin,
  };
  const open = (signal?: AbortSignal): AbortSignal => {
    if (closer.signal.aborted) {
      throw new ExoError('SESSION_BROKEN', 'The admin API client is closed.', {
        retryable: false,
        remediation: 'Connect again: this connection was disconnected.',
      });
    }
    return signal ? AbortSignal.any([signal, closer.signal]) : closer.signal;
  };
  return {
    exportedCmdlets: async (signal) => exportedCmdlets(context, open(signal)),
    invoke: (cmdlet, parameters, invokeOptions = {}) =>
      invokeStream(context, cmdlet, parameters, invokeOptions, () => open(invokeOptions.signal)),
    pages: (cmdlet, parameters, invokeOptions = {}) =>
      invokePages(context, cmdlet, parameters, invokeOptions, () => open(invokeOptions.signal)),
    batch: async (items, batchOptions = {}) => runBatch(context, items, open(batchOptions.signal)),
    close() {
      if (!closer.signal.aborted) closer.abort(new ExoError('ABORTED', 'The admin API client was closed.'));
    },
  };
}
