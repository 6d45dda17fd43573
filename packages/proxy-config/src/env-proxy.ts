export interface EnvironmentProxy {
  /** Proxy for https requests (HTTPS_PROXY, else HTTP_PROXY). */
  proxyUrl?: URL;
  /** Hosts that bypass the proxy (NO_PROXY), lower-cased, without surrounding spaces. */
  bypass: string[];
}

function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name] ?? env[name.toLowerCase()];
  return value?.trim() ? value.trim() : undefined;
}

/**
 * Reads the conventional proxy variables, upper case first. The Microsoft module ignores them on Linux;
 * exo-connect hands them to pwsh as data. Validation and precedence with flags and config come on top.
 */
export function readEnvironmentProxy(env: NodeJS.ProcessEnv = process.env): EnvironmentProxy {
  const raw = read(env, 'HTTPS_PROXY') ?? read(env, 'HTTP_PROXY');
  const bypass = (read(env, 'NO_PROXY') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return raw ? { proxyUrl: new URL(raw), bypass } : { bypass };
}
