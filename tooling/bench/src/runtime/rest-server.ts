import type { Tenant } from '../context.js';
import { LineProcess } from './line-process.js';
import { REST_SERVER_CHILD } from './paths.js';
import type { Resources } from './resources.js';

/** What the server child prints: enough for sandboxEnvironment({ server }) and for a raw client. */
export interface RestServerFacts {
  pid: number;
  adminUrl: string;
  authorityUrl: string;
  scope: string;
  caPath: string;
  tenantId: string;
}

export interface RestServer {
  facts: RestServerFacts;
  close(): Promise<void>;
}

/**
 * The sandbox's REST face for `tenant` in a process of its own ([rest-server-child.ts](rest-server-child.ts)),
 * so that neither its memory nor its CPU is counted as the client's.
 */
export async function startRestServer(
  resources: Resources,
  tenant: Tenant,
  workers: number,
): Promise<RestServer> {
  const child = LineProcess.start(
    resources,
    process.execPath,
    [REST_SERVER_CHILD, tenant.dir, String(workers)],
    tenant.env,
  );
  const facts = JSON.parse(await child.next()) as RestServerFacts;
  return { facts, close: () => child.close() };
}
