import type { Dispatcher } from 'undici';
import type { ConnectionEvent } from '../connect/events.js';

/**
 * The rest strategy's parts, as the transport sees them: where tokens come from (tokens/), how the admin API
 * is spoken (admin-api/), and the HTTP stack both share (http/). Nothing here starts a process.
 */

/** An access token for the admin API, and who it was issued to. Never log `token`. */
export interface AccessToken {
  readonly token: string;
  /** When the token expires (epoch milliseconds). */
  readonly expiresOnMs: number;
  /** The token's `tid`: the tenant GUID. */
  readonly tenantId: string;
  /** Delegated sign-ins: the signed-in user (`upn`, else `preferred_username`). */
  readonly userPrincipalName?: string;
  /** App-only sign-ins: the app (`appid`/`azp`). */
  readonly appId?: string;
}

/**
 * Tokens for one connection. `get()` hands out a token valid for a while yet (refreshing it silently when it
 * is close to expiring), `refresh()` a new one after the service refused the current one (401).
 */
export interface TokenSource {
  get(signal?: AbortSignal): Promise<AccessToken>;
  refresh(signal?: AbortSignal): Promise<AccessToken>;
  /** Drops every token and cache this source holds; later calls fail. */
  close(): void;
}

/** What a token source needs: the environment's rest block, the HTTP stack, and where events go. */
export interface TokenSourceContext {
  /** `https://<authority host>` (tokens at `<authority>/<tenant>/oauth2/v2.0/token`). */
  authority: string;
  /** `https://<api host>/.default`. */
  scope: string;
  /** The tenant to sign in to: a GUID or `<org>.onmicrosoft.com`; `organizations` when the credential has none. */
  tenant: string;
  http: RestHttp;
  /** Environment variables (managed identity reads IDENTITY_ENDPOINT and IDENTITY_HEADER). */
  env: Record<string, string | undefined>;
  /** The device code's "To sign in, use a web browser…" text goes out as an `information` event. */
  emit: (event: ConnectionEvent) => void;
  /** Milliseconds since the epoch; injectable for expiry tests. */
  now?: () => number;
  /** Delegated sign-ins: MSAL's cache, kept between processes (a later connect signs in silently). */
  cache?: import('../connect/options.js').TokenCacheStore;
}

/** The HTTP stack of one connection: the dispatcher (proxy, CA) every request of it goes through. */
export interface RestHttp {
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

/** One cmdlet of a `$batch`, and what came back for it. */
export interface BatchItem {
  cmdlet: string;
  parameters?: Record<string, unknown>;
}

export type BatchResult =
  | { ok: true; cmdlet: string; value: Record<string, unknown>[]; warnings: string[] }
  | { ok: false; cmdlet: string; error: import('../errors/exo-error.js').ExoError };

/** How one InvokeCommand call is made. */
export interface InvokeOptions {
  signal?: AbortSignal;
  /** Properties to ask for (`$select`); none: every property. */
  select?: readonly string[];
  /** `Prefer: odata.maxpagesize` (1..1000). Default 1000. */
  pageSize?: number;
  /** Each `@adminapi.warnings` entry, as it arrives. */
  onWarning?: (message: string) => void;
}

/** The admin API of one connection (REFERENCE.md §8): its tenant, anchor mailbox and connection id are fixed. */
export interface AdminApiClient {
  /**
   * EXOModuleFile: the cmdlets this caller's roles allow. A 302 to a regional host pins every later request
   * of the connection to that host.
   */
  exportedCmdlets(signal?: AbortSignal): Promise<string[]>;
  /**
   * InvokeCommand: yields the objects page by page; the next page is asked for only when the consumer wants
   * more. Errors are ExoErrors with the stable codes (CMDLET_ERROR with the cmdlet's own text, THROTTLED, …).
   */
  invoke(
    cmdlet: string,
    parameters: Record<string, unknown>,
    options?: InvokeOptions,
  ): AsyncGenerator<Record<string, unknown>, void, undefined>;
  /** invoke(), a page at a time (each non-empty): what the rest transport hands on, one step per page. */
  pages(
    cmdlet: string,
    parameters: Record<string, unknown>,
    options?: InvokeOptions,
  ): AsyncGenerator<Record<string, unknown>[], void, undefined>;
  /** `$batch`, in chunks of 10; one result per item, in order. */
  batch(items: readonly BatchItem[], options?: { signal?: AbortSignal }): Promise<BatchResult[]>;
  /** Cancels every request in flight (ABORTED); later calls fail. */
  close(): void;
}

export interface AdminApiClientOptions {
  /** `https://<api host>` (the environment's rest.apiUrl). */
  apiUrl: string;
  /** Tenant GUID or `<org>.onmicrosoft.com`. */
  tenant: string;
  /** `UPN:<user>` (delegated) or `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@<tenant GUID>`. */
  anchorMailbox: string;
  /** One GUID per connection (`connection-id`). */
  connectionId: string;
  tokens: TokenSource;
  http: RestHttp;
  /** Retries of 408/429/503/504 and of resets before any byte of a response. */
  retry?: { maxAttempts?: number; maxDelayMs?: number };
  /** Injectable for tests: waiting between retries, and the jitter. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}
