/**
 * Injection: generated strings full of PowerShell, OPATH and shell syntax travel every path that carries user
 * data into pwsh and must arrive as the same data (or be refused with a typed error), and nothing may run:
 * payloads carry commands that would create a file in a canary directory, which must stay empty.
 *
 * Writes results/injection.json: { suite, seed, paths: [{ path, values, failures }], canaryTriggered }.
 * Replay a run with EXO_FC_SEED=<seed>.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  addProfile,
  type ExoConfig,
  emptyConfig,
  formatCmdletArguments,
  type JsonValue,
  loadConfig,
  PROFILE_NAME,
  parseCmdletArguments,
  saveConfig,
} from '@exo-connect/cli';
import {
  type Connection,
  type ConnectOptions,
  connect,
  ExoError,
  type Frame,
  PwshBridge,
  type SecretValue,
} from '@exo-connect/core';
import { createRegistry, type EnvironmentSpec, validateEnvironment } from '@exo-connect/env-endpoints';
import {
  type ProxyOptionsInput,
  renderHttpProxy,
  renderSessionOption,
  resolveProxyOptions,
} from '@exo-connect/proxy-config';
import {
  SANDBOX_CONNECTION_URI,
  SANDBOX_DEMO_CREDENTIAL,
  type SandboxServer,
  sandboxEnvironment,
  startSandboxServer,
} from '@exo-connect/sandbox';
import { makeTempDir } from '@exo-connect/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestTenant,
  isolatedEnv,
  prepareIsolatedHome,
  runExo,
  type TestTenant,
  writeResult,
} from './support/common.js';
import {
  type Canary,
  createCanary,
  describeValue,
  illFormedString,
  injectionString,
  isWellFormed,
  longStrings,
  opathQuote,
} from './support/inj-payloads.js';
import { Tally } from './support/inj-tally.js';
import { createSandboxAccounts, type SandboxAccount } from './support/sec-sandbox-user.js';

const SEED = Number(process.env.EXO_FC_SEED) || Math.floor(Math.random() * 0x7fffffff);
const tally = new Tally();
const started = Date.now();

let tenant: TestTenant;
let canary: Canary;
let exo: Connection;
let home: string;
let cliEnv: Record<string, string>;
let payloadAccount: SandboxAccount;

/** `n` values from `arbitrary`, reproducible from the run's seed (`stream` separates the tests' streams). */
function sample<T>(arbitrary: fc.Arbitrary<T>, n: number, stream: number): T[] {
  return fc.sample(arbitrary, { numRuns: n, seed: SEED + stream });
}

/** The codes and messages down an error's cause chain: what the transport saw under an ExoError. */
function causes(error: unknown): string {
  const found: string[] = [];
  for (let at = (error as Error)?.cause, depth = 0; at && depth < 4; depth++) {
    const { code, message } = at as { code?: unknown; message?: unknown };
    found.push([code, String(message ?? at).slice(0, 120)].filter(Boolean).join(' '));
    at = (at as Error).cause;
  }
  return found.length ? ` (cause: ${found.join(' ← ')})` : '';
}

function failureText(error: unknown): string {
  if (ExoError.is(error)) return `${error.code}: ${error.message.slice(0, 200)}${causes(error)}`;
  return `non-ExoError ${(error as Error)?.name}: ${String((error as Error)?.message ?? error).slice(0, 200)}`;
}

async function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

beforeAll(async () => {
  tenant = await createTestTenant(5);
  canary = await createCanary();
  home = await makeTempDir('exo-inj-home-');
  await prepareIsolatedHome(home);
  cliEnv = isolatedEnv(home, { EXO_SANDBOX_DIR: tenant.directory });
  // An account whose password is itself a payload: every quote form, a subexpression, non-BMP text.
  payloadAccount = {
    name: 'fcpayload',
    userPrincipalName: 'fcpayload@sandbox.exo.localhost',
    password: `P‘’'"“”„$(New-Item -ItemType File -Path '${join(canary.dir, 'pw')}');\`n|&😀`,
  };
  await createSandboxAccounts(tenant.env, [payloadAccount]);
  // Write-Output is the echo, and generated names must reach pwsh's own command lookup: this suite checks
  // that values stay data, so it opts in to local commands (the command surface has its own tests in core).
  exo = await connect(tenant.options({ strategy: 'rps', allowLocalCommands: true }));
  await exo.invoke('New-Mailbox', { Shared: true, Name: 'fcx', Alias: 'fcx', DisplayName: 'fcx' });
});

