import { ExoError } from '@exo-connect/errors';
import { invalidArgument } from './field-issues.js';
import type { EnvironmentDefinition, RpsAuthentication } from './schema/environment-schema.js';
import { isExchangeOnlineUri, uriProblem } from './schema/uri.js';
import { validateEnvironment } from './validate-environment.js';

export interface WithConnectionUriOptions {
  /** Replaces the environment's RPS authentication, e.g. 'Negotiate' where Kerberos is not set up. */
  authentication?: RpsAuthentication;
}

/**
 * A copy of `env` whose RPS endpoint is the user's `uri` (trimmed): how `exchange-server` gets its
 * `http(s)://<server>/PowerShell/`. The result no longer has `requiresUserUri` and is validated like any
 * definition. Throws INVALID_ARGUMENT for a malformed or non-http(s) URI, plain http to Exchange Online,
 * an Exchange Online URI given to an on-premises environment, or an environment without an RPS endpoint.
 */
export function withConnectionUri(
  env: EnvironmentDefinition,
  uri: string,
  options: WithConnectionUriOptions = {},
): EnvironmentDefinition {
  if (!env.rps) {
    throw new ExoError(
      'INVALID_ARGUMENT',
      `Environment "${env.id}" has no remote PowerShell (rps) endpoint.`,
      {
        remediation: 'Use the module strategy for this environment, or an environment with an rps endpoint.',
        details: { id: env.id },
      },
    );
  }
  const value = typeof uri === 'string' ? uri.trim() : String(uri);
  const headline = `Invalid connection URI for environment "${env.id}":`;
  const problem = uriProblem(value, 'http-or-https');
  if (problem) throw invalidArgument(headline, [{ path: 'connectionUri', message: problem }]);
  if (env.rps.requiresUserUri && isExchangeOnlineUri(value)) {
    throw invalidArgument(headline, [
      {
        path: 'connectionUri',
        message: `is an Exchange Online endpoint, not an on-premises Exchange server; use an Exchange Online environment such as "worldwide"`,
      },
    ]);
  }
  const { requiresUserUri: _placeholder, ...rps } = env.rps;
  return validateEnvironment({
    ...env,
    rps: { ...rps, connectionUri: value, authentication: options.authentication ?? rps.authentication },
  });
}
