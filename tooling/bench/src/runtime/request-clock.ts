import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/**
 * Time this process spends with an HTTP request open (undici's diagnostics channels: from the request's
 * creation to its response's end or error; overlapping requests count once), and how many it sent. What is
 * left of a variant's wall time is its own work in Node: the part a floor can be compared on.
 */
export class RequestClock {
  readonly #open = new Set<object>();
  #since = 0;
  #insideMs = 0;
  #requests = 0;

  readonly #created = ({ request }: { request: object }) => {
    if (this.#open.size === 0) this.#since = performance.now();
    this.#open.add(request);
    this.#requests++;
  };

  readonly #ended = ({ request }: { request: object }) => {
    if (!this.#open.delete(request)) return;
    if (this.#open.size === 0) this.#insideMs += performance.now() - this.#since;
  };

  start(): this {
    subscribe('undici:request:create', this.#created as (message: unknown) => void);
    subscribe('undici:request:trailers', this.#ended as (message: unknown) => void);
    subscribe('undici:request:error', this.#ended as (message: unknown) => void);
    return this;
  }

  /** Milliseconds with a request open and requests sent since the last reset. */
  take(): { insideMs: number; requests: number } {
    const taken = { insideMs: this.#insideMs, requests: this.#requests };
    this.#insideMs = 0;
    this.#requests = 0;
    if (this.#open.size > 0) this.#since = performance.now();
    return taken;
  }

  stop(): void {
    unsubscribe('undici:request:create', this.#created as (message: unknown) => void);
    unsubscribe('undici:request:trailers', this.#ended as (message: unknown) => void);
    unsubscribe('undici:request:error', this.#ended as (message: unknown) => void);
  }
}
