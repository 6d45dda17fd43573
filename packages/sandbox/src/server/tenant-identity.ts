import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxError } from '../errors/sandbox-error.js';
import type { Engine } from './contracts.js';
import type { AuthenticateResult, IdentityDirectory } from './identity/index.js';

/** Who the tenant is, read from its manifest (tenant.json, which the engine writes atomically). */
export interface TenantIdentity {
  tenantId: string;
  /** The initial domain (the organization's name). */
  organization: string;
  displayName: string;
  /** Every accepted domain's name. */
  domains: string[];
}

interface Manifest {
  TenantId?: string;
  Organization?: { Name?: string; DisplayName?: string };
  AcceptedDomains?: { DomainName?: string }[];
}

/** The tenant in `directory`, or undefined when there is none yet. */
export async function readTenantIdentity(directory: string): Promise<TenantIdentity | undefined> {
  let text: string;
  try {
    text = await readFile(join(directory, 'tenant.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (error) {
    throw new SandboxError('TENANT_CORRUPT', `${join(directory, 'tenant.json')} is not valid JSON.`, {
      cause: error,
    });
  }
  const organization = manifest.Organization?.Name;
  if (!manifest.TenantId || !organization) {
    throw new SandboxError(
      'TENANT_CORRUPT',
      `${join(directory, 'tenant.json')} names no tenant id or organization.`,
    );
  }
  return {
    tenantId: manifest.TenantId.toLowerCase(),
    organization,
    displayName: manifest.Organization?.DisplayName ?? organization,
    domains: (manifest.AcceptedDomains ?? []).flatMap((d) => (d.DomainName ? [d.DomainName] : [])),
  };
}

/** The identity platform's directory: the engine checks passwords as the PSSession face does. */
export function engineDirectory(engine: Engine): IdentityDirectory {
  return {
    authenticate: (upn, password): Promise<AuthenticateResult> => engine.authenticate(upn, password),
  };
}
