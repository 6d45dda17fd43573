import { describe, expect, it } from 'vitest';
import { frame, type MemoryHandler, memoryTransports } from '../testing/index.js';
import { connect } from './connect.js';
import type { ConnectionEvent } from './events.js';
import { AccountLimiter } from './limiter.js';
import type { ConnectOptions } from './options.js';

const credential = { userPrincipalName: 'admin@contoso.com', password: 'Pa55w.rd' };

function options(extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    environment: 'exchange-server',
    connectionUri: 'http://mail.contoso.local/PowerShell/',
    strategy: 'rps',
    credential,
    handleSignals: false,
    ...extra,
  };
}

function open(commands: Record<string, MemoryHandler> = {}, extra: Partial<ConnectOptions> = {}) {
  const hosts = memoryTransports({
    commands: {
      'Get-Mailbox': () => [frame.object({ Name: 'a' }), frame.object({ Name: 'b' })],
      ...commands,
    },
    exported: ['Get-Mailbox', 'Set-Mailbox', 'Get-ContosoMailbox'],
  });
  const events: ConnectionEvent[] = [];
  const connecting = connect(options({ onEvent: (e) => events.push(e), ...extra }), {
    hosts,
    limiter: new AccountLimiter(),
  });
  return { hosts, events, connecting };
}

const brokenSession = () => [
  frame.error('Cannot invoke the pipeline because the runspace is not in the Opened state.'),
];

