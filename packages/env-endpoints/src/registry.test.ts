import { describe, expect, it } from 'vitest';
import { BUILTIN_ENVIRONMENTS } from './builtin-environments.js';
import { EndpointError } from './errors/endpoint-error.js';
import { createRegistry } from './registry.js';
import type { EnvironmentSpec } from './schema/environment-schema.js';

function lab(id: string, aliases: string[] = [], displayName = `Lab ${id}`): EnvironmentSpec {
  return {
    id,
    aliases,
    displayName,
    defaultStrategy: 'rps',
    rps: {
      connectionUri: `https://${id}.contoso.local/PowerShell/`,
      authentication: 'Negotiate',
      allowRedirection: false,
    },
    documentation:
      'https://learn.microsoft.com/powershell/exchange/connect-to-exchange-servers-using-remote-powershell',
  };
}

function thrown(fn: () => unknown): EndpointError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EndpointError) return error;
    throw error;
  }
  throw new Error('expected an EndpointError');
}

describe('get', () => {
  const registry = createRegistry();

  it.each([
    ['worldwide', 'worldwide'],
    ['WorldWide', 'worldwide'],
    ['  commercial ', 'worldwide'],
    ['GCC', 'worldwide'],
    ['O365Default', 'worldwide'],
    ['GCC-High', 'gcc-high'],
    ['21Vianet', 'china'],
    ['EOP', 'eop'],
    ['Exchange-Server', 'exchange-server'],
  ])('%j → %s', (name, id) => {
    expect(registry.get(name).id).toBe(id);
  });

  it('raises UNKNOWN_ENVIRONMENT naming the closest ids and all known ones', () => {
    const error = thrown(() => registry.get('wordwide'));
    expect(error.code).toBe('UNKNOWN_ENVIRONMENT');
    expect(error.message).toBe(
      'Unknown environment "wordwide"; closest ids: worldwide ' +
        '(all ids: worldwide, gcc-high, dod, china, germany, eop, exchange-server).',
    );
    expect(error.details).toMatchObject({ name: 'wordwide', closest: ['worldwide'] });
    expect(error.remediation).toContain('exo endpoints list');
  });

  it('maps an alias typo to the id that owns the alias', () => {
    expect(thrown(() => registry.get('21vianett')).details.closest).toEqual(['china']);
    expect(thrown(() => registry.get('comercial')).details.closest).toEqual(['worldwide']);
  });

  it('refuses a retired environment with its date and note unless allowed', () => {
    const error = thrown(() => registry.get('Germany'));
    expect(error.code).toBe('ENVIRONMENT_RETIRED');
    expect(error.message).toContain('retired on 2021-10-29');
    expect(error.message).toContain('use "worldwide"');
    expect(error.details).toMatchObject({ id: 'germany', date: '2021-10-29' });
    expect(registry.get('germany', { allowRetired: true }).id).toBe('germany');
    expect(registry.get('o365germanycloud', { allowRetired: true }).id).toBe('germany');
  });

  it('does not refuse an active environment whose RPS endpoint is retired', () => {
    expect(registry.get('worldwide').rps?.status.state).toBe('retired');
  });

  it('refuses a name that is not a string', () => {
    expect(thrown(() => registry.get(42 as unknown as string)).code).toBe('INVALID_ARGUMENT');
  });

  it('says so when nothing is defined', () => {
    const error = thrown(() => createRegistry({ environments: [] }).get('worldwide'));
    expect(error.message).toContain('no environments are defined');
    expect(error.details.closest).toEqual([]);
  });
});

describe('list', () => {
  it('returns the built-ins, then defined environments in the order defined', () => {
    const registry = createRegistry();
    expect(registry.list()).toEqual(BUILTIN_ENVIRONMENTS);
    registry.define(lab('b-lab'));
    registry.define(lab('a-lab'));
    expect(registry.list().map((e) => e.id)).toEqual([
      ...BUILTIN_ENVIRONMENTS.map((e) => e.id),
      'b-lab',
      'a-lab',
    ]);
  });

  it('includes retired environments', () => {
    expect(
      createRegistry()
        .list()
        .some((e) => e.id === 'germany'),
    ).toBe(true);
  });

  it('is a copy: changing the array changes nothing', () => {
    const registry = createRegistry();
    registry.list().length = 0;
    expect(registry.list()).toHaveLength(BUILTIN_ENVIRONMENTS.length);
  });

  it('registries are isolated from each other', () => {
    const one = createRegistry();
    one.define(lab('only-here'));
    expect(() => createRegistry().get('only-here')).toThrow(EndpointError);
  });
});

