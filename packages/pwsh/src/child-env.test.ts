import { describe, expect, it } from 'vitest';
import { childEnv, SECRET_ENV } from './child-env.js';

describe('childEnv', () => {
  it('copies the environment, lays the extra variables over it, and removes every secret', () => {
    const env = { PATH: '/bin', TERM: 'xterm', EXO_PASSWORD: 'p', EXO_PROXY_PASSWORD: 'q' };
    expect(childEnv(env, { TERM: 'dumb', NO_COLOR: '1' })).toEqual({
      PATH: '/bin',
      TERM: 'dumb',
      NO_COLOR: '1',
    });
    expect(env.EXO_PASSWORD).toBe('p');
  });

  it('removes a secret the extra variables would add, and any spelling of its name', () => {
    expect(childEnv({ exo_password: 'p', Exo_Proxy_Password: 'q' }, { EXO_PASSWORD: 'r' })).toEqual({});
  });

  it('names exactly the two secret variables', () => {
    expect(SECRET_ENV).toEqual(['EXO_PASSWORD', 'EXO_PROXY_PASSWORD']);
    expect(Object.isFrozen(SECRET_ENV)).toBe(true);
  });
});