afterAll(async () => {
  await exo?.disconnect();
  const fired = canary ? await canary.fired() : [];
  await writeResult('injection', {
    suite: 'injection',
    seed: SEED,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    totalValues: tally.total,
    paths: tally.paths,
    canaryTriggered: fired.length > 0,
    canaryFiles: fired,
  });
  await canary?.remove();
  await tenant?.remove();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the bridge: data in, the same data out', () => {
  it('echoes 10,000 generated strings unchanged through a real connection (Write-Output, 100 per request)', async () => {
    const values = sample(injectionString(canary), 10_000, 1);
    const failures: string[] = [];
    for (let i = 0; i < values.length; i += 100) {
      const batch = values.slice(i, i + 100);
      const result = await settle(exo.invoke<string>('Write-Output', { InputObject: batch }));
      if (!result.ok) {
        failures.push(`batch ${i / 100}: ${failureText(result.error)}`);
        continue;
      }
      if (result.value.length !== batch.length)
        failures.push(`batch ${i / 100}: ${result.value.length} rows for ${batch.length} values`);
      batch.forEach((value, j) => {
        if (result.value[j] !== value)
          failures.push(`${describeValue(value)} came back as ${describeValue(result.value[j])}`);
      });
    }
    tally.record('bridge: Write-Output echo through a sandbox connection', values.length, failures);
    expect(failures).toEqual([]);
  });

  it('echoes generated nested objects (keys and values are data too)', async () => {
    const key = fc.oneof(
      injectionString(canary, { maxLength: 16, long: false }),
      fc.constantFrom('$exoSecret', '$exoRef', 'K', 'k', ''),
    );
    const leaf = fc.oneof(
      injectionString(canary, { maxLength: 40, long: false }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    const objects = sample(
      fc.dictionary(key, fc.oneof(leaf, fc.array(leaf, { minLength: 1, maxLength: 3 })), {
        minKeys: 1,
        maxKeys: 6,
      }),
      300,
      2,
    );
    const failures: string[] = [];
    let count = 0;
    for (const object of objects) {
      count += Object.keys(object).length * 2;
      const result = await settle(exo.invoke('Write-Output', { InputObject: { d: object as JsonValue } }));
      if (!result.ok) failures.push(`${describeValue(object)}: ${failureText(result.error)}`);
      else if (!sameJson(result.value, [{ d: object }]))
        failures.push(`${describeValue(object)} came back as ${describeValue(result.value)}`);
    }
    tally.record('bridge: nested objects (generated keys and values)', count, failures);
    expect(failures).toEqual([]);
  });

  it('refuses strings that are not well-formed UTF-16 with INVALID_ARGUMENT instead of altering them', async () => {
    const values = sample(illFormedString, 200, 3);
    const failures: string[] = [];
    for (const value of values) {
      const result = await settle(exo.invoke<string>('Write-Output', { InputObject: [value] }));
      if (result.ok) {
        if (result.value[0] !== value)
          failures.push(`${describeValue(value)} was altered to ${describeValue(result.value[0])}`);
      } else if (!ExoError.is(result.error, 'INVALID_ARGUMENT')) {
        failures.push(`${describeValue(value)}: ${failureText(result.error)}`);
      }
    }
    tally.record('bridge: ill-formed UTF-16 (lone surrogates)', values.length, failures);
    expect(failures).toEqual([]);
    // The connection is still usable after the refusals.
    expect(await exo.invoke('Write-Output', { InputObject: 'still here' })).toEqual(['still here']);
  });

  it('checks cmdlet and parameter names on the way in: a name is a name or an INVALID_ARGUMENT', async () => {
    const names = sample(
      fc.oneof(
        injectionString(canary, { maxLength: 30, long: false })
          .filter((s) => s.length > 0)
          .map((s) => `Get-Mailbox${s}`),
        injectionString(canary, { maxLength: 30, long: false }),
        fc.stringMatching(/^Get-ExoFuzz[A-Za-z0-9_]{0,12}$/),
        fc.constantFrom(
          'Get-Mailbox;rm -rf /',
          'Get-Mailbox|Remove-Mailbox',
          '',
          '-',
          'Get-',
          '&',
          '.\\x.ps1',
        ),
      ),
      300,
      4,
    );
    const verbNoun = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z][A-Za-z0-9_]*$/;
    const failures: string[] = [];
    for (const name of names) {
      const asCommand = await settle(exo.invoke(name, {}));
      const asParameter = await settle(exo.invoke('Write-Output', { InputObject: 'x', [name]: 'x' }));
      if (verbNoun.test(name)) {
        // A well-formed name that is no command: pwsh looks it up and reports it, runs nothing.
        if (asCommand.ok || !ExoError.is(asCommand.error, 'CMDLET_ERROR'))
          failures.push(
            `command ${describeValue(name)}: ${asCommand.ok ? 'ran' : failureText(asCommand.error)}`,
          );
      } else if (asCommand.ok || !ExoError.is(asCommand.error, 'INVALID_ARGUMENT')) {
        failures.push(
          `command ${describeValue(name)}: ${asCommand.ok ? 'ran' : failureText(asCommand.error)}`,
        );
      }
      // A well-formed parameter name goes to pwsh's binder (which may know it); any other is refused.
      if (/^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(name)) {
        if (!asParameter.ok && !ExoError.is(asParameter.error))
          failures.push(`parameter ${describeValue(name)}: ${failureText(asParameter.error)}`);
      } else if (asParameter.ok || !ExoError.is(asParameter.error, 'INVALID_ARGUMENT')) {
        failures.push(
          `parameter ${describeValue(name)}: ${asParameter.ok ? 'accepted' : failureText(asParameter.error)}`,
        );
      }
    }
    tally.record('bridge: cmdlet and parameter names', names.length * 2, failures);
    expect(failures).toEqual([]);
  });
});

describe('the sandbox Exchange cmdlets (through the imported PSSession)', () => {
  const PROPERTIES = [
    'DisplayName',
    'Office',
    ...Array.from({ length: 15 }, (_, i) => `CustomAttribute${i + 1}`),
  ];

  it('Set-Mailbox then Get-Mailbox gives back every generated value unchanged', async () => {
    const value = injectionString(canary, { maxLength: 256, long: false });
    // Exchange refuses an empty DisplayName ("The DisplayName property can't be empty."), as documented.
    const row = fc.tuple(
      value.filter((s) => s.length > 0),
      ...PROPERTIES.slice(1).map(() => value),
    );
    const rows = sample(row, 40, 5);
    const failures: string[] = [];
    for (const values of rows) {
      const parameters: Record<string, string> = { Identity: 'fcx' };
      PROPERTIES.forEach((name, i) => {
        parameters[name] = values[i]!;
      });
      const set = await settle(exo.invoke('Set-Mailbox', parameters));
      if (!set.ok) {
        failures.push(`Set-Mailbox ${describeValue(values)}: ${failureText(set.error)}`);
        continue;
      }
      const [mailbox] = await exo.invoke<Record<string, unknown>>('Get-Mailbox', { Identity: 'fcx' });
      PROPERTIES.forEach((name, i) => {
        if (mailbox?.[name] !== values[i])
          failures.push(`${name} ${describeValue(values[i])} came back as ${describeValue(mailbox?.[name])}`);
      });
    }
    tally.record(
      'sandbox: Set-Mailbox → Get-Mailbox (17 properties)',
      rows.length * PROPERTIES.length,
      failures,
    );
    expect(failures).toEqual([]);
  });

  it('New-Mailbox keeps a generated DisplayName', async () => {
    const names = sample(
      injectionString(canary, { maxLength: 256, long: false }).filter((s) => s.length > 0),
      25,
      6,
    );
    const failures: string[] = [];
    for (const [i, displayName] of names.entries()) {
      const alias = `fcnew${i}`;
      const created = await settle(
        exo.invoke('New-Mailbox', { Shared: true, Name: alias, Alias: alias, DisplayName: displayName }),
      );
      if (!created.ok) {
        failures.push(`New-Mailbox ${describeValue(displayName)}: ${failureText(created.error)}`);
        continue;
      }
      const [back] = await exo.invoke<{ DisplayName: string }>('Get-Mailbox', { Identity: alias });
      if (back?.DisplayName !== displayName)
        failures.push(`${describeValue(displayName)} came back as ${describeValue(back?.DisplayName)}`);
    }
    tally.record('sandbox: New-Mailbox -DisplayName', names.length, failures);
    expect(failures).toEqual([]);
  });

  it('Get-Mailbox -Filter finds a value quoted as OPATH text, and a raw payload filter runs nothing', async () => {
    const values = sample(
      injectionString(canary, { maxLength: 120, long: false }).filter((s) => s.length > 0),
      50,
      7,
    );
    const failures: string[] = [];
    for (const value of values) {
      await exo.invoke('Set-Mailbox', { Identity: 'fcx', DisplayName: value });
      const found = await settle(
        exo.invoke<{ Alias: string }>('Get-Mailbox', { Filter: `DisplayName -eq ${opathQuote(value)}` }),
      );
      if (!found.ok) failures.push(`quoted ${describeValue(value)}: ${failureText(found.error)}`);
      else if (!found.value.some((m) => m.Alias === 'fcx'))
        failures.push(`quoted ${describeValue(value)}: fcx not found (${found.value.length} rows)`);
    }
    // Unquoted: the filter text is the payload itself. OPATH parses it (or refuses it); it never runs.
    const raw = sample(injectionString(canary, { maxLength: 120, long: false }), 40, 8);
    for (const filter of raw) {
      for (const text of [filter, `DisplayName -eq ${filter}`]) {
        const result = await settle(exo.invoke('Get-Mailbox', { Filter: text, ResultSize: 5 }));
        if (!result.ok && !ExoError.is(result.error, 'CMDLET_ERROR'))
          failures.push(`raw ${describeValue(text)}: ${failureText(result.error)}`);
      }
    }
    tally.record('sandbox: Get-Mailbox -Filter (OPATH)', values.length + raw.length * 2, failures);
    expect(failures).toEqual([]);
    expect(await canary.fired()).toEqual([]);
  });
});

/** Runs one bridge request and collects its frames. */
async function request(
  bridge: PwshBridge,
  command: string,
  parameters: Record<string, unknown>,
  secrets?: Record<string, SecretValue>,
): Promise<{ frames: Frame[]; ok: boolean }> {
  const frames: Frame[] = [];
  const iterator = bridge.request(command, parameters as never, secrets ? { secrets } : {});
  let step = await iterator.next();
  while (!step.done) {
    frames.push(step.value);
    step = await iterator.next();
  }
  return { frames, ok: step.value.ok };
}

function outputs(frames: Frame[]): unknown[] {
  return frames.flatMap((f) => (f.t === 'o' ? [f.v] : []));
}

describe('the sandbox REST face (startSandboxServer): values are data over HTTPS too', () => {
  let server: SandboxServer;
  let ca: string;
  const post = (url: string, headers: Record<string, string>, body: string) =>
    new Promise<{ status: number; json: () => any }>((resolve, reject) => {
      const req = httpsRequest(url, { method: 'POST', headers, ca });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(text) });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const token = async (username: string, password: string) =>
    post(
      `${server.authorityUrl}/${server.tenantId}/oauth2/v2.0/token`,
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({
        grant_type: 'password',
        client_id: 'fb78d390-0c51-40cd-8e17-fdbfab77341b',
        scope: server.scope,
        username,
        password,
      }).toString(),
    );

  beforeAll(async () => {
    server = await startSandboxServer({ directory: tenant.directory, env: tenant.env, workers: 1 });
    ca = await readFile(server.caPath, 'utf8');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('signs in with the payload password, and Set-Mailbox over REST stores generated values both faces read back', async () => {
    const signIn = await token(payloadAccount.userPrincipalName, payloadAccount.password);
    expect(signIn.status).toBe(200);
    const admin = await token('admin@sandbox.exo.localhost', 'Sandbox-Demo-Pa55!');
    const headers = {
      authorization: `Bearer ${admin.json().access_token}`,
      'x-anchormailbox': 'UPN:admin@sandbox.exo.localhost',
      'content-type': 'application/json',
    };
    const invoke = (cmdlet: string, parameters: Record<string, unknown>) =>
      post(
        `${server.adminUrl}/adminapi/beta/${server.tenantId}/InvokeCommand`,
        headers,
        JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
      );
    const names = [
      'DisplayName',
      'Office',
      ...Array.from({ length: 15 }, (_, i) => `CustomAttribute${i + 1}`),
    ];
    const value = injectionString(canary, { maxLength: 256, long: false });
    const rows = sample(
      fc.tuple(
        value.filter((v) => v.length > 0),
        ...names.slice(1).map(() => value),
      ),
      30,
      40,
    );
    const failures: string[] = [];
    for (const values of rows) {
      const parameters: Record<string, string> = { Identity: 'fcx' };
      names.forEach((name, i) => {
        parameters[name] = values[i]!;
      });
      const set = await invoke('Set-Mailbox', parameters);
      if (set.status !== 200) {
        failures.push(`Set-Mailbox ${describeValue(values)}: HTTP ${set.status}`);
        continue;
      }
      const viaRest = (await invoke('Get-Mailbox', { Identity: 'fcx' })).json().value?.[0] as Record<
        string,
        unknown
      >;
      const [viaSession] = await exo.invoke<Record<string, unknown>>('Get-Mailbox', { Identity: 'fcx' });
      names.forEach((name, i) => {
        if (viaRest?.[name] !== values[i])
          failures.push(
            `REST ${name} ${describeValue(values[i])} came back as ${describeValue(viaRest?.[name])}`,
          );
        if (viaSession?.[name] !== values[i])
          failures.push(
            `PSSession ${name} ${describeValue(values[i])} came back as ${describeValue(viaSession?.[name])}`,
          );
      });
    }
    // Payloads as cmdlet and parameter names: the service's 400 with PowerShell's texts, nothing run.
    for (const name of sample(
      value.filter((v) => v.length > 0),
      20,
      41,
    )) {
      const asCmdlet = await invoke(name, {});
      if (asCmdlet.status !== 400) failures.push(`cmdlet ${describeValue(name)}: HTTP ${asCmdlet.status}`);
      const asParameter = await invoke('Get-Mailbox', { [name]: 'x' });
      // (A plain word may abbreviate a real parameter, -Anr or -Filter, as PowerShell's binder allows.)
      if (asParameter.status === 200 && !/^[A-Za-z]+$/.test(name))
        failures.push(`parameter ${describeValue(name)} was accepted`);
    }
    tally.record(
      'sandbox REST: Set-Mailbox → Get-Mailbox over REST and PSSession (17 properties)',
      rows.length * names.length + 40,
      failures,
    );
    expect(failures).toEqual([]);
  });
});

describe("core's rest strategy end to end: values are data through connect({ strategy: 'rest' })", () => {
  const PROPERTIES = [
    'DisplayName',
    'Office',
    ...Array.from({ length: 15 }, (_, i) => `CustomAttribute${i + 1}`),
  ];
  /** Ten mailboxes, so that one $batch request of 10 writes 170 values. */
  const ALIASES = Array.from({ length: 10 }, (_, i) => `fcrest${i}`);
  let server: SandboxServer;
  let rest: Connection;
  // argv cannot carry NUL, and neither can the parameters of a cmdlet the service runs: NUL-free values.
  const value = () => injectionString(canary, { maxLength: 256, long: false, nul: false });
  const row = () =>
    fc.tuple(
      value().filter((s) => s.length > 0),
      ...PROPERTIES.slice(1).map(() => value()),
    );
  const parametersOf = (identity: string, values: readonly string[]) => {
    const parameters: Record<string, string> = { Identity: identity };
    PROPERTIES.forEach((name, i) => {
      parameters[name] = values[i]!;
    });
    return parameters;
  };
  const compare = (failures: string[], via: string, mailbox: unknown, values: readonly string[]) => {
    const got = mailbox as Record<string, unknown> | undefined;
    PROPERTIES.forEach((name, i) => {
      if (got?.[name] !== values[i])
        failures.push(
          `${via} ${name} ${describeValue(values[i])} came back as ${describeValue(got?.[name])}`,
        );
    });
  };

  beforeAll(async () => {
    server = await startSandboxServer({ directory: tenant.directory, env: tenant.env, workers: 1 });
    rest = await connect({
      environment: sandboxEnvironment({ server }),
      strategy: 'rest',
      credential: SANDBOX_DEMO_CREDENTIAL,
      env: tenant.env,
      handleSignals: false,
    });
    const created = await rest.batch(
      ALIASES.map((alias) => ({
        cmdlet: 'New-Mailbox',
        parameters: { Shared: true, Name: alias, Alias: alias, DisplayName: alias },
      })),
    );
    expect(created.filter((r) => !r.ok)).toEqual([]);
  }, 180_000);
  afterAll(async () => {
    await rest?.disconnect();
    await server?.stop();
  });

  // This case found a race: the first Set-Mailbox after beforeAll's 8-second $batch went out on a pooled socket
  // the server (then 5 s keep-alive) had just closed, was reset, and core rightly did not resend the write
  // (SESSION_BROKEN). Fixed by the sandbox keeping idle connections 120 s (IIS's default) and core's client
  // giving one up after 30 s at most; this case guards it.
  it('exo.invoke: Set-Mailbox then Get-Mailbox gives back every generated value unchanged (17 properties)', async () => {
    const rows = sample(row(), 40, 60);
    const failures: string[] = [];
    for (const values of rows) {
      const set = await settle(rest.invoke('Set-Mailbox', parametersOf('fcrest0', values)));
      if (!set.ok) {
        failures.push(`Set-Mailbox ${describeValue(values)}: ${failureText(set.error)}`);
        continue;
      }
      const [mailbox] = await rest.invoke('Get-Mailbox', { Identity: 'fcrest0' });
      compare(failures, 'invoke', mailbox, values);
    }
    tally.record(
      'rest strategy: invoke Set-Mailbox → Get-Mailbox (17 properties)',
      rows.length * PROPERTIES.length,
      failures,
    );
    expect(failures).toEqual([]);
    expect(await canary.fired()).toEqual([]);
  }, 300_000);

  it('exo.batch: 10 Set-Mailbox per $batch request, then 10 Get-Mailbox, every value back unchanged', async () => {
    const rounds = 48;
    const rows = sample(row(), rounds * ALIASES.length, 61);
    const failures: string[] = [];
    for (let r = 0; r < rounds; r++) {
      const chunk = rows.slice(r * ALIASES.length, (r + 1) * ALIASES.length);
      const set = await settle(
        rest.batch(
          chunk.map((values, i) => ({
            cmdlet: 'Set-Mailbox',
            parameters: parametersOf(ALIASES[i]!, values),
          })),
        ),
      );
      if (!set.ok) {
        failures.push(`round ${r}: batch Set-Mailbox: ${failureText(set.error)}`);
        continue;
      }
      set.value.forEach((result, i) => {
        if (!result.ok) failures.push(`Set-Mailbox ${describeValue(chunk[i])}: ${failureText(result.error)}`);
      });
      const got = await rest.batch(
        ALIASES.map((alias) => ({ cmdlet: 'Get-Mailbox', parameters: { Identity: alias } })),
      );
      got.forEach((result, i) => {
        if (!result.ok) failures.push(`Get-Mailbox ${ALIASES[i]}: ${failureText(result.error)}`);
        else if (set.value[i]?.ok) compare(failures, 'batch', result.value[0], chunk[i]!);
      });
    }
    tally.record(
      'rest strategy: batch Set-Mailbox → Get-Mailbox (17 properties, 10 per $batch)',
      rows.length * PROPERTIES.length,
      failures,
    );
    expect(failures).toEqual([]);
    expect(await canary.fired()).toEqual([]);
  }, 600_000);

  it('Get-Mailbox -Identity <payload> is CMDLET_ERROR (the mailbox is not found), through invoke and batch; 64 KiB too', async () => {
    // An identity is matched, never run: a value with a wildcard may match mailboxes, which is data too.
    const identities = sample(
      value().filter((s) => s.trim().length > 0),
      1_500,
      62,
    );
    const failures: string[] = [];
    const judge = (
      identity: string,
      outcome: { ok: true; value: unknown[] } | { ok: false; error: unknown },
    ) => {
      if (outcome.ok) {
        if (!/[*?]/.test(identity))
          failures.push(`-Identity ${describeValue(identity)} found ${outcome.value.length} mailbox(es)`);
      } else if (!ExoError.is(outcome.error, 'CMDLET_ERROR')) {
        failures.push(`-Identity ${describeValue(identity)}: ${failureText(outcome.error)}`);
      }
    };
    for (let i = 0; i < identities.length; i += 10) {
      const chunk = identities.slice(i, i + 10);
      const results = await settle(
        rest.batch(chunk.map((identity) => ({ cmdlet: 'Get-Mailbox', parameters: { Identity: identity } }))),
      );
      if (!results.ok) {
        failures.push(`batch ${i / 10}: ${failureText(results.error)}`);
        continue;
      }
      for (const [j, result] of results.value.entries())
        judge(chunk[j]!, result.ok ? { ok: true, value: result.value } : { ok: false, error: result.error });
    }
    const single = [...identities.slice(0, 100), ...longStrings(canary)];
    for (const identity of single)
      judge(identity, await settle(rest.invoke('Get-Mailbox', { Identity: identity })));
    tally.record(
      'rest strategy: Get-Mailbox -Identity <payload> (batch and invoke; CMDLET_ERROR)',
      identities.length + single.length,
      failures,
    );
    expect(failures).toEqual([]);
    expect(await canary.fired()).toEqual([]);
    // The connection is still usable after the refusals.
    expect(await rest.invoke('Get-Mailbox', { Identity: 'fcrest0' })).toHaveLength(1);
  }, 600_000);
});

describe('connect options', () => {
  it('validates prefix, commandNames, connectionUri, credential and pwsh: refused naming the field, or kept as given', async () => {
    const text = injectionString(canary, { maxLength: 60, long: false });
    const cases: Array<{
      field: string;
      options: Partial<ConnectOptions>;
      valid: boolean;
      value: string;
      secret?: boolean;
    }> = [];
    for (const value of sample(fc.oneof(text, fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,40}$/)), 200, 10))
      cases.push({
        field: 'prefix',
        options: { prefix: value },
        valid: /^[A-Za-z][A-Za-z0-9]{0,31}$/.test(value),
        value,
      });
    for (const value of sample(
      fc.oneof(
        text,
        text.map((s) => `Get-Mailbox${s}`),
      ),
      200,
      11,
    ))
      cases.push({
        field: 'commandNames.1',
        options: { commandNames: ['Get-Mailbox', value] },
        valid: /^[A-Za-z][A-Za-z0-9]*-[A-Za-z][A-Za-z0-9_]*$/.test(value),
        value,
      });
    for (const value of sample(
      fc.oneof(
        text,
        text.map((s) => `https://sandbox.exo.localhost/p/?q=${s}`),
      ),
      200,
      12,
    ))
      cases.push({
        field: 'connectionUri',
        options: { connectionUri: value },
        valid: URL.canParse(value),
        value,
      });
    for (const value of sample(
      fc.oneof(
        text,
        text.map((s) => `${s}@sandbox.exo.localhost`),
      ),
      200,
      13,
    ))
      cases.push({
        field: 'credential',
        options: { credential: { userPrincipalName: value, password: 'x' } },
        valid: value.length >= 3 && value.includes('@'),
        value,
      });
    const passwords = fc.oneof(injectionString(canary, { maxLength: 60 }), illFormedString);
    for (const value of sample(passwords, 200, 14))
      cases.push({
        field: 'credential',
        options: { credential: { userPrincipalName: 'a@b.example', password: value } },
        // What could arrive intact: PowerShell's SecureString ends a secret at NUL and holds 65,536 characters.
        valid: value.length > 0 && value.length <= 65_536 && !value.includes('\0') && isWellFormed(value),
        value,
        secret: true,
      });
    const failures: string[] = [];
    for (const c of cases) {
      // 'mars' is no environment: options that pass validation stop there, before any process starts.
      const result = await settle(connect({ ...c.options, environment: 'mars', handleSignals: false }));
      const error = result.ok ? undefined : result.error;
      const code = ExoError.is(error) ? error.code : undefined;
      if (c.valid && code !== 'UNKNOWN_ENVIRONMENT')
        failures.push(`${c.field} ${describeValue(c.value)} is valid but: ${failureText(error)}`);
      if (!c.valid) {
        const field = ExoError.is(error) ? String(error.details.field ?? '') : '';
        if (code !== 'INVALID_ARGUMENT' || !field.startsWith(c.field))
          failures.push(`${c.field} ${describeValue(c.value)} should be refused, got ${failureText(error)}`);
        else if (
          c.secret &&
          c.value.length > 3 &&
          JSON.stringify({ m: (error as Error).message, d: (error as ExoError).details }).includes(
            JSON.stringify(c.value).slice(1, -1),
          )
        )
          failures.push(`the refusal echoes the credential value ${describeValue(c.value)}`);
      }
    }
    // A pwsh path is run only if it is an executable file: payload paths are looked at, never executed.
    for (const value of sample(text, 20, 15)) {
      const path = join(canary.dir, value.replace(/\0/g, '').replace(/\//g, '_') || 'x');
      const result = await settle(connect({ ...tenant.options(), pwsh: path }));
      if (result.ok || !ExoError.is(result.error, 'PWSH_NOT_FOUND'))
        failures.push(`pwsh ${describeValue(path)}: ${result.ok ? 'connected' : failureText(result.error)}`);
      if (result.ok) await result.value.disconnect();
    }
    tally.record(
      'connect: option validation (prefix, commandNames, connectionUri, credential, pwsh)',
      cases.length + 20,
      failures,
    );
    expect(failures).toEqual([]);
  });

  it('carries generated user names and passwords over the secret channel unchanged, or refuses them', async () => {
    const bridge = await PwshBridge.start({ env: tenant.env });
    const failures: string[] = [];
    const pairs = sample(
      fc.tuple(
        injectionString(canary, { maxLength: 60, long: false }),
        injectionString(canary, { maxLength: 80 }),
      ),
      150,
      16,
    );
    try {
      for (const [userName, password] of pairs) {
        const user = `${userName}@x`;
        const secrets: Record<string, SecretValue> = {
          c: { kind: 'credential', userName: user, password: password || 'p' },
          s: { kind: 'string', value: password || 'p' },
        };
        const credential = await settle(
          request(bridge, 'Write-Output', { InputObject: { $exoSecret: 'c' } }, secrets),
        );
        const plain = await settle(
          request(bridge, 'Write-Output', { InputObject: { $exoSecret: 's' } }, secrets),
        );
        if (!credential.ok || !plain.ok) {
          const error = credential.ok ? (plain as { error: unknown }).error : credential.error;
          if (!ExoError.is(error, 'INVALID_ARGUMENT'))
            failures.push(`${describeValue([user, password])}: ${failureText(error)}`);
          continue;
        }
        const [cred] = outputs(credential.value.frames) as Array<{ UserName?: string }>;
        if (cred?.UserName !== user)
          failures.push(`user ${describeValue(user)} arrived as ${describeValue(cred?.UserName)}`);
        const [text] = outputs(plain.value.frames);
        if (text !== (password || 'p'))
          failures.push(`password ${describeValue(password)} arrived as ${describeValue(text)}`);
      }
    } finally {
      await bridge.close();
    }
    tally.record(
      'connect: credential over the secret channel (user name, password)',
      pairs.length * 2,
      failures,
    );
    expect(failures).toEqual([]);
  });

  // A payload user name signing in (AUTH_FAILED, nothing run) is covered by `exo run -p payload` below.
  it('signs in with a payload password; the password with NUL and more after it never gets in', async () => {
    const failures: string[] = [];
    const good = await settle(
      connect(
        tenant.options({
          credential: {
            userPrincipalName: payloadAccount.userPrincipalName,
            password: payloadAccount.password,
          },
        }),
      ),
    );
    if (!good.ok) failures.push(`the payload password did not sign in: ${failureText(good.error)}`);
    else {
      const [me] = await good.value.invoke<{ Alias: string }>('Get-Mailbox', {
        Identity: payloadAccount.userPrincipalName,
      });
      if (me?.Alias !== payloadAccount.name)
        failures.push('signed in, but Get-Mailbox did not find the account');
      await good.value.disconnect();
    }
    const attempts: Array<[string, string, string]> = [
      // PowerShell ends a SecureString's text at NUL: this must not sign in as the password before the NUL.
      ['password + NUL + tail', payloadAccount.userPrincipalName, `${payloadAccount.password}\0tail`],
    ];
    for (const [what, userPrincipalName, password] of attempts) {
      const result = await settle(connect(tenant.options({ credential: { userPrincipalName, password } })));
      if (result.ok) {
        failures.push(`${what}: signed in`);
        await result.value.disconnect();
      } else if (
        !ExoError.is(result.error, 'AUTH_FAILED') &&
        !ExoError.is(result.error, 'INVALID_ARGUMENT')
      ) {
        failures.push(`${what}: ${failureText(result.error)}`);
      } else if (JSON.stringify(result.error).includes(password) || String(result.error).includes(password)) {
        failures.push(`${what}: the error repeats the password`);
      }
    }
    tally.record('connect: real sign-in with payload credentials', 1 + attempts.length, failures);
    expect(failures).toEqual([]);
    expect(await tenant.liveSessions()).toBe(1);
  });

  it('a connectionUri with a payload query, a generated prefix and commandNames reach the sandbox as data', async () => {
    const [suffix] = sample(fc.stringMatching(/^[A-Za-z0-9]{1,6}$/), 1, 18);
    const prefix = `Fz${suffix}`;
    // No spaces, so the URI stays one URI; still PowerShell that would create files if anything ran it.
    const query = `'";$(New-Item('${join(canary.dir, 'uri1')}'))‘’“”;\`n|&@(New-Item('${join(canary.dir, 'uri2')}'))`;
    const connectionUri = `${SANDBOX_CONNECTION_URI}?q=${query}`;
    const failures: string[] = [];
    const result = await settle(
      connect(tenant.options({ connectionUri, prefix, commandNames: ['Get-Mailbox', 'Set-Mailbox'] })),
    );
    if (!result.ok) {
      // A URI pwsh cannot read is refused with a code, never run.
      if (!ExoError.is(result.error))
        failures.push(`connectionUri ${describeValue(connectionUri)}: ${failureText(result.error)}`);
    } else {
      const prefixed = await settle(result.value.invoke(`Get-${prefix}Mailbox`, { Identity: 'admin' }));
      if (!prefixed.ok || prefixed.value.length !== 1) failures.push(`Get-${prefix}Mailbox did not answer`);
      const notImported = await settle(result.value.invoke(`Get-${prefix}User`, { Identity: 'admin' }));
      if (notImported.ok) failures.push(`Get-${prefix}User exists although commandNames left it out`);
      await result.value.disconnect();
    }
    tally.record('connect: connectionUri, prefix and commandNames in a real session', 3, failures);
    expect(failures).toEqual([]);
  });
});

describe('exo CLI parameters', () => {
  const scalar = (maxLength: number, nul: boolean) =>
    fc.oneof(
      injectionString(canary, { maxLength, long: false, nul }),
      fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('$true', '$null', '10', '-5', '3.5', '007', "'x'", '"y"', '@()', 'a,b', ',a', '-Name'),
    );

  it('parseCmdletArguments(formatCmdletArguments(p)) gives p back for generated parameters', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/);
    const parameters = fc
      .dictionary(
        name,
        fc.oneof(scalar(60, true), fc.array(scalar(30, true), { minLength: 1, maxLength: 4 })),
        {
          minKeys: 1,
          maxKeys: 5,
        },
      )
      .filter((p) => new Set(Object.keys(p).map((k) => k.toLowerCase())).size === Object.keys(p).length);
    const samples = sample(parameters, 600, 20);
    const failures: string[] = [];
    let count = 0;
    for (const p of samples) {
      count += Object.values(p).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0);
      try {
        const back = parseCmdletArguments(formatCmdletArguments(p as Record<string, JsonValue>), {
          positional: null,
        });
        if (!sameJson(back, p)) failures.push(`${describeValue(p)} parsed back as ${describeValue(back)}`);
      } catch (error) {
        failures.push(`${describeValue(p)}: ${failureText(error)}`);
      }
    }
    tally.record('cli: parseCmdletArguments round trip', count, failures);
    expect(failures).toEqual([]);
  });

  it('exo run Write-Output prints generated argv values back unchanged', async () => {
    // argv cannot carry NUL; a single argument is at most 128 KiB.
    const [values] = sample(
      fc.array(injectionString(canary, { maxLength: 60, long: false, nul: false }), {
        minLength: 30,
        maxLength: 30,
      }),
      1,
      21,
    );
    values!.push(`${canary.commands[0]} `.repeat(1200).slice(0, 60_000));
    const failures: string[] = [];
    const argv = formatCmdletArguments({ InputObject: values! });
    const run = await runExo(
      ['run', 'Write-Output', '--allow-command', 'Write-Output', '-o', 'json', '-q', '--', ...argv],
      { env: cliEnv },
    );
    if (run.code !== 0) failures.push(`exit ${run.code}: ${run.stderr.slice(0, 300)}`);
    else {
      const back = JSON.parse(run.stdout) as unknown[];
      values!.forEach((value, i) => {
        if (back[i] !== value) failures.push(`${describeValue(value)} printed as ${describeValue(back[i])}`);
      });
      if (back.length !== values!.length) failures.push(`${back.length} rows for ${values!.length} values`);
    }
    tally.record('cli: exo run Write-Output (spawned, argv)', values!.length, failures);
    expect(failures).toEqual([]);
  });

  it('exo run Set-Mailbox stores argv and --params-json values (NUL, control characters) unchanged', async () => {
    const props = [
      'DisplayName',
      'Office',
      ...Array.from({ length: 15 }, (_, i) => `CustomAttribute${i + 1}`),
    ];
    const inArgv = props.slice(0, 9);
    const inJson = props.slice(9);
    const argvValue = injectionString(canary, { maxLength: 200, long: false, nul: false });
    const jsonValue = injectionString(canary, { maxLength: 200, long: false });
    const [values] = sample(
      fc.tuple(
        argvValue.filter((s) => s.length > 0),
        ...inArgv.slice(1).map(() => argvValue),
        ...inJson.map(() => jsonValue),
      ),
      1,
      23,
    );
    values![values!.length - 1] = 'nul\0nul\u0001\u001b[2J\u007fcr\rlf\n';
    const fromArgv: Record<string, JsonValue> = { Identity: 'fcx' };
    const fromJson: Record<string, JsonValue> = {};
    props.forEach((name, i) => {
      if (i < inArgv.length) fromArgv[name] = values![i]!;
      else fromJson[name] = values![i]!;
    });
    const run = await runExo(
      [
        'run',
        'Set-Mailbox',
        '-q',
        '--params-json',
        JSON.stringify(fromJson),
        '--',
        ...formatCmdletArguments(fromArgv),
      ],
      { env: cliEnv },
    );
    const failures: string[] = [];
    if (run.code !== 0) failures.push(`exit ${run.code}: ${run.stderr.slice(0, 300)}`);
    const [mailbox] = await exo.invoke<Record<string, unknown>>('Get-Mailbox', { Identity: 'fcx' });
    props.forEach((name, i) => {
      if (mailbox?.[name] !== values![i])
        failures.push(`${name} ${describeValue(values![i])} stored as ${describeValue(mailbox?.[name])}`);
    });
    tally.record(
      'cli: exo run Set-Mailbox, argv and --params-json (spawned) → Get-Mailbox',
      props.length,
      failures,
    );
    expect(failures).toEqual([]);
  });
});