describe('define', () => {
  it('validates, registers and returns the frozen definition', () => {
    const registry = createRegistry();
    const env = registry.define(lab('contoso-lab', ['lab']));
    expect(env.status).toEqual({ state: 'active' });
    expect(Object.isFrozen(env)).toBe(true);
    expect(registry.get('LAB')).toBe(env);
  });

  it('does not keep a reference to the caller object', () => {
    const registry = createRegistry();
    const spec = lab('contoso-lab');
    registry.define(spec);
    (spec.rps as { connectionUri: string }).connectionUri = 'https://changed.example/';
    expect(registry.get('contoso-lab').rps?.connectionUri).toBe(
      'https://contoso-lab.contoso.local/PowerShell/',
    );
  });

  it('refuses an invalid definition, naming the field, and registers nothing', () => {
    const registry = createRegistry();
    const error = thrown(() => registry.define({ ...lab('bad-lab'), documentation: 'ftp://x' }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('documentation:');
    expect(() => registry.get('bad-lab')).toThrow(/Unknown environment/);
  });

  it('refuses a duplicate id unless override is set', () => {
    const registry = createRegistry();
    const error = thrown(() => registry.define(lab('worldwide')));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('id: "worldwide" is already defined; pass { override: true }');
    expect(registry.get('worldwide').displayName).not.toBe('Lab worldwide');
  });

  it('refuses an alias another environment holds unless override is set', () => {
    const registry = createRegistry();
    const error = thrown(() => registry.define(lab('my-gcc', ['lab', 'gcc'])));
    expect(error.details.issues).toEqual([
      { path: 'aliases[1]', message: expect.stringContaining('already an alias of environment "worldwide"') },
    ]);
    expect(registry.get('gcc').id).toBe('worldwide');
  });

  it('refuses an id that is another environment alias unless override is set', () => {
    const registry = createRegistry();
    expect(thrown(() => registry.define(lab('commercial'))).details.issues).toEqual([
      { path: 'id', message: expect.stringContaining('already an alias of environment "worldwide"') },
    ]);
  });

  it('never lets an alias shadow another environment id, even with override', () => {
    const registry = createRegistry();
    const error = thrown(() => registry.define(lab('contoso-lab', ['dod']), { override: true }));
    expect(error.details.issues).toEqual([
      { path: 'aliases[0]', message: '"dod" is the id of environment "dod"' },
    ]);
  });

  it('with override, replaces the environment in place', () => {
    const registry = createRegistry();
    const before = registry.list().map((e) => e.id);
    const env = registry.define(lab('dod', ['mil'], 'My DoD'), { override: true });
    expect(registry.get('mil')).toBe(env);
    expect(registry.get('DOD').displayName).toBe('My DoD');
    expect(registry.list().map((e) => e.id)).toEqual(before);
    expect(() => registry.get('o365usgovdod')).toThrow(/Unknown environment/);
  });

  it('with override, takes an alias from the environment that held it and leaves the rest', () => {
    const registry = createRegistry();
    registry.define(lab('my-gcc', ['gcc']), { override: true });
    expect(registry.get('gcc').id).toBe('my-gcc');
    const worldwide = registry.get('commercial');
    expect(worldwide.id).toBe('worldwide');
    expect(worldwide.aliases).toEqual(['commercial', 'o365default']);
    expect(Object.isFrozen(worldwide)).toBe(true);
    expect(Object.isFrozen(worldwide.aliases)).toBe(true);
    expect(BUILTIN_ENVIRONMENTS[0]?.aliases).toContain('gcc');
  });

  it('with override, pins exchange-server to one server (the README example)', () => {
    const registry = createRegistry();
    registry.define(
      {
        ...registry.get('exchange-server'),
        rps: {
          connectionUri: 'https://exchange01.contoso.local/PowerShell/',
          authentication: 'Kerberos',
          allowRedirection: false,
        },
      },
      { override: true },
    );
    const env = registry.get('on-premises');
    expect(env.id).toBe('exchange-server');
    expect(env.rps).toEqual({
      connectionUri: 'https://exchange01.contoso.local/PowerShell/',
      authentication: 'Kerberos',
      allowRedirection: false,
      status: { state: 'active' },
    });
  });

  it('with override, an id can take over a name that was an alias', () => {
    const registry = createRegistry();
    registry.define(lab('gcc'), { override: true });
    expect(registry.get('gcc').id).toBe('gcc');
    expect(registry.get('worldwide').aliases).not.toContain('gcc');
  });
});
