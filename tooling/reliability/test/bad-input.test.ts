/**
 * Bad input: malformed config files, environment files, proxy URLs, CLI parameters and cmdlet names each give
 * the documented code and a remedy — through the library (the ExoError's code, remediation and field) and
 * through the spawned `exo` (the `✗ CODE: message` and `→ remedy` lines, or the --json error, and the exit
 * code of the table in apps/exo/README.md).
 *
 * Writes results/bad-input.json: { suite, cases: [{ area, input, via, expected, got, ok }] }.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  exitCodeFor,
  formatCmdletArguments,
  loadConfig,
  mergeParameters,
  parseCmdletArguments,
  resolveProfile,
} from '@exo-connect/cli';
import {
  assertCommandName,
  type Connection,
  connect,
  ERROR_CODES,
  type ErrorCode,
  ExoError,
} from '@exo-connect/core';
import { createRegistry } from '@exo-connect/env-endpoints';
import { resolveProxyOptions } from '@exo-connect/proxy-config';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestTenant,
  type ExoResult,
  isolatedEnv,
  prepareIsolatedHome,
  runExo,
  type TestTenant,
  writeResult,
} from './support/common.js';

interface CaseResult {
  area: string;
  input: string;
  via: 'library' | 'exo';
  expected: { code: string; exit?: number };
  got: { code?: string; exit?: number | null; field?: string; remediation?: string };
  ok: boolean;
  problem?: string;
}

const results: CaseResult[] = [];
let home: string;
let env: Record<string, string>;
let tenant: TestTenant;
let configFile: string;

beforeAll(async () => {
  home = await makeTempDir('exo-bad-home-');
  await prepareIsolatedHome(home);
  tenant = await createTestTenant(3);
  env = isolatedEnv(home, { EXO_SANDBOX_DIR: tenant.directory });
  configFile = join(env.EXO_CONFIG_DIR!, 'config.json');
  await mkdir(env.EXO_CONFIG_DIR!, { recursive: true });
});

afterAll(async () => {
  await writeResult('bad-input', {
    suite: 'bad-input',
    generatedAt: new Date().toISOString(),
    total: results.length,
    failed: results.filter((r) => !r.ok).length,
    cases: results,
  });
  await tenant?.remove();
  await rm(home, { recursive: true, force: true });
});

// ---- checking one case ----

interface LibraryExpectation {
  code: ErrorCode;
  /** The field the error names (details.field, or a path among details.issues). */
  field?: string | RegExp;
  /** The remedy: ERROR_CODES[code].remediation, or this more specific text. */
  remedy?: RegExp;
  /** Text the message must not repeat (a password). */
  secret?: string;
}

function fieldsOf(error: ExoError): string[] {
  const details = error.details as { field?: unknown; issues?: Array<{ path?: string } | string> };
  const fields = typeof details.field === 'string' ? [details.field] : [];
  for (const issue of details.issues ?? []) {
    const path = typeof issue === 'string' ? issue : issue.path;
    if (path !== undefined) fields.push(path);
  }
  return fields;
}

/** Runs `act`, which must throw the expected ExoError; records the case. */
async function library(
  area: string,
  input: string,
  expected: LibraryExpectation,
  act: () => unknown,
): Promise<void> {
  let error: unknown;
  try {
    await act();
  } catch (caught) {
    error = caught;
  }
  const problems: string[] = [];
  const got: CaseResult['got'] = {};
  if (!ExoError.is(error)) {
    problems.push(
      error === undefined ? 'no error' : `not an exo-connect error: ${String(error).slice(0, 200)}`,
    );
  } else {
    got.code = error.code;
    got.remediation = error.remediation;
    got.field = fieldsOf(error).join(', ');
    if (error.code !== expected.code) problems.push(`code ${error.code}, expected ${expected.code}`);
    const remedyOk =
      error.remediation === ERROR_CODES[expected.code].remediation ||
      expected.remedy?.test(error.remediation) === true;
    if (!error.remediation || !remedyOk) problems.push(`remedy "${error.remediation}"`);
    if (expected.field !== undefined) {
      const fields = fieldsOf(error);
      const match = (f: string) =>
        typeof expected.field === 'string'
          ? f === expected.field || f.endsWith(expected.field)
          : expected.field!.test(f);
      if (!fields.some(match)) problems.push(`field ${JSON.stringify(fields)}, expected ${expected.field}`);
    }
    if (expected.secret && JSON.stringify({ m: error.message, d: error.details }).includes(expected.secret))
      problems.push('the error repeats the secret');
  }
  results.push({
    area,
    input,
    via: 'library',
    expected: { code: expected.code },
    got,
    ok: problems.length === 0,
    ...(problems.length ? { problem: problems.join('; ') } : {}),
  });
}

