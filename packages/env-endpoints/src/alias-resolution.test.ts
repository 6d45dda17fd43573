import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ENVIRONMENTS } from './builtin-environments.js';
import { EndpointError } from './errors/endpoint-error.js';
import { createRegistry, type EnvironmentRegistry } from './registry.js';
import { type EnvironmentSpec, NAME_PATTERN } from './schema/environment-schema.js';

const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 3 });

const builtinNames = BUILTIN_ENVIRONMENTS.flatMap((env) =>
  [env.id, ...env.aliases].map((name) => ({ id: env.id, name })),
);
const knownNames = new Set(builtinNames.map((n) => n.name));
const builtinIds = new Set(BUILTIN_ENVIRONMENTS.map((e) => e.id));

const kebab = fc.stringMatching(NAME_PATTERN).filter((s) => s.length <= 64);

function spec(id: string, aliases: string[]): EnvironmentSpec {
  return {
    id,
    aliases,
    displayName: id,
    defaultStrategy: 'module',
    module: { exchangeEnvironmentName: 'O365Default' },
    documentation: 'https://example.com/docs',
  };
}

/** Every name of every environment belongs to exactly one environment and resolves to it. */
function expectConsistent(registry: EnvironmentRegistry): void {
  const owners = new Map<string, string>();
  for (const env of registry.list()) {
    for (const name of [env.id, ...env.aliases]) {
      expect(owners.get(name), `"${name}" owned twice`).toBeUndefined();
      owners.set(name, env.id);
      expect(registry.get(name.toUpperCase(), { allowRetired: true }).id).toBe(env.id);
    }
  }
}

describe('alias resolution (properties)', () => {
  const registry = createRegistry();

  it('every built-in id and alias resolves in any letter case, with surrounding whitespace', () => {
    const casedName = fc
      .constantFrom(...builtinNames)
      .chain((n) => fc.tuple(fc.constant(n.id), fc.mixedCase(fc.constant(n.name))));
    fc.assert(
      fc.property(casedName, whitespace, whitespace, ([id, cased], before, after) => {
        expect(registry.get(`${before}${cased}${after}`, { allowRetired: true }).id).toBe(id);
      }),
    );
  });

  it('any other name raises UNKNOWN_ENVIRONMENT listing one to three real ids', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), kebab), (name) => {
        fc.pre(!knownNames.has(name.trim().toLowerCase()));
        try {
          registry.get(name);
          expect.unreachable(`"${name}" resolved`);
        } catch (error) {
          expect(EndpointError.is(error, 'UNKNOWN_ENVIRONMENT')).toBe(true);
          const closest = (error as EndpointError).details.closest as string[];
          expect(closest.length).toBeGreaterThanOrEqual(1);
          expect(closest.length).toBeLessThanOrEqual(3);
          for (const id of closest) expect(builtinIds.has(id)).toBe(true);
        }
      }),
    );
  });

  it('a defined environment resolves by its id and each alias, in any letter case', () => {
    fc.assert(
      fc.property(
        kebab.filter((s) => !knownNames.has(s)),
        fc.uniqueArray(
          kebab.filter((s) => !knownNames.has(s)),
          { maxLength: 4 },
        ),
        (id, aliases) => {
          fc.pre(!aliases.includes(id));
          const fresh = createRegistry();
          fresh.define(spec(id, aliases));
          for (const name of [id, ...aliases]) {
            expect(fresh.get(name).id).toBe(id);
            expect(fresh.get(` ${name.toUpperCase()}\t`).id).toBe(id);
          }
          expectConsistent(fresh);
        },
      ),
    );
  });

  it('any sequence of defines keeps every name owned by one environment; a refused define changes nothing', () => {
    const pool = ['alpha', 'beta', 'gamma', 'lab', 'worldwide', 'gcc', 'commercial', 'dod', '21vianet'];
    const op = fc.record({
      id: fc.constantFrom(...pool),
      aliases: fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 3 }),
      override: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const fresh = createRegistry();
        for (const { id, aliases, override } of ops) {
          const before = fresh.list();
          try {
            fresh.define(spec(id, aliases), { override });
            const env = fresh.get(id);
            expect(env.aliases).toEqual(aliases);
            for (const alias of aliases) expect(fresh.get(alias)).toBe(env);
          } catch (error) {
            expect(EndpointError.is(error, 'INVALID_ARGUMENT')).toBe(true);
            expect(fresh.list()).toEqual(before);
          }
          expectConsistent(fresh);
        }
      }),
    );
  });
});
