import { describe, expect, it } from 'vitest';
import { EndpointError } from '../errors/endpoint-error.js';
import type { FieldIssue } from '../field-issues.js';
import { validateEnvironment } from '../validate-environment.js';
import { type EnvironmentSpec, environmentSchema } from './environment-schema.js';
import { isExchangeOnlineUri } from './uri.js';

const valid = {
  id: 'contoso-lab',
  aliases: ['lab'],
  displayName: 'Contoso lab',
  defaultStrategy: 'rps',
  rps: {
    connectionUri: 'http://exchange01.contoso.local/PowerShell/',
    authentication: 'Kerberos',
    allowRedirection: false,
  },
  module: {
    exchangeEnvironmentName: 'O365Default',
    connectionUri: 'https://outlook.office365.com/powershell-liveid/',
    azureADAuthorizationEndpointUri: 'https://login.microsoftonline.com/organizations',
  },
  compliance: { rpsConnectionUri: 'https://ps.compliance.protection.outlook.com/powershell-liveid/' },
  eop: { rpsConnectionUri: 'https://ps.protection.outlook.com/powershell-liveid/' },
  rest: {
    apiUrl: 'https://outlook.office365.com',
    authority: 'https://login.microsoftonline.com',
    scope: 'https://outlook.office365.com/.default',
  },
  documentation:
    'https://learn.microsoft.com/powershell/exchange/connect-to-exchange-servers-using-remote-powershell',
  prelude: { modules: ['ExchangeOnlineManagement', '/opt/exo/Lab.psd1', 'C:\\exo\\Lab.psd1'] },
} satisfies EnvironmentSpec;

