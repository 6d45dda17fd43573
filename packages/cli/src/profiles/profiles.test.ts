import { ExoError } from '@exo-connect/core';
import { describe, expect, it } from 'vitest';
import { emptyConfig } from './config-file.js';
import { addProfile, listProfiles, removeProfile, resolveProfile, useProfile } from './profiles.js';

function failure(fn: () => unknown): ExoError {
  try {
    fn();
  } catch (error) {
    expect(ExoError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    return error as ExoError;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('profiles', () => {
  const one = addProfile(emptyConfig(), 'work', {
    environment: 'worldwide',
    userPrincipalName: 'a@contoso.com',
  });
  const two = addProfile(one, 'lab', { environment: 'sandbox' });

  it('adds profiles; the first becomes current; the input is not changed', () => {
    expect(one.currentProfile).toBe('work');
    expect(two.currentProfile).toBe('work');
    expect(Object.keys(two.profiles)).toEqual(['work', 'lab']);
    expect(emptyConfig().profiles).toEqual({});
    expect(Object.keys(one.profiles)).toEqual(['work']);
  });

  it('validates names and fields, and refuses a password', () => {
    expect(failure(() => addProfile(emptyConfig(), '-x', { environment: 'w' })).message).toContain(
      'Profile name "-x"',
    );
    failure(() => addProfile(emptyConfig(), '', { environment: 'w' }));
    const error = failure(() =>
      addProfile(emptyConfig(), 'w', { environment: 'w', password: 'hunter2' } as unknown as {
        environment: string;
      }),
    );
    expect(error.message).toContain('profiles.w.password: secrets are never stored in the config file');
    expect(error.message).not.toContain('hunter2');
    expect(error.remediation).toContain('keychain');
  });

  it('refuses a taken name (also differing in case) unless replacing', () => {
    failure(() => addProfile(two, 'work', { environment: 'gcc-high' }));
    expect(failure(() => addProfile(two, 'WORK', { environment: 'x' })).remediation).toContain('case');
    expect(addProfile(two, 'work', { environment: 'gcc-high' }, { replace: true }).profiles.work).toEqual({
      environment: 'gcc-high',
    });
  });

  it('uses, lists and removes profiles', () => {
    const used = useProfile(two, 'lab');
    expect(listProfiles(used)).toEqual([
      { name: 'lab', current: true, profile: { environment: 'sandbox' } },
      {
        name: 'work',
        current: false,
        profile: { environment: 'worldwide', userPrincipalName: 'a@contoso.com' },
      },
    ]);
    const removed = removeProfile(used, 'lab');
    expect(removed.currentProfile).toBeUndefined();
    expect('currentProfile' in removed).toBe(false);
    expect(removeProfile(two, 'lab').currentProfile).toBe('work');
    expect(failure(() => useProfile(two, 'nope')).remediation).toBe(
      'Use one of: lab, work (exo profile list).',
    );
    failure(() => removeProfile(two, 'nope'));
  });

  it('resolves the named profile, else the current one, else none', () => {
    expect(resolveProfile(two, 'lab')).toEqual({ name: 'lab', profile: { environment: 'sandbox' } });
    expect(resolveProfile(two)?.name).toBe('work');
    expect(resolveProfile(emptyConfig())).toBeUndefined();
    expect(failure(() => resolveProfile(emptyConfig(), 'x')).remediation).toContain('exo profile add');
    failure(() => resolveProfile(two, 'constructor'));
  });
});
