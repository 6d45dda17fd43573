import { deepFreeze } from './deep-freeze.js';
import { fieldIssues, invalidArgument } from './field-issues.js';
import { type EnvironmentDefinition, environmentSchema } from './schema/environment-schema.js';

function describe(spec: unknown): string {
  const id = typeof spec === 'object' && spec !== null ? (spec as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? `Invalid environment "${id}":` : 'Invalid environment:';
}

/**
 * Checks a definition against the schema without registering it, and returns it frozen with its defaults
 * filled in. Throws INVALID_ARGUMENT naming the path of every bad field.
 */
export function validateEnvironment(spec: unknown): EnvironmentDefinition {
  const result = environmentSchema.safeParse(spec);
  if (!result.success) throw invalidArgument(describe(spec), fieldIssues(result.error));
  return deepFreeze(result.data);
}
