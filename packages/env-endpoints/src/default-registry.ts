import {
  createRegistry,
  type DefineEnvironmentOptions,
  type EnvironmentRegistry,
  type GetEnvironmentOptions,
} from './registry.js';
import type { EnvironmentDefinition, EnvironmentSpec } from './schema/environment-schema.js';

/** The process-wide registry behind the module-level functions; tests use createRegistry() instead. */
export const defaultRegistry: EnvironmentRegistry = createRegistry();

/** The environment with this id or alias (case-insensitive). Unknown → UNKNOWN_ENVIRONMENT; retired → ENVIRONMENT_RETIRED. */
export function getEnvironment(idOrAlias: string, options?: GetEnvironmentOptions): EnvironmentDefinition {
  return defaultRegistry.get(idOrAlias, options);
}

/** The built-ins plus every environment defined or loaded in this process. */
export function listEnvironments(): EnvironmentDefinition[] {
  return defaultRegistry.list();
}

/** Validates and registers an environment; duplicates are refused unless `override` is set. */
export function defineEnvironment(
  spec: EnvironmentSpec,
  options?: DefineEnvironmentOptions,
): EnvironmentDefinition {
  return defaultRegistry.define(spec, options);
}

/** Registers every environment in a contributor's JSON file (all or none); errors name the file and field. */
export function loadEnvironments(
  file: string | URL,
  options?: DefineEnvironmentOptions,
): Promise<EnvironmentDefinition[]> {
  return defaultRegistry.load(file, options);
}
