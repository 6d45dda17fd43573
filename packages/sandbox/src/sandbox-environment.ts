import { type EnvironmentDefinition, validateEnvironment } from '@exo-connect/env-endpoints';
import { SANDBOX_CONNECTION_URI } from './constants.js';
import { SANDBOX_MODULE_PATH } from './paths.js';
import type { SandboxServer } from './server/start-sandbox-server.js';

export const SANDBOX_DOCUMENTATION_URL =
  'https://github.com/exo-connect/exo-connect/tree/main/packages/sandbox';

/**
 * The sandbox as an env-endpoints environment. Its prelude imports the ExoSandbox module (which answers
 * New-PSSession for SANDBOX_CONNECTION_URI) into the host pwsh; that module puts the stand-in
 * ExchangeOnlineManagement (SANDBOX_EXO_MODULE_PATH) first on PSModulePath, so the module strategy's
 * `Import-Module ExchangeOnlineManagement` loads it, and only then.
 * The tenant directory reaches that pwsh through its environment: EXO_SANDBOX_DIR, else the default directory.
 */
export interface SandboxEnvironmentOptions {
  /**
   * A running REST face (what startSandboxServer() returned): the environment gains a `rest` block with its
   * API URL, token scope, authority and CA.
   */
  server?: Pick<SandboxServer, 'adminUrl' | 'authorityUrl' | 'scope' | 'caPath'>;
}

export function sandboxEnvironment(options: SandboxEnvironmentOptions = {}): EnvironmentDefinition {
  const { server } = options;
  return validateEnvironment({
    id: 'sandbox',
    aliases: ['local'],
    displayName: 'exo-connect sandbox tenant (local)',
    status: { state: 'active' },
    defaultStrategy: 'rps',
    rps: {
      connectionUri: SANDBOX_CONNECTION_URI,
      authentication: 'Basic',
      allowRedirection: true,
      status: { state: 'active' },
    },
    module: { exchangeEnvironmentName: 'O365Default', connectionUri: SANDBOX_CONNECTION_URI },
    documentation: SANDBOX_DOCUMENTATION_URL,
    prelude: { modules: [SANDBOX_MODULE_PATH] },
    ...(server
      ? {
          rest: {
            apiUrl: server.adminUrl,
            authority: server.authorityUrl,
            scope: server.scope,
            caPath: server.caPath,
          },
        }
      : {}),
  });
}