describe('profiles and the config file', () => {
  const profileName = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
    fc.string({ maxLength: 10 }),
  );

  it('saveConfig then loadConfig gives generated profiles back, or refuses them with INVALID_ARGUMENT', async () => {
    const dir = await makeTempDir('exo-inj-config-');
    const path = join(dir, 'config.json');
    const text = injectionString(canary, { maxLength: 60, long: false });
    const profile = fc.record(
      {
        environment: fc.oneof(fc.constantFrom('sandbox', 'worldwide', 'gcc-high'), text),
        userPrincipalName: fc.oneof(
          text,
          fc.tuple(text, text).map(([a, b]) => `${a}@${b}`),
        ),
        connectionUri: fc.oneof(
          text,
          text.map((s) => `https://exchange.contoso.localhost/PowerShell/?q=${encodeURIComponent(s)}`),
        ),
        proxy: fc.record({ proxyUrl: text }, { requiredKeys: [] }),
        strategy: fc.constantFrom('rps' as const, 'module' as const),
      },
      { requiredKeys: ['environment'] },
    );
    const samples = sample(fc.tuple(profileName, profile), 300, 30);
    const failures: string[] = [];
    let count = 0;
    let config: ExoConfig = emptyConfig();
    for (const [name, input] of samples) {
      count += 1 + Object.keys(input).length;
      let next: ExoConfig;
      try {
        next = addProfile(config, name, input, { replace: true });
      } catch (error) {
        if (!ExoError.is(error, 'INVALID_ARGUMENT'))
          failures.push(`${describeValue([name, input])}: ${failureText(error)}`);
        continue;
      }
      if (!PROFILE_NAME.test(name)) failures.push(`profile name ${describeValue(name)} was accepted`);
      await saveConfig(path, next);
      const back = await loadConfig(path);
      if (!sameJson(back, next))
        failures.push(`${describeValue([name, input])} read back as ${describeValue(back.profiles[name])}`);
      config = back;
    }
    await rm(dir, { recursive: true, force: true });
    tally.record('config: addProfile → saveConfig → loadConfig', count, failures);
    expect(failures).toEqual([]);
  });

  it('exo profile add stores generated values verbatim; exo run with a payload profile fails cleanly', async () => {
    const text = injectionString(canary, { maxLength: 40, long: false, nul: false });
    const samples = sample(
      fc.record({
        name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
        user: fc
          .tuple(text, text)
          .map(([a, b]) => `${a}@${b}`.replace(/\s/g, ''))
          .filter((u) => /^[^@\s]+@[^@\s]+$/.test(u)),
        proxy: fc.oneof(
          text,
          text.map((s) => `http://proxy.contoso.localhost:3128/${s}`),
        ),
        uri: text.map((s) => `https://exchange.contoso.localhost/PowerShell/?q=${encodeURIComponent(s)}`),
      }),
      8,
      31,
    );
    const failures: string[] = [];
    const stored = new Map<string, unknown>();
    for (const s of samples) {
      if (stored.has(s.name.toLowerCase())) continue;
      const args = [
        'profile',
        'add',
        s.name,
        '-e',
        'sandbox',
        `--user=${s.user}`,
        `--proxy=${s.proxy}`,
        `--connection-uri=${s.uri}`,
        '--force',
      ];
      const run = await runExo(args, { env: cliEnv, timeoutMs: 60_000 });
      if (run.code === 2 && run.stderr.includes('INVALID_ARGUMENT')) continue; // refused, with the field named
      if (run.code !== 0) {
        failures.push(`profile add ${describeValue(s)}: exit ${run.code} ${run.stderr.slice(0, 200)}`);
        continue;
      }
      stored.set(s.name.toLowerCase(), {
        environment: 'sandbox',
        userPrincipalName: s.user,
        connectionUri: s.uri,
        // `--proxy=` (empty) means no proxy: exo stores none.
        ...(s.proxy === '' ? {} : { proxy: { proxyUrl: s.proxy } }),
      });
      const file = JSON.parse(
        await readFile(join(cliEnv.EXO_CONFIG_DIR!, 'config.json'), 'utf8'),
      ) as ExoConfig;
      if (!sameJson(file.profiles[s.name], stored.get(s.name.toLowerCase())))
        failures.push(`${describeValue(s)} stored as ${describeValue(file.profiles[s.name])}`);
    }
    const list = await runExo(['profile', 'list', '--json'], { env: cliEnv });
    const listed = JSON.parse(list.stdout) as { profiles: Array<{ name: string; profile: unknown }> };
    for (const { name, profile } of listed.profiles) {
      if (!sameJson(profile, stored.get(name.toLowerCase())))
        failures.push(`profile list shows ${describeValue(profile)} for ${name}`);
    }
    // A profile whose user name is a payload: exo signs in with it as data, and the sandbox says no.
    const user =
      `x$(New-Item -ItemType File -Path '${join(canary.dir, 'profile-upn')}')‘;’@sandbox.exo.localhost`.replace(
        /\s/g,
        '',
      );
    const add = await runExo(['profile', 'add', 'payload', '-e', 'sandbox', `--user=${user}`, '--force'], {
      env: cliEnv,
    });
    if (add.code !== 0) failures.push(`profile add payload: exit ${add.code} ${add.stderr.slice(0, 200)}`);
    const run = await runExo(['run', 'Get-Mailbox', '-p', 'payload', '--password-stdin', '-q'], {
      env: cliEnv,
      input: `${canary.commands.join('').replace(/\0/g, '')}\n`,
    });
    if (run.code !== 3 || !run.stderr.includes('AUTH_FAILED'))
      failures.push(`exo run -p payload: exit ${run.code} ${run.stderr.slice(0, 300)}`);
    tally.record('cli: exo profile add → config.json, exo run -p (spawned)', stored.size * 4 + 2, failures);
    expect(failures).toEqual([]);
  });
});

