import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ExoError } from '@exo-connect/errors';
import { deepFreeze } from './deep-freeze.js';
import { fieldIssues, invalidArgument } from './field-issues.js';
import { type EnvironmentDefinition, environmentsFileSchema } from './schema/environment-schema.js';

export interface EnvironmentsFile {
  /** The file as the caller named it, used in every error message. */
  file: string;
  environments: EnvironmentDefinition[];
}

/**
 * Reads and validates a contributor's JSON file (`{ "environments": [ … ] }`) without registering anything.
 * Every error names the file, and the path of the bad field when there is one.
 */
export async function readEnvironmentsFile(file: string | URL): Promise<EnvironmentsFile> {
  const name = typeof file === 'string' ? file : fileURLToPath(file);
  const headline = `Cannot load environments from ${name}:`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ExoError('INVALID_ARGUMENT', `${headline} ${(cause as Error).message}`, {
      cause,
      remediation: 'Check the path of the environments file.',
      details: { file: name },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    const error = invalidArgument(
      headline,
      [{ path: '(root)', message: `is not valid JSON: ${(cause as Error).message}` }],
      name,
    );
    throw Object.assign(error, { cause });
  }
  const result = environmentsFileSchema.safeParse(json);
  if (!result.success) throw invalidArgument(headline, fieldIssues(result.error), name);
  return { file: name, environments: deepFreeze(result.data.environments) };
}
