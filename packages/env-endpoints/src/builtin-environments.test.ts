import { describe, expect, it } from 'vitest';
import { BUILTIN_ENVIRONMENTS } from './builtin-environments.js';
import { environmentSchema } from './schema/environment-schema.js';
import { isExchangeOnlineUri } from './schema/uri.js';

function builtin(id: string) {
  const env = BUILTIN_ENVIRONMENTS.find((e) => e.id === id);
  if (!env) throw new Error(`no built-in ${id}`);
  return env;
}

// REFERENCE.md §2, copied by hand: a change to a built-in URI must change this table too.
const REFERENCE = [
  {
    id: 'worldwide',
    rps: 'https://outlook.office365.com/powershell-liveid/',
    envName: 'O365Default',
    authority: 'https://login.microsoftonline.com/organizations',
    compliance: 'https://ps.compliance.protection.outlook.com/powershell-liveid/',
  },
  {
    id: 'gcc-high',
    rps: 'https://outlook.office365.us/powershell-liveid',
    envName: 'O365USGovGCCHigh',
    authority: 'https://login.microsoftonline.us/organizations',
    compliance: 'https://ps.compliance.protection.office365.us/powershell-liveid/',
  },
  {
    id: 'dod',
    rps: 'https://webmail.apps.mil/powershell-liveid',
    envName: 'O365USGovDoD',
    authority: 'https://login.microsoftonline.us/organizations',
    compliance: 'https://l5.ps.compliance.protection.office365.us/powershell-liveid/',
  },
  {
    id: 'china',
    rps: 'https://partner.outlook.cn/PowerShell',
    envName: 'O365China',
    authority: 'https://login.chinacloudapi.cn/organizations',
    compliance: 'https://ps.compliance.protection.partner.outlook.cn/powershell-liveid/',
  },
  {
    id: 'germany',
    rps: 'https://outlook.office.de/PowerShell-LiveID',
    envName: 'O365GermanyCloud',
    authority: 'https://login.microsoftonline.de/organizations',
    compliance: 'https://ps.compliance.protection.outlook.de/powershell-liveid/',
  },
  {
    id: 'eop',
    rps: 'https://ps.protection.outlook.com/powershell-liveid/',
    envName: 'O365Default',
    authority: 'https://login.microsoftonline.com/organizations',
    compliance: 'https://ps.compliance.protection.outlook.com/powershell-liveid/',
  },
] as const;

const EXCHANGE_ONLINE_IDS = REFERENCE.map((r) => r.id);

