import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxError } from '../errors/sandbox-error.js';
import type { FaultSettings } from './admin-api/index.js';
import { writeFileAtomic } from './identity/atomic-file.js';
import { restDirectory } from './tenant-authority.js';

/**
 * The REST face's settings of a tenant, in `<tenant>/rest/settings.json`: token lifetimes and the admin API's
 * faults. configureTenant({ rest }) writes them; a running server applies a change at its next request.
 */
export interface RestSettings {
  /** Seconds an access token lives (default 3600); a few seconds to test expiry mid-stream. */
  accessTokenLifetimeSeconds?: number;
  /** Seconds a device code waits for its approval (default 900). */
  deviceCodeLifetimeSeconds?: number;
  /** Seconds a refresh token lives (default 90 days). */
  refreshTokenLifetimeSeconds?: number;
  /** Throttling, 503s, resets mid-page and slow pages; `null` turns them all off. */
  faults?: FaultSettings | null;
}

const SETTINGS_FILE = 'settings.json';
const LIFETIMES = [
  'accessTokenLifetimeSeconds',
  'deviceCodeLifetimeSeconds',
  'refreshTokenLifetimeSeconds',
] as const;

function invalid(option: string, message: string): SandboxError {
  return new SandboxError('INVALID_OPTION', message, { details: { option: `rest.${option}` } });
}

const whole = (value: unknown, min: number, max: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** Checks settings a caller passed; throws INVALID_ARGUMENT naming the first bad one. */
export function validateRestSettings(settings: RestSettings): RestSettings {
  if (typeof settings !== 'object' || settings === null)
    throw invalid('', 'rest must be an object of REST settings.');
  for (const key of Object.keys(settings)) {
    if (!(LIFETIMES as readonly string[]).includes(key) && key !== 'faults') {
      throw invalid(key, `rest.${key} is not a REST setting; use ${[...LIFETIMES, 'faults'].join(', ')}.`);
    }
  }
  for (const key of LIFETIMES) {
    const value = settings[key];
    if (value !== undefined && !whole(value, 1, 31_536_000)) {
      throw invalid(
        key,
        `rest.${key} must be a whole number of seconds from 1 to 31,536,000; got ${String(value)}.`,
      );
    }
  }
  const faults = settings.faults;
  if (faults) {
    const { throttle, unavailable, resetMidPage, slowPages } = faults;
    if (throttle && !(whole(throttle.limit, 1, 1_000_000) && whole(throttle.windowSeconds, 1, 86_400))) {
      throw invalid(
        'faults.throttle',
        'rest.faults.throttle needs limit (1–1,000,000) and windowSeconds (1–86,400).',
      );
    }
    if (unavailable?.count !== undefined && !whole(unavailable.count, 1, 1_000_000)) {
      throw invalid(
        'faults.unavailable.count',
        'rest.faults.unavailable.count must be a whole number from 1.',
      );
    }
    if (resetMidPage?.count !== undefined && !whole(resetMidPage.count, 1, 1_000_000)) {
      throw invalid(
        'faults.resetMidPage.count',
        'rest.faults.resetMidPage.count must be a whole number from 1.',
      );
    }
    if (slowPages && !whole(slowPages.delayMs, 0, 60_000)) {
      throw invalid(
        'faults.slowPages.delayMs',
        'rest.faults.slowPages.delayMs must be 0–60,000 milliseconds.',
      );
    }
  }
  return settings;
}

const settingsPath = (tenantDirectory: string) => join(restDirectory(tenantDirectory), SETTINGS_FILE);

/** The tenant's REST settings; {} when none were set. */
export function readRestSettings(tenantDirectory: string): RestSettings {
  try {
    return JSON.parse(readFileSync(settingsPath(tenantDirectory), 'utf8')) as RestSettings;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new SandboxError('TENANT_CORRUPT', `${settingsPath(tenantDirectory)} is not valid JSON.`, {
      cause: error,
    });
  }
}

/** Merges `change` into the tenant's REST settings (atomically replacing the file); returns the result. */
export async function writeRestSettings(
  tenantDirectory: string,
  change: RestSettings,
): Promise<RestSettings> {
  const merged: RestSettings = { ...readRestSettings(tenantDirectory), ...validateRestSettings(change) };
  if (merged.faults === null) delete merged.faults;
  await writeFileAtomic(settingsPath(tenantDirectory), `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

/**
 * Calls `apply` with the settings now and whenever the file changed since (checked with one stat, at most once per
 * `everyMs`, default every call): the server calls it before each request.
 */
export function watchRestSettings(
  tenantDirectory: string,
  apply: (settings: RestSettings) => void,
  everyMs = 0,
): () => void {
  const path = settingsPath(tenantDirectory);
  let seen: string | undefined;
  let checked = Number.NEGATIVE_INFINITY;
  const check = () => {
    const now = Date.now();
    if (now - checked < everyMs) return;
    checked = now;
    let version = 'none';
    try {
      // A write replaces the file (a new inode), so the inode and the time tell every change apart.
      const stats = statSync(path);
      version = `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
    } catch {}
    if (version === seen) return;
    seen = version;
    apply(readRestSettings(tenantDirectory));
  };
  check();
  return check;
}