interface ExoExpectation {
  /** An ExoError code, or oclif's own outcomes. */
  code: ErrorCode | 'DOCTOR_CHECK_FAILED';
  exit: number;
  /** The remedy line: ERROR_CODES[code].remediation or this. */
  remedy?: RegExp;
  /** Text stdout and stderr must not contain (a password). */
  secret?: string;
  json?: boolean;
}

function presented(run: ExoResult, json: boolean): { code?: string; remediation?: string } {
  if (json) {
    try {
      const parsed = JSON.parse(run.stdout) as { error?: { code: string; remediation: string } };
      return { code: parsed.error?.code, remediation: parsed.error?.remediation };
    } catch {
      return {};
    }
  }
  const line = /^✗ ([A-Z_]+): /m.exec(run.stderr);
  const remedy = /^ {2}→ (.+)$/m.exec(run.stderr);
  return { code: line?.[1], remediation: remedy?.[1] };
}

/** Spawns exo with `args` (and `input` on stdin) and checks the presented error and the exit code. */
async function exo(
  area: string,
  args: string[],
  expected: ExoExpectation,
  options: { input?: string; env?: Record<string, string>; config?: string | null } = {},
): Promise<ExoResult> {
  if (options.config === null) await rm(configFile, { recursive: true, force: true });
  else if (options.config !== undefined) {
    await rm(configFile, { recursive: true, force: true });
    await writeFile(configFile, options.config);
  }
  const run = await runExo(args, { env: options.env ?? env, input: options.input, timeoutMs: 120_000 });
  const problems: string[] = [];
  if (run.code !== expected.exit) problems.push(`exit ${run.code}, expected ${expected.exit}`);
  const got: CaseResult['got'] = { exit: run.code };
  if (expected.code === 'DOCTOR_CHECK_FAILED') {
    if (!/^✗ /m.test(run.stdout) || !/^ {2}→ /m.test(run.stdout)) problems.push('no ✗ check with a → remedy');
  } else {
    const shown = presented(run, expected.json ?? false);
    got.code = shown.code;
    got.remediation = shown.remediation;
    if (shown.code !== expected.code) problems.push(`shown code ${shown.code}, expected ${expected.code}`);
    if (run.code !== exitCodeFor(expected.code))
      problems.push(`exit ${run.code} is not the table's ${exitCodeFor(expected.code)}`);
    const remedyOk =
      shown.remediation === ERROR_CODES[expected.code].remediation ||
      (expected.remedy !== undefined &&
        shown.remediation !== undefined &&
        expected.remedy.test(shown.remediation));
    if (!remedyOk) problems.push(`remedy ${JSON.stringify(shown.remediation)}`);
  }
  if (expected.secret && (run.stdout + run.stderr).includes(expected.secret))
    problems.push('output repeats the secret');
  results.push({
    area,
    input: `exo ${args.map((a) => (/[\s'"]/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ')}`,
    via: 'exo',
    expected: { code: expected.code, exit: expected.exit },
    got,
    ok: problems.length === 0,
    ...(problems.length ? { problem: problems.join('; ') } : {}),
  });
  return run;
}

function failedIn(area: string): CaseResult[] {
  return results.filter((r) => r.area === area && !r.ok);
}

// ---- cases ----

