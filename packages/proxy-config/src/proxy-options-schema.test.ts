import { describe, expect, it } from 'vitest';
import { proxyOptionsSchema } from './proxy-options-schema.js';

function issues(input: unknown): { path: string; message: string }[] {
  const parsed = proxyOptionsSchema.safeParse(input);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('proxyOptionsSchema', () => {
  it('accepts an empty object and a complete one, canonicalising enum casing, cultures and bypass entries', () => {
    expect(proxyOptionsSchema.parse({})).toEqual({});
    expect(
      proxyOptionsSchema.parse({
        accessType: 'ieconfig',
        authentication: ' NEGOTIATE ',
        bypass: 'Corp.Example, 10.0.0.0/8, corp.example',
        credential: { userName: ' alice ', password: ' spaced ' },
        openTimeoutMs: 0,
        operationTimeoutMs: 2_147_483_647,
        idleTimeoutMs: -1,
        skipCACheck: false,
        culture: 'de-de',
        uiCulture: 'EN-us',
      }),
    ).toEqual({
      accessType: 'IEConfig',
      authentication: 'Negotiate',
      bypass: ['corp.example', '10.0.0.0/8'],
      credential: { userName: 'alice', password: ' spaced ' },
      openTimeoutMs: 0,
      operationTimeoutMs: 2_147_483_647,
      idleTimeoutMs: -1,
      skipCACheck: false,
      culture: 'de-DE',
      uiCulture: 'en-US',
    });
  });

  it('lists the allowed values for an unknown access type or authentication', () => {
    expect(issues({ accessType: 'Manual' })).toEqual([
      {
        path: 'accessType',
        message: 'must be one of IEConfig, WinHttpConfig, AutoDetect, NoProxyServer, None',
      },
    ]);
    expect(issues({ authentication: 'CredSSP' })[0]?.message).toContain('Basic, Digest, Negotiate');
  });

  it('refuses unknown fields instead of ignoring a typo', () => {
    const parsed = proxyOptionsSchema.safeParse({ proxyURL: 'http://p:1' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['proxyURL'] });
  });

  it.each([
    [{ openTimeoutMs: -1 }, 'openTimeoutMs', 'at least 0'],
    [{ operationTimeoutMs: 1.5 }, 'operationTimeoutMs', 'whole number'],
    [{ openTimeoutMs: 2_147_483_648 }, 'openTimeoutMs', 'at most 2147483647'],
    [{ openTimeoutMs: '5000' }, 'openTimeoutMs', 'whole number'],
    [{ idleTimeoutMs: 59_999 }, 'idleTimeoutMs', 'from 60000'],
    [{ idleTimeoutMs: 0 }, 'idleTimeoutMs', '-1 (the server default)'],
    [{ skipCNCheck: 'yes' }, 'skipCNCheck', 'expected boolean'],
    [{ culture: 'klingon' }, 'culture', 'culture name'],
    [{ proxyUrl: 'ftp://p' }, 'proxyUrl', 'scheme "ftp"'],
    [{ bypass: ['ok.example', 'http://bad'] }, 'bypass.1', 'not a URL'],
    [{ credential: { userName: 'alice' } }, 'credential.password', 'expected string'],
    [{ credential: { userName: '', password: 'x' } }, 'credential.userName', 'must not be empty'],
  ])('refuses %j at %s', (input, path, message) => {
    const found = issues(input);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe(path);
    expect(found[0]?.message).toContain(message);
  });

  it('accepts the idle timeout minimum and both forms of bypass list', () => {
    expect(proxyOptionsSchema.parse({ idleTimeoutMs: 60_000 }).idleTimeoutMs).toBe(60_000);
    expect(proxyOptionsSchema.parse({ bypass: ['a.example', '<local>'] }).bypass).toEqual([
      'a.example',
      '<local>',
    ]);
  });
});