describe('the interpreter over an in-memory transport', () => {
  it('runs every step, reports each start and end from one place, and disconnects cleanly', async () => {
    const { hosts, events, connecting } = open();
    const exo = await connecting;
    expect(exo.state).toBe('ready');
    expect(exo.commands).toEqual(['Get-ContosoMailbox', 'Get-Mailbox', 'Set-Mailbox']);
    expect(await exo.invoke('Get-Mailbox')).toEqual([{ Name: 'a' }, { Name: 'b' }]);
    await exo.disconnect();
    expect(exo.state).toBe('disconnected');
    const steps = events.filter((e) => e.type === 'step').map((e) => `${e.step}:${e.status}`);
    expect(steps).toEqual([
      'policy:started',
      'policy:not-applicable',
      'policy:done',
      'credential:started',
      'credential:done',
      'session:started',
      'session:done',
      'import:started',
      'import:done',
      'disconnect:started',
      'disconnect:done',
    ]);
    const [transport] = hosts.started;
    expect(transport!.requests.map((r) => r.command)).toEqual([
      'Connect-ExoRps',
      'Import-ExoRps',
      'Get-Mailbox',
      'Disconnect-ExoRps',
    ]);
    // The password travelled only as a secret the host asked for, never in the parameters.
    expect(transport!.requests[0]!.secretsRead).toEqual(['credential']);
    expect(JSON.stringify(transport!.requests)).not.toContain(credential.password);
    expect(transport!.closed).toBe(true);
  });

  it('reports a failed step as its end, and releases the host', async () => {
    const { hosts, events, connecting } = open({
      'Connect-ExoRps': () => [frame.error('Connecting to remote server failed: Access is denied.')],
    });
    await expect(connecting).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(events).toContainEqual({ type: 'step', step: 'session', status: 'failed', detail: 'AUTH_FAILED' });
    expect(hosts.started[0]!.alive).toBe(false);
  });

  describe('runs only the commands the session exported', () => {
    const local = [
      'Get-Content',
      'Set-Content',
      'Remove-Item',
      'Invoke-Expression',
      'Invoke-Command',
      'Start-Process',
      'Add-Type',
      'Import-Module',
      'New-Object',
      'Get-ChildItem',
      'get-content',
      'INVOKE-EXPRESSION',
      'Microsoft.PowerShell.Management\\Get-Content',
      'Microsoft.PowerShell.Utility\\Invoke-Expression',
      'Connect-ExoRps',
      'Import-ExoPrelude',
      'Invoke-ExoWorkerCommand',
    ];

    it.each(local)('refuses %s with COMMAND_NOT_ALLOWED before anything runs', async (name) => {
      const { hosts, connecting } = open();
      const exo = await connecting;
      const sent = hosts.started[0]!.requests.length;
      await expect(exo.invoke(name, { Path: '/etc/hostname' })).rejects.toMatchObject({
        code: 'COMMAND_NOT_ALLOWED',
        remediation: expect.stringMatching(/allowCommands|module name/),
      });
      const streamed = exo.stream(name, { Command: 'whoami' });
      await expect(streamed.next()).rejects.toMatchObject({ code: 'COMMAND_NOT_ALLOWED' });
      expect(hosts.started[0]!.requests).toHaveLength(sent);
      expect(exo.state).toBe('ready');
      await exo.disconnect();
    });

    it('refuses call-operator and script text as names that are no command (INVALID_ARGUMENT)', async () => {
      const { hosts, connecting } = open();
      const exo = await connecting;
      for (const name of [
        '& Get-Content',
        '&Get-Content',
        '. ./evil.ps1',
        'Get-Mailbox; Get-Content /etc/passwd',
      ]) {
        await expect(exo.invoke(name)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      }
      expect(hosts.started[0]!.requests.map((r) => r.command)).toEqual(['Connect-ExoRps', 'Import-ExoRps']);
      await exo.disconnect();
    });

    it('matches names as PowerShell does, without regard to case, and with the prefix', async () => {
      const { connecting } = open({ 'Get-ContosoMailbox': () => [frame.object(1)] });
      const exo = await connecting;
      expect(await exo.invoke('get-MAILBOX')).toHaveLength(2);
      expect(await exo.invoke('Get-ContosoMailbox')).toEqual([1]);
      await exo.disconnect();
    });

    it('runs what the caller opted in to: allowCommands, or every local command', async () => {
      const sleep: MemoryHandler = () => [frame.object('slept')];
      const some = await open({ 'Start-Sleep': sleep }, { allowCommands: ['Start-Sleep'] }).connecting;
      expect(await some.invoke('start-sleep')).toEqual(['slept']);
      await expect(some.invoke('Get-Content')).rejects.toMatchObject({ code: 'COMMAND_NOT_ALLOWED' });
      await some.disconnect();
      const any = await open({ 'Get-Content': () => [frame.object('x')] }, { allowLocalCommands: true })
        .connecting;
      expect(await any.invoke('Get-Content', { Path: '/etc/hostname' })).toEqual(['x']);
      await any.disconnect();
    });

    it('refuses a bad allowCommands entry when connecting', async () => {
      await expect(open({}, { allowCommands: ['Get-Content;rm'] }).connecting).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { field: 'allowCommands.0' },
      });
    });
  });

  describe('when the session breaks under a command, the machine decides', () => {
    it('runs a read again after one reconnect, and not a second time', async () => {
      let broken = 1;
      const { hosts, events, connecting } = open({
        'Get-Mailbox': () => (broken-- > 0 ? brokenSession() : [frame.object({ Name: 'again' })]),
      });
      const exo = await connecting;
      expect(await exo.invoke('Get-Mailbox')).toEqual([{ Name: 'again' }]);
      const commands = hosts.started[0]!.requests.map((r) => r.command);
      expect(commands.filter((c) => c === 'Connect-ExoRps')).toHaveLength(2);
      expect(events.filter((e) => e.type === 'state').map((e) => e.to)).toContain('session');
      broken = 1;
      await expect(exo.invoke('Get-Mailbox')).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
      expect(exo.state).toBe('ready');
      await exo.disconnect();
    });

    it('gives up waiting for the reconnect when the caller’s signal does', async () => {
      let calls = 0;
      const { connecting } = open({
        'Get-Mailbox': () => brokenSession(),
        'Connect-ExoRps': ({ signal }) =>
          calls++ === 0
            ? [frame.object({ State: 'Opened' })]
            : new Promise<never>((_, reject) =>
                signal.addEventListener('abort', () => reject(signal.reason)),
              ),
      });
      const exo = await connecting;
      const controller = new AbortController();
      const reading = exo.invoke('Get-Mailbox', {}, { signal: controller.signal });
      await expect.poll(() => exo.state).toBe('session');
      controller.abort();
      await expect(reading).rejects.toMatchObject({ code: 'ABORTED' });
      await exo.disconnect();
    });

    it('never sends a write twice', async () => {
      let calls = 0;
      const { connecting } = open({
        'Set-Mailbox': () => {
          calls++;
          return brokenSession();
        },
      });
      const exo = await connecting;
      await expect(exo.invoke('Set-Mailbox', { Identity: 'a' })).rejects.toMatchObject({
        code: 'SESSION_BROKEN',
      });
      expect(calls).toBe(1);
      await exo.disconnect();
    });

    it('ends the connection when its host is gone', async () => {
      const { hosts, connecting } = open({
        'Get-Mailbox': async function* () {
          yield frame.object(1);
          hosts.started[0]!.kill();
          yield frame.object(2);
        },
      });
      const exo = await connecting;
      const seen: unknown[] = [];
      await expect(
        (async () => {
          for await (const row of exo.stream('Get-Mailbox')) seen.push(row);
        })(),
      ).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
      expect(seen).toEqual([1]);
      await expect.poll(() => exo.state).toBe('failed');
    });

    it('reports a stream stopped before its host went as stopped, not as a broken session', async () => {
      // A slow consumer holds a row while disconnect (on Ctrl-C) stops the command and closes the host:
      // the next read meets the closed host, but the command had been stopped first.
      const { hosts, connecting } = open({
        'Get-Mailbox': async function* () {
          for (let i = 1; i <= 100; i++) yield frame.object(i);
        },
      });
      const exo = await connecting;
      const stop = new AbortController();
      const rows = exo.stream('Get-Mailbox', {}, { signal: stop.signal });
      expect((await rows.next()).value).toBe(1);
      stop.abort();
      hosts.started[0]!.kill();
      await expect(rows.next()).rejects.toMatchObject({ code: 'ABORTED' });
    });
  });

  it('stops a step that outlives its timeout and releases everything', async () => {
    const { hosts, events, connecting } = open(
      {
        'Import-ExoRps': ({ signal }) =>
          new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      },
      { timeouts: { import: 20 } },
    );
    await expect(connecting).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'The import step timed out.',
    });
    expect(hosts.started[0]!.alive).toBe(false);
    expect(events).toContainEqual({ type: 'step', step: 'import', status: 'failed', detail: 'TIMEOUT' });
  });

  it('connects with the module strategy and a prefix, checking the prefixed default cmdlet', async () => {
    const hosts = memoryTransports({
      exported: ['Get-ContosoMailbox', 'Set-ContosoMailbox', 'Get-ConnectionInformation'],
    });
    const exo = await connect(
      { environment: 'worldwide', strategy: 'module', credential, prefix: 'Contoso', handleSignals: false },
      { hosts, limiter: new AccountLimiter() },
    );
    expect(exo.commands).toContain('Get-ContosoMailbox');
    await exo.disconnect();
    const bare = memoryTransports({ exported: ['Get-ConnectionInformation'] });
    await expect(
      connect(
        { environment: 'worldwide', strategy: 'module', credential, handleSignals: false },
        { hosts: bare },
      ),
    ).rejects.toMatchObject({
      code: 'MODULE_NOT_INSTALLED',
      message: expect.stringContaining('Get-Mailbox'),
    });
  });

  it('explains missing mandatory parameters as INVALID_ARGUMENT naming them', async () => {
    const { connecting } = open({
      'Set-Mailbox': () => [
        frame.error(
          'Cannot process command because of one or more missing mandatory parameters: MicrosoftOnlineServicesID Password.',
        ),
      ],
    });
    const exo = await connecting;
    await expect(exo.invoke('Set-Mailbox', { Name: 'x' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { missingParameters: ['MicrosoftOnlineServicesID', 'Password'] },
      remediation:
        'Pass the missing parameters: -MicrosoftOnlineServicesID, -Password (with exo run, after --).',
    });
    await exo.disconnect();
  });
});