const CONFIG_CASES: Array<[string, string, string | RegExp, RegExp?]> = [
  ['invalid JSON', '{"version":1,', '(root)'],
  ['an empty file', '', '(root)'],
  ['JSON that is not an object', '[1,2]', '(root)'],
  ['version of the wrong type', '{"version":"1","profiles":{}}', 'version'],
  ['profiles of the wrong type', '{"version":1,"profiles":[]}', 'profiles'],
  [
    'an environment of the wrong type',
    '{"version":1,"profiles":{"w":{"environment":5}}}',
    'profiles.w.environment',
  ],
  ['a misspelt field', '{"version":1,"profiles":{"w":{"enviroment":"sandbox"}}}', /enviroment/],
  ['a bad profile name', '{"version":1,"profiles":{"bad name":{"environment":"sandbox"}}}', /profiles/],
  [
    'a bad strategy',
    '{"version":1,"profiles":{"w":{"environment":"sandbox","strategy":"ssh"}}}',
    'profiles.w.strategy',
  ],
  [
    'a bad user principal name',
    '{"version":1,"profiles":{"w":{"environment":"sandbox","userPrincipalName":"bob"}}}',
    'profiles.w.userPrincipalName',
  ],
  [
    'a connectionUri that is no URL',
    '{"version":1,"profiles":{"w":{"environment":"sandbox","connectionUri":"mail"}}}',
    'profiles.w.connectionUri',
  ],
  [
    'currentProfile naming no profile',
    '{"version":1,"currentProfile":"gone","profiles":{}}',
    'currentProfile',
  ],
  [
    'a stored password',
    '{"version":1,"profiles":{"w":{"environment":"sandbox","password":"S3cret-in-file"}}}',
    'profiles.w.password',
    /keychain/,
  ],
  [
    'a password in a proxy URL',
    '{"version":1,"profiles":{"w":{"environment":"sandbox","proxy":{"proxyUrl":"http://u:S3cret-in-url@p:1"}}}}',
    /proxyUrl/,
  ],
];

