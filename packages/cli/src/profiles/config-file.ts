import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ExoError } from '@exo-connect/core';
import { configError, fieldIssues } from './config-issues.js';
import { configSchema, type ExoConfig } from './config-schema.js';

/** The config of a user who has not saved one yet. */
export function emptyConfig(): ExoConfig {
  return { version: 1, profiles: {} };
}

/** Validates config data (already parsed JSON); `file` names it in the error. */
export function parseConfig(data: unknown, file?: string): ExoConfig {
  const result = configSchema.safeParse(data);
  if (!result.success) {
    throw configError(
      `Invalid exo-connect config${file ? ` in ${file}` : ''}:`,
      fieldIssues(result.error),
      file,
    );
  }
  return result.data;
}

/**
 * Reads the config file. A missing file is the empty config; unreadable, invalid JSON or an invalid field is
 * INVALID_ARGUMENT naming the file and the field's path.
 */
export async function loadConfig(path: string): Promise<ExoConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
    throw new ExoError(
      'INVALID_ARGUMENT',
      `Cannot read the exo-connect config ${path}: ${(cause as Error).message}`,
      {
        cause,
        remediation: 'Check the file and its permissions, or point EXO_CONFIG_DIR at another directory.',
        details: { file: path, field: '(root)' },
      },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    const error = configError(
      `Invalid exo-connect config in ${path}:`,
      [{ path: '(root)', message: `is not valid JSON (${(cause as Error).message})` }],
      path,
    );
    throw Object.assign(error, { cause });
  }
  return parseConfig(data, path);
}

/**
 * Writes the config atomically: validated first (so no secret or typo is ever written), then a temporary
 * file created with mode 0600 in the same directory, flushed, and renamed over the old one. A crash leaves
 * the old file or the new one, never half of one.
 */
export async function saveConfig(path: string, config: ExoConfig): Promise<void> {
  const valid = parseConfig(config);
  const text = `${JSON.stringify(valid, null, 2)}\n`;
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (cause) {
    // The temporary file may not exist (or its directory may not); nothing else to clean up then.
    await rm(temp, { force: true }).catch(() => undefined);
    throw new ExoError(
      'INVALID_ARGUMENT',
      `Cannot write the exo-connect config ${path}: ${(cause as Error).message}`,
      {
        cause,
        remediation: 'Check that the directory is writable, or point EXO_CONFIG_DIR at another directory.',
        details: { file: path, field: '(root)' },
      },
    );
  }
}
