import { ExoError } from '@exo-connect/errors';
import { BUILTIN_ENVIRONMENTS } from './builtin-environments.js';
import { closestIds } from './closest-ids.js';
import { deepFreeze } from './deep-freeze.js';
import { type FieldIssue, invalidArgument } from './field-issues.js';
import { readEnvironmentsFile } from './load-environments.js';
import type { EnvironmentDefinition, EnvironmentSpec } from './schema/environment-schema.js';
import { validateEnvironment } from './validate-environment.js';

export interface GetEnvironmentOptions {
  /** Return a retired environment instead of raising ENVIRONMENT_RETIRED (to show it, or to test against it). */
  allowRetired?: boolean;
}

export interface DefineEnvironmentOptions {
  /**
   * Replace the environment with the same id, and take over aliases other environments hold. Never takes
   * another environment's id.
   */
  override?: boolean;
}

export interface EnvironmentRegistry {
  /** The environment with this id or alias, compared case-insensitively after trimming. */
  get(idOrAlias: string, options?: GetEnvironmentOptions): EnvironmentDefinition;
  /** Every environment, retired ones included: built-ins first, then defined ones in the order defined. */
  list(): EnvironmentDefinition[];
  /** Validates and registers one environment; returns it as stored (frozen, defaults filled in). */
  define(spec: EnvironmentSpec, options?: DefineEnvironmentOptions): EnvironmentDefinition;
  /** Reads a contributor's JSON file and registers all of its environments, or none when any is invalid. */
  load(file: string | URL, options?: DefineEnvironmentOptions): Promise<EnvironmentDefinition[]>;
}

export interface CreateRegistryOptions {
  /** What the registry starts with; the built-ins unless given. */
  environments?: readonly EnvironmentSpec[];
}

interface Entry {
  env: EnvironmentDefinition;
  /** Where the definition sits in its source, prefixed to field paths: '' or 'environments[2].'. */
  at: string;
}

function namesOf(env: EnvironmentDefinition): string[] {
  return [env.id, ...env.aliases];
}

/** An isolated registry; the module-level functions use a default one. */
export function createRegistry(options: CreateRegistryOptions = {}): EnvironmentRegistry {
  let environments = new Map<string, EnvironmentDefinition>();

  function find(name: string): EnvironmentDefinition | undefined {
    for (const env of environments.values()) if (env.id === name || env.aliases.includes(name)) return env;
    return undefined;
  }

  /** Checks the entries against the registry and each other; applies them all, or none and reports why. */
  function commit(entries: readonly Entry[], override: boolean): FieldIssue[] {
    const next = new Map(environments);
    const claimedInBatch = new Map<string, string>();
    const issues: FieldIssue[] = [];
    for (const { env, at } of entries) {
      const fields: [string, string][] = [
        [env.id, 'id'],
        ...env.aliases.map((a, i): [string, string] => [a, `aliases[${i}]`]),
      ];
      const before = issues.length;
      for (const [name, field] of fields) {
        const path = `${at}${field}`;
        const earlier = claimedInBatch.get(name);
        if (earlier !== undefined) {
          issues.push({ path, message: `"${name}" is also defined at ${earlier}` });
          continue;
        }
        for (const other of next.values()) {
          if (other.id === env.id && field === 'id') {
            if (!override) {
              issues.push({
                path,
                message: `"${name}" is already defined; pass { override: true } to replace it`,
              });
            }
          } else if (other.id === name && other.id !== env.id) {
            issues.push({ path, message: `"${name}" is the id of environment "${other.id}"` });
          } else if (other.id !== env.id && other.aliases.includes(name) && !override) {
            issues.push({
              path,
              message: `"${name}" is already an alias of environment "${other.id}"; pass { override: true } to take it`,
            });
          }
        }
      }
      for (const [name, field] of fields) claimedInBatch.set(name, `${at}${field}`);
      if (issues.length > before) continue;

      const claimed = new Set(namesOf(env));
      for (const other of next.values()) {
        if (other.id !== env.id && other.aliases.some((a) => claimed.has(a))) {
          next.set(other.id, deepFreeze({ ...other, aliases: other.aliases.filter((a) => !claimed.has(a)) }));
        }
      }
      next.set(env.id, env);
    }
    if (issues.length === 0) environments = next;
    return issues;
  }

  const registry: EnvironmentRegistry = {
    get(idOrAlias, getOptions = {}) {
      if (typeof idOrAlias !== 'string') {
        throw new ExoError('INVALID_ARGUMENT', 'The environment name must be a string.', {
          details: { name: idOrAlias },
        });
      }
      const name = idOrAlias.trim().toLowerCase();
      const env = find(name);
      if (!env) {
        const known = [...environments.keys()];
        const closest = closestIds(
          name,
          [...environments.values()].map((e) => ({ id: e.id, names: namesOf(e) })),
        );
        const hint = closest.length
          ? `; closest ids: ${closest.join(', ')} (all ids: ${known.join(', ')})`
          : '; no environments are defined';
        throw new ExoError('UNKNOWN_ENVIRONMENT', `Unknown environment "${idOrAlias.trim()}"${hint}.`, {
          details: { name: idOrAlias, closest, known },
        });
      }
      if (env.status.state === 'retired' && !getOptions.allowRetired) {
        const { date, note } = env.status;
        throw new ExoError(
          'ENVIRONMENT_RETIRED',
          `Environment "${env.id}" (${env.displayName}) was retired on ${date}: ${note}`,
          { details: { id: env.id, date, note } },
        );
      }
      return env;
    },

    list() {
      return [...environments.values()];
    },

    define(spec, defineOptions = {}) {
      const env = validateEnvironment(spec);
      const issues = commit([{ env, at: '' }], defineOptions.override === true);
      if (issues.length) throw invalidArgument(`Cannot define environment "${env.id}":`, issues);
      return environments.get(env.id)!;
    },

    async load(file, loadOptions = {}) {
      const loaded = await readEnvironmentsFile(file);
      const entries = loaded.environments.map((env, i) => ({ env, at: `environments[${i}].` }));
      const issues = commit(entries, loadOptions.override === true);
      if (issues.length) {
        throw invalidArgument(`Cannot load environments from ${loaded.file}:`, issues, loaded.file);
      }
      return loaded.environments.map((env) => environments.get(env.id)!);
    },
  };

  for (const spec of options.environments ?? BUILTIN_ENVIRONMENTS) registry.define(spec);
  return registry;
}