describe('config files', () => {
  it('each malformed config file gives INVALID_ARGUMENT naming the field, in the library and in exo (exit 2)', async () => {
    const dir = await makeTempDir('exo-bad-config-');
    for (const [name, text, field, remedy] of CONFIG_CASES) {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.json`);
      await writeFile(file, text);
      const secret = /S3cret-[a-z-]+/.exec(text)?.[0];
      await library(
        'config file',
        `${name}: ${text}`,
        { code: 'INVALID_ARGUMENT', field, remedy: remedy ?? /^Correct .+ and try again\.$/, secret },
        () => loadConfig(file),
      );
      await exo(
        'config file',
        ['profile', 'list'],
        { code: 'INVALID_ARGUMENT', exit: 2, remedy: remedy ?? /^Correct .+ and try again\.$/, secret },
        { config: text },
      );
    }
    // The same error as JSON for scripts.
    await exo(
      'config file',
      ['profile', 'list', '--json'],
      { code: 'INVALID_ARGUMENT', exit: 2, json: true, remedy: /^Correct .+ and try again\.$/ },
      { config: '{"version":2}' },
    );
    // A config path that is a directory: unreadable.
    await mkdir(join(dir, 'is-a-dir.json'));
    await library(
      'config file',
      'config.json is a directory',
      { code: 'INVALID_ARGUMENT', remedy: /EXO_CONFIG_DIR/ },
      () => loadConfig(join(dir, 'is-a-dir.json')),
    );
    await rm(configFile, { force: true });
    await mkdir(configFile, { recursive: true });
    await exo('config file', ['profile', 'list'], {
      code: 'INVALID_ARGUMENT',
      exit: 2,
      remedy: /EXO_CONFIG_DIR/,
    });
    await rm(configFile, { recursive: true, force: true });
    // A profile that does not exist.
    const valid = '{"version":1,"currentProfile":"lab","profiles":{"lab":{"environment":"sandbox"}}}';
    await writeFile(join(dir, 'valid.json'), valid);
    const config = await loadConfig(join(dir, 'valid.json'));
    await library(
      'config file',
      'unknown profile "nosuch"',
      { code: 'INVALID_ARGUMENT', remedy: /lab|profile/ },
      () => resolveProfile(config, 'nosuch'),
    );
    await exo(
      'config file',
      ['run', 'Get-Mailbox', '-p', 'nosuch'],
      { code: 'INVALID_ARGUMENT', exit: 2, remedy: /lab|profile/ },
      { config: valid },
    );
    await exo(
      'config file',
      ['profile', 'use', 'nosuch'],
      { code: 'INVALID_ARGUMENT', exit: 2, remedy: /lab|profile/ },
      { config: valid },
    );
    await exo(
      'config file',
      ['profile', 'add', 'bad name', '-e', 'sandbox'],
      { code: 'INVALID_ARGUMENT', exit: 2, remedy: /name/ },
      { config: null },
    );
    await exo(
      'config file',
      ['profile', 'add', 'w', '-e', 'sandbox', '--proxy', 'http://u:S3cret-flag@p:1'],
      {
        code: 'INVALID_ARGUMENT',
        exit: 2,
        remedy: /proxyUrl/,
        secret: 'S3cret-flag',
      },
    );
    await rm(dir, { recursive: true, force: true });
    expect(failedIn('config file')).toEqual([]);
  });
});

describe('environment files and names', () => {
  const valid = {
    id: 'contoso-lab',
    displayName: 'Contoso lab',
    defaultStrategy: 'rps',
    rps: {
      connectionUri: 'https://mail.contoso.localhost/PowerShell/',
      authentication: 'Negotiate',
      allowRedirection: false,
    },
    documentation: 'https://docs.contoso.localhost/exo',
  };
  const withEnv = (patch: Record<string, unknown>) =>
    JSON.stringify({ environments: [{ ...valid, ...patch }] });
  const ENV_CASES: Array<[string, string, string | RegExp]> = [
    ['invalid JSON', '{"environments":[', /\(root\)|environments/],
    ['no environments list', '{"envs":[]}', /envs|environments/],
    ['an unknown field', withEnv({ conectionUri: 'x' }), 'environments[0].conectionUri'],
    ['an id that is not kebab-case', withEnv({ id: 'Contoso Lab' }), 'environments[0].id'],
    [
      'a URI that is no URL',
      withEnv({ rps: { ...valid.rps, connectionUri: 'mail.contoso' } }),
      'environments[0].rps.connectionUri',
    ],
    [
      'plain http to Exchange Online',
      withEnv({ rps: { ...valid.rps, connectionUri: 'http://outlook.office365.com/powershell-liveid/' } }),
      'environments[0].rps.connectionUri',
    ],
    [
      'a URI with credentials',
      withEnv({ rps: { ...valid.rps, connectionUri: 'https://u:p@mail.contoso.localhost/PowerShell/' } }),
      'environments[0].rps.connectionUri',
    ],
    [
      'Basic authentication over http',
      withEnv({
        rps: {
          ...valid.rps,
          connectionUri: 'http://mail.contoso.localhost/PowerShell/',
          authentication: 'Basic',
        },
      }),
      /environments\[0\]\.rps/,
    ],
    [
      'an unknown ExchangeEnvironmentName',
      withEnv({ defaultStrategy: 'module', module: { exchangeEnvironmentName: 'O365Mars' } }),
      'environments[0].module.exchangeEnvironmentName',
    ],
    [
      'a relative prelude path',
      withEnv({ prelude: { modules: ['./Lab.psd1'] } }),
      'environments[0].prelude.modules[0]',
    ],
    [
      'a retired status without a date',
      withEnv({ status: { state: 'retired' } }),
      /environments\[0\]\.status/,
    ],
    ['an id taken by a built-in', withEnv({ id: 'worldwide' }), 'environments[0].id'],
    ['the same id twice', JSON.stringify({ environments: [valid, valid] }), /environments\[1\]\.id/],
  ];

  it('loadEnvironments refuses each malformed file with INVALID_ARGUMENT naming the file and field; nothing is registered', async () => {
    const dir = await makeTempDir('exo-bad-env-');
    const registry = createRegistry();
    const before = registry.list().length;
    for (const [name, text, field] of ENV_CASES) {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.json`);
      await writeFile(file, text);
      await library(
        'environment file',
        `${name}: ${text.slice(0, 160)}`,
        { code: 'INVALID_ARGUMENT', field, remedy: /^Correct .+ and try again\.$/ },
        async () => {
          try {
            await registry.load(file);
          } catch (error) {
            if (error instanceof Error && !error.message.includes(file))
              throw new Error(`the message does not name ${file}`);
            throw error;
          }
        },
      );
    }
    await library(
      'environment file',
      'a file that does not exist',
      { code: 'INVALID_ARGUMENT', remedy: /path/ },
      () => registry.load(join(dir, 'missing.json')),
    );
    expect(registry.list().length).toBe(before);
    await rm(dir, { recursive: true, force: true });
    expect(failedIn('environment file')).toEqual([]);
  });

  it('unknown and retired environment names give UNKNOWN_ENVIRONMENT and ENVIRONMENT_RETIRED (exit 2)', async () => {
    await library('environment name', 'mars', { code: 'UNKNOWN_ENVIRONMENT' }, () =>
      connect({ environment: 'mars' }),
    );
    await library('environment name', 'germany', { code: 'ENVIRONMENT_RETIRED' }, () =>
      connect({ environment: 'germany' }),
    );
    await exo(
      'environment name',
      ['endpoints', 'show', 'mars'],
      { code: 'UNKNOWN_ENVIRONMENT', exit: 2 },
      { config: null },
    );
    await exo('environment name', ['run', 'Get-Mailbox', '-e', 'mars'], {
      code: 'UNKNOWN_ENVIRONMENT',
      exit: 2,
    });
    await exo('environment name', ['run', 'Get-Mailbox', '-e', 'germany'], {
      code: 'ENVIRONMENT_RETIRED',
      exit: 2,
    });
    await exo('environment name', ['profile', 'add', 'w', '-e', 'mars'], {
      code: 'UNKNOWN_ENVIRONMENT',
      exit: 2,
    });
    expect(failedIn('environment name')).toEqual([]);
  });
});