/** `valid` with one change; `undefined` removes the field. */
function changed(path: string, value: unknown): unknown {
  const copy = structuredClone(valid) as Record<string, unknown>;
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

function issuesOf(spec: unknown): FieldIssue[] {
  try {
    validateEnvironment(spec);
  } catch (error) {
    expect(EndpointError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as EndpointError).details.issues as FieldIssue[];
  }
  throw new Error('expected the definition to be refused');
}

describe('environmentSchema accepts', () => {
  it('a full definition, filling in active statuses', () => {
    const env = validateEnvironment(valid);
    expect(env.status).toEqual({ state: 'active' });
    expect(env.rps?.status).toEqual({ state: 'active' });
    expect(env.prelude?.modules).toHaveLength(3);
  });

  it('a minimal module-only definition, with no aliases', () => {
    const env = validateEnvironment({
      id: 'm',
      displayName: 'Module only',
      defaultStrategy: 'module',
      module: { exchangeEnvironmentName: 'O365China' },
      documentation: 'https://example.com/docs',
    });
    expect(env.aliases).toEqual([]);
    expect(env.rps).toBeUndefined();
  });

  it('the sandbox definition the sandbox package builds, which is not an Exchange Online URI', () => {
    const sandbox = {
      id: 'sandbox',
      aliases: [],
      displayName: 'exo-connect sandbox (local)',
      defaultStrategy: 'rps',
      rps: {
        connectionUri: 'https://sandbox.exo.localhost/powershell-liveid/',
        authentication: 'Basic',
        allowRedirection: true,
      },
      module: { exchangeEnvironmentName: 'O365Default' },
      documentation: 'https://github.com/exo-connect/exo-connect/tree/main/packages/sandbox#readme',
      prelude: {
        modules: [
          '/home/me/.local/state/exo-connect/sandbox/ExoSandbox/ExoSandbox.psd1',
          'C:\\Users\\me\\AppData\\Local\\exo-connect\\ExchangeOnlineManagement\\ExchangeOnlineManagement.psd1',
        ],
      },
    } satisfies EnvironmentSpec;
    expect(environmentSchema.safeParse(sandbox).success).toBe(true);
    expect(isExchangeOnlineUri(sandbox.rps.connectionUri)).toBe(false);
    // Plain http to .localhost is not refused as Exchange Online (only Basic over http is, for any host).
    const plain = {
      ...sandbox.rps,
      connectionUri: 'http://sandbox.exo.localhost/',
      authentication: 'Negotiate',
    };
    expect(validateEnvironment({ ...sandbox, rps: plain }).rps?.connectionUri).toBe(
      'http://sandbox.exo.localhost/',
    );
  });

  it('a retired status with a valid date and note', () => {
    const env = validateEnvironment(
      changed('status', { state: 'retired', date: '2024-02-29', note: 'Closed.' }),
    );
    expect(env.status).toEqual({ state: 'retired', date: '2024-02-29', note: 'Closed.' });
  });
});

// One row per validation rule: what is wrong, the path the error must name, and a fragment of its message.
const RULES: [rule: string, spec: unknown, path: string, message: string | RegExp][] = [
  ['not an object', 'worldwide', '(root)', 'expected object'],
  ['id is required', changed('id', undefined), 'id', 'must be a string'],
  ['id must be lower-case kebab', changed('id', 'Contoso-Lab'), 'id', 'lower-case kebab-case'],
  ['id has no double hyphens', changed('id', 'contoso--lab'), 'id', 'lower-case kebab-case'],
  ['id has no spaces', changed('id', 'contoso lab'), 'id', 'lower-case kebab-case'],
  ['id is at most 64 characters', changed('id', 'a'.repeat(65)), 'id', 'at most 64'],
  ['aliases follow the id pattern', changed('aliases', ['GCC']), 'aliases[0]', 'lower-case kebab-case'],
  ['aliases is a list', changed('aliases', 'lab'), 'aliases', 'list of names'],
  [
    'an alias does not repeat the id',
    changed('aliases', ['lab', 'contoso-lab']),
    'aliases[1]',
    'repeats the id',
  ],
  ['aliases are unique', changed('aliases', ['lab', 'lab']), 'aliases[1]', 'repeats the alias'],
  ['displayName is not blank', changed('displayName', '   '), 'displayName', 'must not be empty'],
  [
    'status is active or retired',
    changed('status', { state: 'paused' }),
    'status.state',
    '"active" or "retired"',
  ],
  [
    'a retired date is a real YYYY-MM-DD date',
    changed('status', { state: 'retired', date: '2023-02-30', note: 'x' }),
    'status.date',
    'YYYY-MM-DD',
  ],
  [
    'a retired date is not written another way',
    changed('status', { state: 'retired', date: '29/10/2021', note: 'x' }),
    'status.date',
    'YYYY-MM-DD',
  ],
  [
    'a retired status needs a note',
    changed('status', { state: 'retired', date: '2021-10-29' }),
    'status.note',
    'must be a string',
  ],
  [
    'a REST API is reached over https',
    changed('rest.apiUrl', 'http://outlook.office365.com'),
    'rest.apiUrl',
    'Exchange Online accepts only https',
  ],
  ['a REST scope is <api>/.default', changed('rest.scope', 'Exchange.Manage'), 'rest.scope', '/.default'],
  ['a REST CA is an absolute path', changed('rest.caPath', 'ca.pem'), 'rest.caPath', 'absolute path'],
  [
    'a REST block names its authority',
    changed('rest.authority', undefined),
    'rest.authority',
    'must be a string',
  ],
  [
    'defaultStrategy is rps, module or rest',
    changed('defaultStrategy', 'soap'),
    'defaultStrategy',
    'one of rps, module, rest',
  ],
  [
    'the rest default strategy has its endpoint',
    { ...(changed('rest', undefined) as object), defaultStrategy: 'rest' },
    'rest',
    'defaultStrategy is "rest"',
  ],
  [
    'a REST scope is for the API host',
    changed('rest.scope', 'https://graph.microsoft.com/.default'),
    'rest.scope',
    "the API's own origin",
  ],
  [
    'alternate REST hosts are https',
    changed('rest.alternateApiUrls', ['http://outlook.office365.cn']),
    'rest.alternateApiUrls[0]',
    'must use https',
  ],
  ['the default strategy has its endpoint', changed('rps', undefined), 'rps', 'defaultStrategy is "rps"'],
  [
    'the module default strategy has its endpoint',
    { ...(changed('module', undefined) as object), defaultStrategy: 'module' },
    'module',
    'defaultStrategy is "module"',
  ],
  [
    'a malformed RPS URI',
    changed('rps.connectionUri', 'exchange01/PowerShell'),
    'rps.connectionUri',
    'not a valid',
  ],
  [
    'an RPS URI is http or https',
    changed('rps.connectionUri', 'ftp://exchange01.contoso.local/PowerShell/'),
    'rps.connectionUri',
    'http or https',
  ],
  [
    'no plain http to Exchange Online',
    changed('rps.connectionUri', 'http://outlook.office365.com/powershell-liveid/'),
    'rps.connectionUri',
    'Exchange Online accepts only https',
  ],
  [
    'no credentials in a URI',
    changed('rps.connectionUri', 'https://admin:pw@exchange01.contoso.local/PowerShell/'),
    'rps.connectionUri',
    'user name or password',
  ],
  [
    'RPS authentication is a PowerShell mechanism',
    changed('rps.authentication', 'NTLM'),
    'rps.authentication',
    'Kerberos',
  ],
  [
    'no Basic authentication over plain http',
    changed('rps.authentication', 'Basic'),
    'rps.authentication',
    'clear text',
  ],
  [
    'allowRedirection is a boolean',
    changed('rps.allowRedirection', 'yes'),
    'rps.allowRedirection',
    'true or false',
  ],
  ['requiresUserUri is a boolean', changed('rps.requiresUserUri', 1), 'rps.requiresUserUri', 'true or false'],
  [
    'ExchangeEnvironmentName is one Connect-ExchangeOnline knows',
    changed('module.exchangeEnvironmentName', 'O365USGovGCC'),
    'module.exchangeEnvironmentName',
    /one of O365Default, .*O365GermanyCloud; got "O365USGovGCC"/,
  ],
  [
    'ExchangeEnvironmentName is case-sensitive',
    changed('module.exchangeEnvironmentName', 'o365default'),
    'module.exchangeEnvironmentName',
    'one of O365Default',
  ],
  [
    'a module connection URI is https',
    changed('module.connectionUri', 'http://mail.contoso.com/powershell-liveid/'),
    'module.connectionUri',
    'must use https',
  ],
  [
    'an authorization endpoint is https',
    changed('module.azureADAuthorizationEndpointUri', 'http://login.microsoftonline.com/organizations'),
    'module.azureADAuthorizationEndpointUri',
    'Exchange Online accepts only https',
  ],
  [
    'a compliance endpoint is https',
    changed('compliance.rpsConnectionUri', 'http://ps.compliance.protection.outlook.com/powershell-liveid/'),
    'compliance.rpsConnectionUri',
    'only https',
  ],
  [
    'an EOP endpoint is a URI',
    changed('eop.rpsConnectionUri', 'ps.protection'),
    'eop.rpsConnectionUri',
    'not a valid',
  ],
  [
    'documentation is an https link',
    changed('documentation', 'http://example.com/'),
    'documentation',
    'https',
  ],
  ['documentation is required', changed('documentation', undefined), 'documentation', 'must be a string'],
  ['a prelude lists modules', changed('prelude', { modules: [] }), 'prelude.modules', 'at least one'],
  [
    'a prelude path is absolute',
    changed('prelude', { modules: ['./ExoSandbox.psd1'] }),
    'prelude.modules[0]',
    'absolute path',
  ],
  [
    'a prelude path names a .psd1 manifest',
    changed('prelude', { modules: ['/opt/exo/Lab.psm1'] }),
    'prelude.modules[0]',
    '.psd1',
  ],
  [
    'a prelude module name has no spaces or quotes',
    changed('prelude', { modules: ["Exchange'; Remove-Item"] }),
    'prelude.modules[0]',
    'module name',
  ],
  ['unknown fields are refused', changed('conectionUri', 'x'), 'conectionUri', 'not a known field'],
  ['unknown nested fields are refused', changed('rps.proxy', 'x'), 'rps.proxy', 'not a known field'],
];

describe('environmentSchema refuses', () => {
  it.each(RULES)('%s', (_rule, spec, path, message) => {
    const issues = issuesOf(spec);
    const issue = issues.find((i) => i.path === path);
    expect(issue, `no issue at ${path}: ${JSON.stringify(issues)}`).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('reports every bad field at once, each with its path in the message', () => {
    const spec = {
      ...valid,
      id: 'Bad Id',
      documentation: 'nope',
      rps: { ...valid.rps, authentication: 'NTLM' },
    };
    let message = '';
    try {
      validateEnvironment(spec);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid environment "Bad Id":/);
    expect(message).toContain('\n  id: must be lower-case');
    expect(message).toContain('\n  documentation: is not a valid absolute URI');
    expect(message).toContain('\n  rps.authentication: must be one of');
  });
});
