export const PASSWORD_ENV = 'EXO_PASSWORD';

/**
 * EXO_PASSWORD, for automation where neither a pipe nor a prompt fits; undefined when unset or empty.
 * Core removes EXO_PASSWORD from the environment it gives pwsh, so it is not passed on further.
 */
export function passwordFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const value = env[PASSWORD_ENV];
  return value === undefined || value === '' ? undefined : value;
}