describe('proxy URLs', () => {
  const PROXY_CASES: Array<
    [string, Record<string, unknown>, Record<string, string>, ErrorCode, string | RegExp, string?]
  > = [
    ['an ftp scheme', { proxyUrl: 'ftp://proxy.contoso.localhost:21' }, {}, 'INVALID_ARGUMENT', 'proxyUrl'],
    ['white space', { proxyUrl: 'http://proxy contoso:8080' }, {}, 'INVALID_ARGUMENT', 'proxyUrl'],
    ['a path', { proxyUrl: 'http://proxy.contoso.localhost:8080/pac' }, {}, 'INVALID_ARGUMENT', 'proxyUrl'],
    [
      'a port out of range',
      { proxyUrl: 'http://u:Pr0xy-S3cret@proxy.contoso.localhost:99999' },
      {},
      'INVALID_ARGUMENT',
      'proxyUrl',
      'Pr0xy-S3cret',
    ],
    [
      'a host name .NET cannot read',
      { proxyUrl: "http://prox'y.contoso:8080" },
      {},
      'INVALID_ARGUMENT',
      'proxyUrl',
    ],
    ['garbage', { proxyUrl: '$(New-Item x)://;|&' }, {}, 'INVALID_ARGUMENT', 'proxyUrl'],
    [
      'a user without a password',
      { proxyUrl: 'http://alice@proxy.contoso.localhost:8080' },
      {},
      'INVALID_ARGUMENT',
      'proxyUrl',
    ],
    [
      'credentials in the URL and as a flag',
      {
        proxyUrl: 'http://u:Pr0xy-S3cret2@proxy.contoso.localhost:8080',
        credential: { userName: 'v', password: 'w' },
      },
      {},
      'INVALID_ARGUMENT',
      /credential|proxyUrl/,
      'Pr0xy-S3cret2',
    ],
    [
      'a bad bypass entry',
      { proxyUrl: 'http://proxy.contoso.localhost:8080', bypass: ['fd00::/8'] },
      {},
      'INVALID_ARGUMENT',
      /bypass/,
    ],
    ['a malformed HTTPS_PROXY', {}, { HTTPS_PROXY: 'http://proxy contoso' }, 'INVALID_ARGUMENT', /proxyUrl/],
    ['IEConfig on Linux', { accessType: 'IEConfig' }, {}, 'PROXY_UNSUPPORTED', 'accessType'],
    ['an unknown access type', { accessType: 'Telepathy' }, {}, 'INVALID_ARGUMENT', 'accessType'],
  ];

  it('proxy-config refuses each with the documented code, naming the field, never echoing a password', async () => {
    for (const [name, flags, envVars, code, field, secret] of PROXY_CASES) {
      await library(
        'proxy URL',
        `${name}: ${JSON.stringify({ flags, env: envVars })}`,
        { code, field, secret, remedy: /./ },
        () => resolveProxyOptions({ flags: flags as never, env: envVars, platform: 'linux' }),
      );
    }
    expect(failedIn('proxy URL')).toEqual([]);
  });

  it('exo refuses them with exit 2 (run, profile add) and exo doctor marks the proxy check ✗ (exit 1)', async () => {
    await exo(
      'proxy URL (exo)',
      ['run', 'Get-Mailbox', '--proxy', 'ftp://proxy.contoso.localhost:21'],
      { code: 'INVALID_ARGUMENT', exit: 2, remedy: /./ },
      { config: null },
    );
    await exo('proxy URL (exo)', ['run', 'Get-Mailbox', '--proxy-access-type', 'IEConfig'], {
      code: 'PROXY_UNSUPPORTED',
      exit: 2,
      remedy: /./,
    });
    await exo(
      'proxy URL (exo)',
      ['run', 'Get-Mailbox'],
      { code: 'INVALID_ARGUMENT', exit: 2, remedy: /./, secret: 'Pr0xy-S3cret3' },
      {
        env: { ...env, HTTPS_PROXY: 'http://u:Pr0xy-S3cret3@proxy contoso:8080' },
      },
    );
    await exo(
      'proxy URL (exo)',
      ['profile', 'add', 'p', '-e', 'sandbox', '--proxy', 'http://u:Pr0xy-S3cret4@p:1'],
      {
        code: 'INVALID_ARGUMENT',
        exit: 2,
        remedy: /proxyUrl/,
        secret: 'Pr0xy-S3cret4',
      },
    );
    await exo('proxy URL (exo)', ['doctor', '--proxy', 'ftp://proxy.contoso.localhost:21'], {
      code: 'DOCTOR_CHECK_FAILED',
      exit: 1,
    });
    expect(failedIn('proxy URL (exo)')).toEqual([]);
  });
});