describe('built-in environments match REFERENCE.md §2', () => {
  it('are exactly the seven agreed ids, in order', () => {
    expect(BUILTIN_ENVIRONMENTS.map((e) => e.id)).toEqual([
      'worldwide',
      'gcc-high',
      'dod',
      'china',
      'germany',
      'eop',
      'exchange-server',
    ]);
  });

  describe.each(REFERENCE)('$id', (ref) => {
    const env = builtin(ref.id);

    it(`RPS endpoint is ${ref.rps}, Basic, with redirection`, () => {
      expect(env.rps).toMatchObject({
        connectionUri: ref.rps,
        authentication: 'Basic',
        allowRedirection: true,
      });
    });

    it(`module uses -ExchangeEnvironmentName ${ref.envName} and authority ${ref.authority}`, () => {
      expect(env.module).toEqual({
        exchangeEnvironmentName: ref.envName,
        azureADAuthorizationEndpointUri: ref.authority,
      });
    });

    it(`Security & Compliance endpoint is ${ref.compliance}`, () => {
      expect(env.compliance).toEqual({ rpsConnectionUri: ref.compliance });
    });

    it('defaults to rest where the cloud has a REST admin API (else module), and documents itself over https', () => {
      // Germany (retired) and EOP standalone have no rest block: they stay on the module.
      expect(env.defaultStrategy).toBe(env.rest ? 'rest' : 'module');
      expect(Boolean(env.rest)).toBe(['worldwide', 'gcc-high', 'dod', 'china'].includes(ref.id));
      expect(env.documentation).toMatch(/^https:\/\/learn\.microsoft\.com\//);
    });

    it('has an RPS endpoint marked retired, on an Exchange Online host', () => {
      expect(env.rps?.status.state).toBe('retired');
      expect(isExchangeOnlineUri(env.rps!.connectionUri)).toBe(true);
      expect(isExchangeOnlineUri(env.compliance!.rpsConnectionUri)).toBe(true);
      expect(isExchangeOnlineUri(env.module!.azureADAuthorizationEndpointUri!)).toBe(true);
    });
  });

  it.each(EXCHANGE_ONLINE_IDS.filter((id) => id !== 'germany'))(
    '%s: remote PowerShell retired on 2023-10-01 with a note pointing to the module strategy',
    (id) => {
      expect(builtin(id).rps?.status).toMatchObject({
        state: 'retired',
        date: '2023-10-01',
        note: expect.stringContaining('module strategy'),
      });
    },
  );

  it('germany is retired on 2021-10-29, its RPS endpoint with it', () => {
    const env = builtin('germany');
    expect(env.status).toMatchObject({
      state: 'retired',
      date: '2021-10-29',
      note: expect.stringMatching(/\S/),
    });
    expect(env.rps?.status).toMatchObject({ state: 'retired', date: '2021-10-29' });
  });

  it.each([
    ['worldwide', ['commercial', 'gcc', 'o365default']],
    ['china', ['21vianet', 'o365china']],
  ])('%s answers to %j', (id, aliases) => {
    expect(builtin(id).aliases).toEqual(expect.arrayContaining(aliases));
  });

  it.each([
    ['worldwide', 'https://ps.protection.outlook.com/powershell-liveid/'],
    ['eop', 'https://ps.protection.outlook.com/powershell-liveid/'],
  ])('%s has the standalone EOP endpoint', (id, uri) => {
    expect(builtin(id).eop).toEqual({ rpsConnectionUri: uri });
  });

  it('every cloud but germany and eop is active; only worldwide and eop have an EOP endpoint', () => {
    for (const env of BUILTIN_ENVIRONMENTS) {
      expect(env.status.state).toBe(env.id === 'germany' ? 'retired' : 'active');
      expect(env.eop !== undefined).toBe(env.id === 'worldwide' || env.id === 'eop');
    }
  });

  it('exchange-server needs a user URI, speaks Kerberos over http without redirection, defaults to rps', () => {
    const env = builtin('exchange-server');
    expect(env.defaultStrategy).toBe('rps');
    expect(env.status.state).toBe('active');
    expect(env.module).toBeUndefined();
    expect(env.rps).toMatchObject({
      authentication: 'Kerberos',
      allowRedirection: false,
      requiresUserUri: true,
      status: { state: 'active' },
    });
    expect(env.rps!.connectionUri).toMatch(/^http:\/\/[^/]+\.invalid\/PowerShell\/$/);
    expect(isExchangeOnlineUri(env.rps!.connectionUri)).toBe(false);
  });

  it.each([
    ['worldwide', 'https://outlook.office365.com', 'https://login.microsoftonline.com'],
    ['gcc-high', 'https://outlook.office365.us', 'https://login.microsoftonline.us'],
    ['dod', 'https://outlook-dod.office365.us', 'https://login.microsoftonline.us'],
    ['china', 'https://partner.outlook.cn', 'https://login.chinacloudapi.cn'],
  ])('%s has the REST admin API of REFERENCE §8', (id, apiUrl, authority) => {
    const rest = builtin(id).rest!;
    expect(rest).toMatchObject({ apiUrl, authority, scope: `${apiUrl}/.default` });
    expect(rest.caPath).toBeUndefined();
  });

  it("21Vianet keeps Microsoft's newer API host too; only the four Exchange Online clouds have a REST block", () => {
    expect(builtin('china').rest!.alternateApiUrls).toEqual(['https://outlook.office365.cn']);
    expect(BUILTIN_ENVIRONMENTS.filter((e) => e.rest).map((e) => e.id)).toEqual([
      'worldwide',
      'gcc-high',
      'dod',
      'china',
    ]);
  });

  it('no built-in loads a prelude', () => {
    expect(BUILTIN_ENVIRONMENTS.filter((e) => e.prelude)).toEqual([]);
  });

  it('are frozen, so no caller can rewrite where everyone connects', () => {
    const env = builtin('worldwide');
    expect(Object.isFrozen(env)).toBe(true);
    expect(Object.isFrozen(env.rps)).toBe(true);
    expect(Object.isFrozen(env.aliases)).toBe(true);
    expect(() => {
      (env.rps as { connectionUri: string }).connectionUri = 'https://evil.example/';
    }).toThrow(TypeError);
  });

  it('each parses unchanged through environmentSchema', () => {
    for (const env of BUILTIN_ENVIRONMENTS) expect(environmentSchema.parse(env)).toEqual(env);
  });
});
