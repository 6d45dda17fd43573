/** A value read from the environment, with the variable it came from (for messages and `exo doctor`). */
export interface EnvironmentValue {
  value: string;
  variable: string;
}

/** The proxy variables, raw: checking them is resolveProxyOptions' job, so errors can name the variable. */
export interface EnvironmentProxy {
  /** HTTPS_PROXY, else HTTP_PROXY (each upper case first). */
  proxyUrl?: EnvironmentValue;
  /** NO_PROXY (upper case first): the hosts that bypass the proxy, comma separated. */
  bypass?: EnvironmentValue;
}

/**
 * The variables read, in order of precedence: the first one set to a non-blank value wins. HTTPS_PROXY comes
 * first because every connection exo-connect makes is https; upper case is read before lower case.
 */
export const PROXY_ENVIRONMENT_VARIABLES = Object.freeze({
  proxyUrl: Object.freeze(['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const),
  bypass: Object.freeze(['NO_PROXY', 'no_proxy'] as const),
});

function first(env: Readonly<Record<string, string | undefined>>, names: readonly string[]) {
  for (const variable of names) {
    const value = env[variable]?.trim();
    if (value) return { value, variable };
  }
  return undefined;
}

/**
 * Reads the conventional proxy variables. The Microsoft module ignores them on Linux and macOS; exo-connect
 * hands them to pwsh as data (renderHttpProxy).
 */
export function readEnvironmentProxy(
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnvironmentProxy {
  const proxyUrl = first(env, PROXY_ENVIRONMENT_VARIABLES.proxyUrl);
  const bypass = first(env, PROXY_ENVIRONMENT_VARIABLES.bypass);
  return { ...(proxyUrl && { proxyUrl }), ...(bypass && { bypass }) };
}