describe('environment definitions', () => {
  const base = {
    id: 'fuzz-env',
    aliases: ['fuzz-alias'],
    displayName: 'Fuzz',
    status: { state: 'active' },
    defaultStrategy: 'rps',
    rps: {
      connectionUri: 'https://fuzz.exo.localhost/powershell-liveid/',
      authentication: 'Basic',
      allowRedirection: true,
    },
    module: { exchangeEnvironmentName: 'O365Default', connectionUri: 'https://fuzz.exo.localhost/' },
    documentation: 'https://docs.exo.localhost/fuzz',
    prelude: { modules: ['/opt/exo/Fuzz.psd1'] },
  } as const;
  const FIELDS = [
    'id',
    'aliases.0',
    'displayName',
    'rps.connectionUri',
    'module.connectionUri',
    'documentation',
    'prelude.modules.0',
  ] as const;
  /** Issue paths that may name a bad value of each field (an id equal to an alias is reported on the alias). */
  const RELATED: Record<(typeof FIELDS)[number], string[]> = {
    id: ['id', 'aliases[0]'],
    'aliases.0': ['aliases[0]', 'aliases'],
    displayName: ['displayName'],
    'rps.connectionUri': ['rps.connectionUri', 'rps.authentication', 'rps'],
    'module.connectionUri': ['module.connectionUri', 'module'],
    documentation: ['documentation'],
    'prelude.modules.0': ['prelude.modules[0]'],
  };

  function withField(field: string, value: string): Record<string, unknown> {
    const spec = structuredClone(base) as unknown as Record<string, unknown>;
    const keys = field.split('.');
    let target = spec as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
    target[keys.at(-1)!] = value;
    return spec;
  }
  function readField(env: unknown, field: string): unknown {
    return field
      .split('.')
      .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], env);
  }

  it('validateEnvironment and a registry refuse a generated field naming its path, or keep it as given', async () => {
    const text = injectionString(canary, { maxLength: 60, long: false });
    const value = fc.oneof(
      text,
      text.map((s) => `https://x.exo.localhost/${encodeURIComponent(s)}`),
      text.map((s) => `https://x.exo.localhost/?q=${s}`),
      text.map((s) => `/opt/exo/${s}.psd1`),
      fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+){0,3}$/),
    );
    const samples = sample(fc.tuple(fc.constantFrom(...FIELDS), value), 500, 40);
    const failures: string[] = [];
    const dir = await makeTempDir('exo-inj-env-');
    let fileCount = 0;
    for (const [i, [field, v]] of samples.entries()) {
      const spec = withField(field, v);
      const outcome = (() => {
        try {
          return { env: validateEnvironment(spec) };
        } catch (error) {
          return { error };
        }
      })();
      if ('error' in outcome) {
        const issues = ExoError.is(outcome.error)
          ? ((outcome.error.details.issues as Array<{ path: string }>) ?? [])
          : [];
        if (
          !ExoError.is(outcome.error, 'INVALID_ARGUMENT') ||
          !issues.some((x) => RELATED[field].includes(x.path))
        )
          failures.push(`${field} ${describeValue(v)}: ${failureText(outcome.error)}`);
        continue;
      }
      if (readField(outcome.env, field) !== v)
        failures.push(`${field} ${describeValue(v)} became ${describeValue(readField(outcome.env, field))}`);
      // Every fifth accepted definition also goes through a contributor's file and a registry.
      if (i % 5 === 0) {
        const file = join(dir, `env-${i}.json`);
        await writeFile(file, JSON.stringify({ environments: [spec] }), 'utf8');
        fileCount++;
        const registry = createRegistry({ environments: [] });
        const loaded = await settle(registry.load(file));
        if (!loaded.ok)
          failures.push(`loadEnvironments ${field} ${describeValue(v)}: ${failureText(loaded.error)}`);
        else if (readField(registry.get(spec.id as string), field) !== v)
          failures.push(`loadEnvironments changed ${field} ${describeValue(v)}`);
      }
    }
    await rm(dir, { recursive: true, force: true });
    tally.record(
      'environments: validateEnvironment / loadEnvironments',
      samples.length + fileCount,
      failures,
    );
    expect(failures).toEqual([]);
  });

  it('imports a prelude module from a payload path as data, and keeps a payload display name', async () => {
    const sandbox = sandboxEnvironment();
    const dirs = [
      `$(New-Item -ItemType File -Path '${join(canary.dir, 'prelude')}') ‘q’ “d” ; \`n & | [a]*?`,
      `'; touch ${join(canary.dir, 'prelude2')}; '`,
    ];
    const modules: string[] = [];
    const root = await makeTempDir('exo-inj-modules-');
    for (const [i, name] of dirs.entries()) {
      const moduleDir = join(root, name, `Payload${i}`);
      await mkdir(moduleDir, { recursive: true });
      await writeFile(
        join(moduleDir, `Payload${i}.psm1`),
        `function Get-Payload${i}Root { [pscustomobject]@{ Root = $PSScriptRoot } }\nExport-ModuleMember -Function Get-Payload${i}Root\n`,
      );
      await writeFile(
        join(moduleDir, `Payload${i}.psd1`),
        `@{ RootModule = 'Payload${i}.psm1'; ModuleVersion = '1.0.${i}'; GUID = '6f1c8f4e-3b0a-4e57-9a51-4d2f0a3c1b1${i}'; FunctionsToExport = @('Get-Payload${i}Root') }\n`,
      );
      modules.push(join(moduleDir, `Payload${i}.psd1`));
    }
    const displayName = `‘’“”„$(New-Item -ItemType File -Path '${join(canary.dir, 'display')}')\`n;|&😀`;
    const environment = validateEnvironment({
      ...sandbox,
      id: 'payload-env',
      aliases: [],
      displayName,
      prelude: { modules: [...(sandbox.prelude?.modules ?? []), ...modules] },
    } satisfies EnvironmentSpec);
    const failures: string[] = [];
    // A prelude module's commands are the environment's set-up, not the session's: the caller opts in.
    const allowCommands = modules.map((_, i) => `Get-Payload${i}Root`);
    const result = await settle(connect(tenant.options({ environment, allowCommands })));
    if (!result.ok) failures.push(`connect: ${failureText(result.error)}`);
    else {
      for (const [i, path] of modules.entries()) {
        const [row] = await result.value.invoke<{ Root: string }>(`Get-Payload${i}Root`);
        if (row?.Root !== join(path, '..'))
          failures.push(`module ${i} loaded from ${describeValue(row?.Root)}`);
      }
      if (result.value.environment.displayName !== displayName) failures.push('the display name changed');
      await result.value.disconnect();
    }
    await rm(root, { recursive: true, force: true });
    tally.record(
      'environments: prelude module paths and display name in a real connect',
      modules.length + 1,
      failures,
    );
    expect(failures).toEqual([]);
  });
});

