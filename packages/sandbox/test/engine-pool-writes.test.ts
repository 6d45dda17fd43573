import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EnginePool, startEnginePool } from '../src/server/engine/index.js';
import { invoke, objectsOf } from './support/engine.js';
import { runPwshOk } from './support/pwsh.js';
import { createTestTenant, type TestTenant } from './support/tenant.js';

// What one face writes the other reads, also while both write at once; and request values stay data.
describe('engine pool: writes across faces, and values that are only data', () => {
  let tenant: TestTenant;
  let pool: EnginePool;
  beforeAll(async () => {
    tenant = await createTestTenant({ mailboxCount: 200, seed: 16 });
    pool = await startEnginePool({ directory: tenant.directory, env: tenant.env, size: 2 });
  });
  afterAll(async () => {
    await pool?.close();
    await tenant?.dispose();
  });

  it('a mailbox made and changed through the pool is read, signed in to and changed through a PSSession', async () => {
    const password = 'R3st-Made-Pa55!';
    const made = await invoke(pool, 'New-Mailbox', {
      Name: 'Rest Made',
      MicrosoftOnlineServicesID: 'rest.made@sandbox.exo.localhost',
      Password: password,
      FirstName: 'Rest',
    });
    expect(objectsOf(made).map((o) => o.UserPrincipalName)).toEqual(['rest.made@sandbox.exo.localhost']);
    const hashtable = { '@odata.type': '#Exchange.GenericHashTable' };
    const set = await invoke(pool, 'Set-Mailbox', {
      Identity: 'rest.made',
      CustomAttribute3: 'from-rest',
      EmailAddresses: { ...hashtable, Add: ['rm2@sandbox.exo.localhost', 'rm3@sandbox.exo.localhost'] },
    });
    expect(set).toEqual({ ok: true, objects: [], warnings: [] });
    await invoke(pool, 'Set-Mailbox', {
      Identity: 'rest.made',
      EmailAddresses: { ...hashtable, Remove: 'rm3@sandbox.exo.localhost' },
    });

    const seen = await runPwshOk<{ Attribute: string; Addresses: string[]; SignedIn: string }>(
      `$s = Open-TestSession
$m = Get-Mailbox -Identity rest.made
Set-Mailbox -Identity rest.made -Office 'from-session'
$null = New-Mailbox -Name 'Session Made' -Shared
$own = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri $In.uri -Credential (New-TestCredential 'rest.made@sandbox.exo.localhost' $In.newPassword) -Authentication Basic -ErrorAction Stop
$who = (Invoke-Command -Session $own { Get-Mailbox -Identity rest.made }).Name
Remove-PSSession $own
Write-Result @{ Attribute = $m.CustomAttribute3; Addresses = @($m.EmailAddresses); SignedIn = $who }
Remove-PSSession $s`,
      tenant.input({ newPassword: password }),
      { env: tenant.env },
    );
    expect(seen).toEqual({
      Attribute: 'from-rest',
      Addresses: [
        'SMTP:rest.made@sandbox.exo.localhost',
        'smtp:rest.made@sandbox.onmicrosoft.localhost',
        'smtp:rm2@sandbox.exo.localhost',
      ],
      SignedIn: 'Rest Made',
    });
    // Both workers see the session's writes at their next call.
    const reads = await Promise.all([
      invoke(pool, 'Get-Mailbox', { Identity: 'rest.made' }),
      invoke(pool, 'Get-Mailbox', { Identity: 'Session Made' }),
    ]);
    expect(objectsOf(reads[0]).map((o) => o.Office)).toEqual(['from-session']);
    expect(objectsOf(reads[1]).map((o) => o.RecipientTypeDetails)).toEqual(['SharedMailbox']);
  });

  it('loses no write while both workers and a PSSession write at the same time', async () => {
    const names = objectsOf(
      await invoke(pool, 'Get-Mailbox', { Filter: "Name -like 'A*' -or Name -like 'B*'", ResultSize: 40 }),
    )
      .map((o) => String(o.Name))
      .slice(0, 30);
    expect(names.length).toBe(30);
    const sessionNames = names.slice(0, 10);
    const poolNames = names.slice(10);
    let sessionDone = false;
    const session = runPwshOk<boolean>(
      `$s = Open-TestSession
foreach ($name in $In.names) { Set-Mailbox -Identity $name -CustomAttribute5 "session-$name" }
Write-Result $true
Remove-PSSession $s`,
      tenant.input({ names: sessionNames }),
      { env: tenant.env },
    ).finally(() => {
      sessionDone = true;
    });
    // Rounds of pool writes until the session has written all of its own, so that they overlap.
    let round = 0;
    do {
      round++;
      const results = await Promise.all(
        poolNames.map((name) =>
          invoke(pool, 'Set-Mailbox', { Identity: name, CustomAttribute5: `pool-${round}` }),
        ),
      );
      expect(results.every((r) => r.ok)).toBe(true);
    } while (!sessionDone);
    expect(await session).toBe(true);
    const after = objectsOf(await invoke(pool, 'Get-Mailbox', { ResultSize: 'Unlimited' }));
    const attribute = new Map(after.map((o) => [o.Name, o.CustomAttribute5]));
    expect(sessionNames.map((n) => attribute.get(n))).toEqual(sessionNames.map((n) => `session-${n}`));
    expect(poolNames.map((n) => attribute.get(n))).toEqual(poolNames.map(() => `pool-${round}`));
  });

  it('answers 50 concurrent callers', async () => {
    const names = objectsOf(await invoke(pool, 'Get-Mailbox', { ResultSize: 25 })).map((o) => String(o.Name));
    const calls = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? invoke(pool, 'Get-Mailbox', { Identity: names[i / 2] })
        : invoke(pool, 'Get-User', { Identity: `missing-${i}` }),
    );
    const results = await Promise.all(calls);
    results.forEach((r, i) => {
      if (i % 2 === 0) expect(objectsOf(r).map((o) => o.Name)).toEqual([names[i / 2]]);
      else expect(!r.ok && r.error.message).toContain(`'missing-${i}'`);
    });
  });

  it('keeps parameter values, parameter names and cmdlet names as data', async () => {
    const canary = join(tenant.directory, 'canary');
    await mkdir(canary, { recursive: true });
    await writeFile(join(canary, 'still-here'), 'x');
    const removeIt = `Remove-Item -Recurse -Force '${canary}'`;
    const names = [
      `'; ${removeIt}; '`,
      `\u2018; ${removeIt}; \u2019`,
      `"; ${removeIt}; "`,
      `$(${removeIt})`,
      `\`$(whoami) & ${removeIt}`,
    ];
    for (const name of names) {
      const made = await invoke(pool, 'New-Mailbox', { Name: name, Shared: true });
      expect(
        objectsOf(made).map((o) => o.Name),
        name,
      ).toEqual([name]);
      await invoke(pool, 'Set-Mailbox', { Identity: name, CustomAttribute1: `$(${removeIt})` });
      const [read] = objectsOf(await invoke(pool, 'Get-Mailbox', { Identity: name }));
      expect([read?.Name, read?.CustomAttribute1], name).toEqual([name, `$(${removeIt})`]);
    }
    const whoami = await invoke(pool, 'Get-Mailbox', { Identity: '$(whoami)' });
    expect(!whoami.ok && whoami.error.message).toContain("object '$(whoami)' couldn't be found");
    expect(objectsOf(await invoke(pool, 'Get-Mailbox', { Filter: "Name -eq '$(whoami)'" }))).toEqual([]);
    // Hostile cmdlet names, sent to the worker as JSON data (never script text): each must be looked up as a
    // name and refused, and nothing may run.
    for (const cmdlet of [
      `Get-Mailbox; ${removeIt}`,
      'Remove-Item',
      'Microsoft.PowerShell.Management\\Remove-Item',
      'Get-ExoSandboxChanges',
      canary,
    ]) {
      const r = await invoke(pool, cmdlet, { Path: canary, Recurse: true, Force: true });
      expect(!r.ok && [r.error.type, r.error.httpStatus, r.error.message], cmdlet).toEqual([
        'CommandNotFoundException',
        400,
        `The term '${cmdlet}' is not recognized as a name of a cmdlet, function, script file, or executable program.\nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
      ]);
    }
    const badName = await invoke(pool, 'Get-Mailbox', { [`Identity; ${removeIt}`]: 'admin' });
    expect(!badName.ok && badName.error.message).toBe(
      `A parameter cannot be found that matches parameter name 'Identity; ${removeIt}'.`,
    );
    expect(existsSync(join(canary, 'still-here'))).toBe(true);
  });
});