describe('CLI parameters', () => {
  const PARAMETER_CASES: Array<[string, string[], RegExp]> = [
    ['two dashes', ['--Name', 'x'], /one dash|-Name/],
    ['a name given twice (any case)', ['-Name', 'x', '-name', 'y'], /once/],
    ['a value without a name', ['-A', '1', 'bare'], /Name each value/],
    ['a bad parameter name', ['-Na;me', 'x'], /./],
    ['an empty list item', ['-Tags', 'a,,b'], /./],
    ['a trailing comma', ['-Tags', 'a,'], /./],
  ];

  it('parseCmdletArguments and --params-json refuse malformed parameters with INVALID_ARGUMENT (exit 2, before connecting)', async () => {
    for (const [name, argv, remedy] of PARAMETER_CASES) {
      await library(
        'CLI parameters',
        `${name}: ${JSON.stringify(argv)}`,
        { code: 'INVALID_ARGUMENT', remedy },
        () => parseCmdletArguments(argv),
      );
      await exo(
        'CLI parameters',
        ['run', 'Get-Mailbox', '--', ...argv],
        { code: 'INVALID_ARGUMENT', exit: 2, remedy },
        { config: null },
      );
    }
    const JSON_CASES: Array<[string, string, string[]]> = [
      ['not JSON', '{bad', []],
      ['an array', '[1]', []],
      ['null', 'null', []],
      ['a number out of range', '{"ResultSize":1e400}', []],
      ['a bad name', '{"Result Size":1}', []],
      ['a name also in argv', '{"identity":"y"}', ['-Identity', 'x']],
    ];
    for (const [name, json, argv] of JSON_CASES) {
      await library(
        'CLI parameters',
        `--params-json ${name}: ${json}`,
        { code: 'INVALID_ARGUMENT', remedy: /params-json|once/ },
        () => mergeParameters(parseCmdletArguments(argv), json),
      );
      await exo('CLI parameters', ['run', 'Get-Mailbox', '--params-json', json, '--', ...argv], {
        code: 'INVALID_ARGUMENT',
        exit: 2,
        remedy: /params-json|once/,
      });
    }
    await library(
      'CLI parameters',
      'an object has no argv form',
      { code: 'INVALID_ARGUMENT', remedy: /./ },
      () => formatCmdletArguments({ EmailAddresses: { Add: ['smtp:a@b.example'] } }),
    );
    await exo('CLI parameters', ['run', 'Get-Mailbox', '-o', 'xml'], {
      code: 'INVALID_ARGUMENT',
      exit: 2,
      remedy: /table, json, ndjson, csv/,
    });
    // A bad flag and an unknown command are INVALID_ARGUMENT (exit 2), printed like any error (apps/exo README).
    const usage = { code: 'INVALID_ARGUMENT', exit: 2, remedy: /--help|exo help/ } as const;
    await exo('CLI parameters', ['run', 'Get-Mailbox', '--strategy', 'ssh'], usage);
    await exo('CLI parameters', ['run', 'Get-Mailbox', '--result-timeout', 'soon'], usage);
    await exo('CLI parameters', ['run', 'Get-Mailbox', '--no-such-flag'], usage);
    await exo('CLI parameters', ['frobnicate'], usage);
    expect(failedIn('CLI parameters')).toEqual([]);
  });

  it('an unterminated quote is data, as documented (the grammar never fails on quotes)', () => {
    const parsed = parseCmdletArguments(['-Filter', "Name -eq 'unterminated", '-Tags', "'a,b"]);
    const ok = parsed.Filter === "Name -eq 'unterminated" && parsed.Tags === "'a,b";
    results.push({
      area: 'CLI parameters',
      input: `unterminated quotes: ${JSON.stringify(['-Filter', "Name -eq 'unterminated", '-Tags', "'a,b"])}`,
      via: 'library',
      expected: { code: 'ACCEPTED (verbatim string)' },
      got: { code: JSON.stringify(parsed) },
      ok,
    });
    expect(ok).toBe(true);
  });

  it('a lone surrogate in --params-json is refused with INVALID_ARGUMENT (exit 2), not altered', async () => {
    await exo(
      'CLI parameters (lone surrogate)',
      ['run', 'Write-Output', '-o', 'json', '--params-json', JSON.stringify({ InputObject: 'a\ud800b' })],
      { code: 'INVALID_ARGUMENT', exit: 2 },
    );
    expect(failedIn('CLI parameters (lone surrogate)')).toEqual([]);
  });
});

