import { defaultTenantDir } from '../tenant-dir.js';
import { createSandboxApp as registerApp, type SandboxAppCredentials } from './identity/index.js';
import { restDirectory } from './tenant-authority.js';

export interface CreateSandboxAppOptions {
  /** The tenant directory (default defaultTenantDir()); the app is registered in its rest/apps.json. */
  directory?: string;
  displayName: string;
  /** Make a self-signed certificate (RSA 2048, one year) and register its public half: client assertions. */
  withCertificate?: boolean;
  /** Make a client secret (shown once; only its hash is stored). */
  withSecret?: boolean;
}

/**
 * Registers an app in the tenant for app-only sign-ins (client_credentials), as an admin would in Entra ID. A
 * running server sees it at once (it reads the registrations at every sign-in).
 */
export function createSandboxApp(options: CreateSandboxAppOptions): Promise<SandboxAppCredentials> {
  return registerApp({ ...options, directory: restDirectory(options.directory ?? defaultTenantDir()) });
}
