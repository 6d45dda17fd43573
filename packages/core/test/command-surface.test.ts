import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@exo-connect/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParameterValue } from '../src/bridge/encode-request.js';
import { connect } from '../src/connect/connect.js';
import type { Connection } from '../src/connect/connection.js';
import { type TestTenant, testTenant } from './sandbox-helpers.js';

let tenant: TestTenant;
let scratch: string;
const open: Connection[] = [];

beforeAll(async () => {
  tenant = await testTenant(5);
  scratch = await makeTempDir('exo-core-surface-');
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect()));
});
afterAll(async () => {
  await tenant?.remove();
});

async function opened(options: Parameters<TestTenant['options']>[0] = {}): Promise<Connection> {
  const exo = await connect(tenant.options(options));
  open.push(exo);
  return exo;
}

/** Local commands a service must never run on behalf of its users, each with a canary it would leave. */
function localCommands(canary: string): Array<{ name: string; parameters: Record<string, ParameterValue> }> {
  return [
    { name: 'Get-Content', parameters: { Path: '/etc/hostname' } },
    { name: 'Set-Content', parameters: { Path: canary, Value: 'x' } },
    { name: 'New-Item', parameters: { Path: canary, ItemType: 'File' } },
    { name: 'Invoke-Expression', parameters: { Command: `New-Item -Path '${canary}'` } },
    { name: 'Start-Process', parameters: { FilePath: 'touch', ArgumentList: [canary] } },
    { name: 'Add-Type', parameters: { TypeDefinition: 'public class ExoCanary {}' } },
    { name: 'Import-Module', parameters: { Name: 'Microsoft.PowerShell.Utility' } },
    { name: 'get-content', parameters: { Path: '/etc/hostname' } },
    { name: 'Microsoft.PowerShell.Management\\Get-Content', parameters: { Path: '/etc/hostname' } },
    { name: 'Microsoft.PowerShell.Management\\New-Item', parameters: { Path: canary } },
    { name: 'Import-ExoPrelude', parameters: { Module: ['Microsoft.PowerShell.Utility'] } },
    { name: 'Connect-ExoRps', parameters: { ConnectionUri: 'http://127.0.0.1:9/' } },
  ];
}

describe.each(['rps', 'module'] as const)(
  'the %s strategy runs only what its session exported',
  (strategy) => {
    it('exposes the surface, and refuses every local command class before it runs', async () => {
      const exo = await opened({ strategy });
      expect(exo.commands).toEqual(expect.arrayContaining(['Get-Mailbox', 'Set-Mailbox', 'New-Mailbox']));
      expect(exo.commands).not.toContain('Get-Content');
      expect(exo.commands).not.toContain('Connect-ExchangeOnline');
      const canary = join(scratch, `${strategy}-canary`);
      for (const { name, parameters } of localCommands(canary)) {
        await expect(exo.invoke(name, parameters), name).rejects.toMatchObject({
          code: 'COMMAND_NOT_ALLOWED',
        });
      }
      for (const name of ['& Get-Content', '&Get-Content']) {
        await expect(exo.invoke(name, { Path: '/etc/hostname' }), name).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
        });
      }
      expect(existsSync(canary)).toBe(false);
      // Refusals leave the connection as it was.
      expect(await exo.invoke('get-mailbox', { ResultSize: 1 })).toHaveLength(1);
    });

    it('applies the commandNames filter and the prefix', async () => {
      const exo = await opened({ strategy, commandNames: ['Get-Mailbox'], prefix: 'Contoso' });
      expect(exo.commands).toContain('Get-ContosoMailbox');
      expect(exo.commands).not.toContain('Set-ContosoMailbox');
      expect(exo.commands.every((c) => /-Contoso/.test(c))).toBe(true);
      await expect(exo.invoke('Set-ContosoMailbox', { Identity: 'admin' })).rejects.toMatchObject({
        code: 'COMMAND_NOT_ALLOWED',
      });
      await expect(exo.invoke('Get-Mailbox')).rejects.toMatchObject({ code: 'COMMAND_NOT_ALLOWED' });
      expect(await exo.invoke('Get-ContosoMailbox', { ResultSize: 2 })).toHaveLength(2);
    });
  },
);