interface RecordingProxy {
  port: number;
  /** Decoded `user:password` of each Basic Proxy-Authorization received. */
  credentials: string[];
  /** Requests that reached the direct server (the proxy was bypassed). */
  direct: number;
  directPort: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A loopback proxy that demands Basic authentication and never forwards; a loopback "direct" server. */
async function startRecordingProxy(): Promise<RecordingProxy> {
  const credentials: string[] = [];
  let direct = 0;
  const proxy = createServer((req, res) => {
    const auth = req.headers['proxy-authorization'];
    if (!auth?.startsWith('Basic ')) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="exo-connect injection"' }).end();
      return;
    }
    credentials.push(Buffer.from(auth.slice(6), 'base64').toString('utf8'));
    res.end('via-proxy');
  });
  proxy.on('connect', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
  const directServer = createServer((_req, res) => {
    direct++;
    res.end('direct');
  });
  const port = await listen(proxy);
  const directPort = await listen(directServer);
  return {
    port,
    credentials,
    get direct() {
      return direct;
    },
    directPort,
    close: async () => {
      for (const server of [proxy, directServer]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

describe('proxy settings applied in real pwsh', () => {
  it('generated proxy options are refused with a code, or rendered and applied by the fixed scripts', async () => {
    const text = injectionString(canary, { maxLength: 40, long: false });
    const flags = fc.record(
      {
        proxyUrl: fc.oneof(
          text,
          text.map((s) => `http://proxy.exo.localhost:3128/${s}`),
          text.map((s) => `http://${s}:8080`),
        ),
        bypass: fc.array(fc.oneof(text, fc.constantFrom('*.contoso.localhost', '10.0.0.0/8', '<local>')), {
          maxLength: 3,
        }),
        culture: fc.oneof(text, fc.constantFrom('de-DE', 'zh-Hans-CN', 'en-US')),
        openTimeoutMs: fc.integer({ min: -5, max: 2 ** 31 }),
        credential: fc.record({ userName: text, password: text }),
      },
      { requiredKeys: [] },
    );
    const samples = sample(flags, 200, 50);
    const bridge = await PwshBridge.start({ env: tenant.env });
    const failures: string[] = [];
    let count = 0;
    try {
      for (const input of samples) {
        count += Object.keys(input).length;
        let resolved: ReturnType<typeof resolveProxyOptions>;
        try {
          resolved = resolveProxyOptions({ flags: input as ProxyOptionsInput, env: {}, platform: 'linux' });
        } catch (error) {
          if (!ExoError.is(error, 'INVALID_ARGUMENT') && !ExoError.is(error, 'PROXY_UNSUPPORTED'))
            failures.push(`resolve ${describeValue(input)}: ${failureText(error)}`);
          continue;
        }
        let http: ReturnType<typeof renderHttpProxy>;
        let session: ReturnType<typeof renderSessionOption>;
        try {
          http = renderHttpProxy(resolved);
          session = renderSessionOption(resolved, { platform: 'linux' });
        } catch (error) {
          if (!ExoError.is(error, 'INVALID_ARGUMENT') && !ExoError.is(error, 'PROXY_UNSUPPORTED'))
            failures.push(`render ${describeValue(input)}: ${failureText(error)}`);
          continue;
        }
        const { secret, ...settings } = http;
        const secrets: Record<string, SecretValue> = secret.proxyCredential
          ? { proxy: { kind: 'credential', ...secret.proxyCredential } }
          : {};
        const applied = await settle(
          request(
            bridge,
            'Set-ExoHttpProxy',
            {
              ParametersJson: JSON.stringify(settings),
              ...(secret.proxyCredential ? { ProxyCredential: { $exoSecret: 'proxy' } } : {}),
            },
            secrets,
          ),
        );
        if (!applied.ok) {
          if (!ExoError.is(applied.error, 'INVALID_ARGUMENT'))
            failures.push(`Set-ExoHttpProxy ${describeValue(input)}: ${failureText(applied.error)}`);
        } else if (!applied.value.ok) {
          failures.push(`Set-ExoHttpProxy ${describeValue(input)}: ${describeValue(applied.value.frames)}`);
        }
        const option = await request(bridge, 'New-ExoSessionOption', {
          ParametersJson: JSON.stringify(session.parameters),
        });
        const [value] = outputs(option.frames) as Array<{
          OpenTimeout?: { TotalMilliseconds: number };
          Culture?: { Name: string };
        }>;
        if (!option.ok)
          failures.push(`New-ExoSessionOption ${describeValue(input)}: ${describeValue(option.frames)}`);
        else if (
          resolved.options.openTimeoutMs !== undefined &&
          value?.OpenTimeout?.TotalMilliseconds !== resolved.options.openTimeoutMs
        )
          failures.push(
            `openTimeoutMs ${resolved.options.openTimeoutMs} became ${describeValue(value?.OpenTimeout)}`,
          );
        else if (resolved.options.culture !== undefined && value?.Culture?.Name !== resolved.options.culture)
          failures.push(`culture ${resolved.options.culture} became ${describeValue(value?.Culture?.Name)}`);
      }
    } finally {
      await bridge.close();
    }
    tally.record('proxy: resolve → render → Set-ExoHttpProxy / New-ExoSessionOption', count, failures);
    expect(failures).toEqual([]);
  });

  it('proxy credentials (flags and user:password@ URLs) reach a loopback proxy unchanged, or are refused', async () => {
    const proxy = await startRecordingProxy();
    const bridge = await PwshBridge.start({ env: tenant.env });
    // Basic authentication cannot carry a ':' in the user name (RFC 7617); .NET trims it, as proxy-config does.
    const user = injectionString(canary, { maxLength: 30, long: false }).filter(
      (s) => !s.includes(':') && s.length > 0 && s === s.trim(),
    );
    const password = fc
      .oneof(
        { arbitrary: injectionString(canary, { maxLength: 60, long: false }), weight: 9 },
        { arbitrary: fc.constant('pw\0after-nul'), weight: 1 },
      )
      .filter((s) => s.length > 0);
    const samples = sample(fc.tuple(user, password, fc.boolean()), 60, 51);
    const failures: string[] = [];
    try {
      for (const [userName, pass, inUrl] of samples) {
        const proxyUrl = inUrl
          ? `http://${encodeURIComponent(userName)}:${encodeURIComponent(pass)}@127.0.0.1:${proxy.port}`
          : `http://127.0.0.1:${proxy.port}`;
        let resolved: ReturnType<typeof resolveProxyOptions>;
        try {
          resolved = resolveProxyOptions({
            flags: { proxyUrl, ...(inUrl ? {} : { credential: { userName, password: pass } }) },
            env: {},
            platform: 'linux',
          });
        } catch (error) {
          if (!ExoError.is(error, 'INVALID_ARGUMENT'))
            failures.push(`resolve ${describeValue([userName, pass])}: ${failureText(error)}`);
          continue;
        }
        const { secret, ...settings } = renderHttpProxy(resolved);
        const applied = await settle(
          request(
            bridge,
            'Set-ExoHttpProxy',
            { ParametersJson: JSON.stringify(settings), ProxyCredential: { $exoSecret: 'proxy' } },
            { proxy: { kind: 'credential', ...secret.proxyCredential! } },
          ),
        );
        if (!applied.ok) {
          if (!ExoError.is(applied.error, 'INVALID_ARGUMENT'))
            failures.push(`apply ${describeValue([userName, pass])}: ${failureText(applied.error)}`);
          continue;
        }
        const before = proxy.credentials.length;
        const answer = await request(bridge, 'Invoke-RestMethod', {
          Uri: `http://127.0.0.1:${proxy.directPort}/probe`,
          TimeoutSec: 20,
        });
        const body = outputs(answer.frames);
        const seen = proxy.credentials.slice(before);
        const expected = `${userName}:${pass}`;
        if (body[0] !== 'via-proxy' || seen.at(-1) !== expected)
          failures.push(
            `${describeValue([userName, pass])} reached the proxy as ${describeValue(seen.at(-1))} (${describeValue(body)})`,
          );
      }
    } finally {
      await bridge.close();
      await proxy.close();
    }
    expect(proxy.direct).toBe(0);
    tally.record('proxy: credentials through a loopback Basic proxy', samples.length * 2, failures);
    expect(failures).toEqual([]);
  });
});

describe('nothing executed', () => {
  it('the canary directory is empty after every path', async () => {
    expect(await canary.fired()).toEqual([]);
    expect(tally.total).toBeGreaterThanOrEqual(10_000);
  });
});

/** Deep equality of JSON data (key order ignored). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameJson(item, other[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b as object, k) &&
        sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}
