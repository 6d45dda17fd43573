import { ExoError } from '@exo-connect/core';
import { configError, fieldIssues } from './config-issues.js';
import {
  type ExoConfig,
  PROFILE_NAME,
  type Profile,
  type ProfileInput,
  profileNameSchema,
  profileSchema,
} from './config-schema.js';

export interface ProfileEntry {
  name: string;
  current: boolean;
  profile: Profile;
}

export interface AddProfileOptions {
  /** Overwrite a profile of the same name instead of refusing. */
  replace?: boolean;
}

function assertName(name: string): void {
  const result = profileNameSchema.safeParse(name);
  if (!result.success) {
    throw new ExoError(
      'INVALID_ARGUMENT',
      `Profile name "${name.slice(0, 64)}" ${result.error.issues[0]!.message}.`,
      {
        details: { field: 'profile' },
        remediation: 'Choose a name such as work, contoso-gcc or lab.1.',
      },
    );
  }
}

function unknownProfile(config: ExoConfig, name: string): ExoError {
  const names = Object.keys(config.profiles).sort();
  return new ExoError('INVALID_ARGUMENT', `There is no profile named "${name.slice(0, 64)}".`, {
    details: { field: 'profile' },
    remediation: names.length
      ? `Use one of: ${names.join(', ')} (exo profile list).`
      : 'No profiles exist yet: create one with `exo profile add <name> --environment <id>`.',
  });
}

/**
 * Adds a validated profile; the first profile added becomes the current one. Refuses a name that is already
 * taken (or differs only in case) unless `replace` is set. Returns a new config; the input is not changed.
 */
export function addProfile(
  config: ExoConfig,
  name: string,
  profile: ProfileInput,
  options: AddProfileOptions = {},
): ExoConfig {
  assertName(name);
  const result = profileSchema.safeParse(profile);
  if (!result.success) {
    throw configError(`Invalid profile "${name}":`, fieldIssues(result.error, ['profiles', name]));
  }
  const clash = Object.keys(config.profiles).find((other) => other.toLowerCase() === name.toLowerCase());
  if (clash !== undefined && !(options.replace && clash === name)) {
    throw new ExoError('INVALID_ARGUMENT', `A profile named "${clash}" already exists.`, {
      details: { field: 'profile' },
      remediation:
        clash === name
          ? 'Choose another name, or replace it (exo profile add --force).'
          : 'Profile names differing only in case would be confused; choose another name.',
    });
  }
  return {
    ...config,
    currentProfile: config.currentProfile ?? name,
    profiles: { ...config.profiles, [name]: result.data },
  };
}

/** Removes a profile; when it was the current one, no profile is current afterwards. */
export function removeProfile(config: ExoConfig, name: string): ExoConfig {
  if (!Object.hasOwn(config.profiles, name)) throw unknownProfile(config, name);
  const profiles = { ...config.profiles };
  delete profiles[name];
  const { currentProfile, ...rest } = config;
  return currentProfile === name ? { ...rest, profiles } : { ...config, profiles };
}

/** Makes `name` the profile used when a command names none. */
export function useProfile(config: ExoConfig, name: string): ExoConfig {
  if (!Object.hasOwn(config.profiles, name)) throw unknownProfile(config, name);
  return { ...config, currentProfile: name };
}

/** Every profile, sorted by name, marking the current one. */
export function listProfiles(config: ExoConfig): ProfileEntry[] {
  return Object.keys(config.profiles)
    .sort()
    .map((name) => ({ name, current: name === config.currentProfile, profile: config.profiles[name]! }));
}

/**
 * The profile a command runs with: the one named (`-p`), else the current one. Undefined when neither
 * exists, in which case the CLI uses the sandbox and says so.
 */
export function resolveProfile(
  config: ExoConfig,
  name?: string,
): { name: string; profile: Profile } | undefined {
  const chosen = name ?? config.currentProfile;
  if (chosen === undefined) return undefined;
  if (!PROFILE_NAME.test(chosen) || !Object.hasOwn(config.profiles, chosen))
    throw unknownProfile(config, chosen);
  return { name: chosen, profile: config.profiles[chosen]! };
}
