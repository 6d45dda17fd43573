/**
 * Variables that may hold a secret (exo's password, the proxy password). No child process inherits them: a
 * process's environment is readable in /proc, and passes on to everything the child starts in turn.
 */
export const SECRET_ENV: readonly string[] = Object.freeze(['EXO_PASSWORD', 'EXO_PROXY_PASSWORD']);

const SECRET = new Set(SECRET_ENV);

/**
 * The environment for a child process: a copy of `env` with `extra` laid over it and the secrets removed.
 * Names are compared case-insensitively: on Windows `exo_password` is the same variable.
 */
export function childEnv(
  env: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string | undefined>> = {},
): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...env, ...extra };
  for (const name of Object.keys(clean)) if (SECRET.has(name.toUpperCase())) delete clean[name];
  return clean;
}
