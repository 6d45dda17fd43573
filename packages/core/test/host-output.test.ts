import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/connect/connect.js';
import type { ConnectionEvent } from '../src/connect/events.js';
import { type TestTenant, testTenant } from './sandbox-helpers.js';

// Exchange writes its warnings ("only the first 1000 items are returned", "no settings have been modified")
// on the server through the client's host, not into the pipeline: implicit remoting replays those host calls
// locally. The bridge gives the worker runspace a host that turns them into warning events.
let tenant: TestTenant;

beforeAll(async () => {
  tenant = await testTenant(1005);
});
afterAll(async () => {
  await tenant?.remove();
});

const DEFAULT_RESULT_SIZE =
  /^By default, only the first 1000 items are returned\. Use the ResultSize parameter/;
const MORE_RESULTS = /^There are more results available than are currently displayed\./;

describe.each(['rps', 'module'] as const)('remote warnings with the %s strategy', (strategy) => {
  it('reach onEvent once per warning, with the service text, and never as data', async () => {
    const warnings: string[] = [];
    const onEvent = (e: ConnectionEvent) => {
      if (e.type === 'warning') warnings.push(e.message);
    };
    await using exo = await connect(tenant.options({ strategy, onEvent }));

    const page = await exo.invoke<{ Alias: string }>('Get-Mailbox');
    expect(page).toHaveLength(1000);
    expect(page.every((m) => typeof m.Alias === 'string')).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(DEFAULT_RESULT_SIZE);

    warnings.length = 0;
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 3 })).toHaveLength(3);
    expect(warnings).toEqual([expect.stringMatching(MORE_RESULTS)]);

    warnings.length = 0;
    expect((await exo.invoke('Get-Mailbox', { ResultSize: 'Unlimited' })).length).toBeGreaterThan(1005);
    expect(warnings).toEqual([]);

    // A warning between commands belongs to the command that caused it, not to the next one.
    warnings.length = 0;
    const admin = await exo.invoke<{ Alias: string; CustomAttribute1: string }>('Get-Mailbox', {
      Identity: 'admin',
    });
    await exo.invoke('Set-Mailbox', {
      Identity: 'admin',
      CustomAttribute1: admin[0]!.CustomAttribute1 ?? '',
    });
    expect(warnings).toEqual([expect.stringContaining("no settings of 'admin' have been modified")]);
  });
});