describe('cmdlet names', () => {
  const NAMES = [
    'Get-Mailbox;rm',
    '',
    'Get-Mailbox|Remove-Mailbox',
    '$(Get-Mailbox)',
    'Get-Mailbox -Identity x',
    '../evil.ps1',
    'Get-Mailbox`n',
    'GetMailbox',
    'Get-',
  ];
  let exoConnection: Connection | undefined;

  afterAll(async () => {
    await exoConnection?.disconnect();
  });

  it('a name that is not Verb-Noun is INVALID_ARGUMENT, in the library, on a connection and in exo (exit 2, before connecting)', async () => {
    // Opted in to local commands, so that well-formed names reach pwsh's own lookup (Get-NoSuchCmdlet,
    // Invoke-Expression below); exo run keeps the default, and refuses them (COMMAND_NOT_ALLOWED).
    exoConnection = await connect(tenant.options({ allowLocalCommands: true }));
    for (const name of NAMES) {
      await library(
        'cmdlet name',
        JSON.stringify(name),
        { code: 'INVALID_ARGUMENT', field: /command|cmdlet/ },
        () => assertCommandName(name),
      );
      await library(
        'cmdlet name',
        `${JSON.stringify(name)} on a connection`,
        { code: 'INVALID_ARGUMENT', field: 'command' },
        () => exoConnection!.invoke(name),
      );
      await exo('cmdlet name', ['run', name], { code: 'INVALID_ARGUMENT', exit: 2 }, { config: null });
    }
    expect(failedIn('cmdlet name')).toEqual([]);
  });

  it('a well-formed name that is no command is CMDLET_ERROR where local commands are allowed, COMMAND_NOT_ALLOWED in exo (exit 2)', async () => {
    await library('cmdlet name', 'Get-NoSuchCmdlet on a connection', { code: 'CMDLET_ERROR' }, () =>
      exoConnection!.invoke('Get-NoSuchCmdlet'),
    );
    await exo('cmdlet name', ['run', 'Get-NoSuchCmdlet'], {
      code: 'COMMAND_NOT_ALLOWED',
      exit: 2,
      remedy: /--allow-command Get-NoSuchCmdlet/,
    });
    await exo('cmdlet name', ['run', 'Invoke-Expression', '--', '-Command', '6 * 7'], {
      code: 'COMMAND_NOT_ALLOWED',
      exit: 2,
      remedy: /--allow-command Invoke-Expression/,
    });
    expect(failedIn('cmdlet name')).toEqual([]);
  });

  it('Invoke-Expression runs only where the caller opted in to local commands', async () => {
    // Recorded as observed behaviour: with allowLocalCommands the caller chose to run code in the local host.
    const rows = await exoConnection!.invoke('Invoke-Expression', { Command: '6 * 7' });
    results.push({
      area: 'cmdlet name',
      input: "Invoke-Expression -Command '6 * 7' on a connection",
      via: 'library',
      expected: { code: 'ACCEPTED (allowLocalCommands: runs in the local host)' },
      got: { code: JSON.stringify(rows) },
      ok: JSON.stringify(rows) === '[42]',
    });
    expect(rows).toEqual([42]);
  });
});
