import type { ExchangeDeps } from './exchange.js';
import type { RequestIdentity } from './invoke-request.js';

/** What each call of one client shares: the exchange's dependencies, who it is, and where it goes now. */
export interface ClientContext {
  deps: ExchangeDeps;
  identity: RequestIdentity;
  tenant: string;
  /** The origin requests go to: the API's, or the regional one a redirect pinned. */
  origin(): string;
}
