import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, processAlive } from '@exo-connect/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../src/bridge/frames.js';
import { PwshBridge } from '../src/bridge/pwsh-bridge.js';
import { locatePwsh, type PwshInfo } from '../src/pwsh/locate-pwsh.js';

async function collect(iterable: AsyncGenerator<Frame, { ok: boolean; stopped: boolean }>) {
  const frames: Frame[] = [];
  let step = await iterable.next();
  while (!step.done) {
    frames.push(step.value);
    step = await iterable.next();
  }
  return { frames, end: step.value };
}

let info: PwshInfo;
let bridge: PwshBridge;
let canaryDir: string;

beforeAll(async () => {
  info = await locatePwsh();
  bridge = await PwshBridge.start({ info });
  canaryDir = await makeTempDir('exo-canary-');
});
afterAll(async () => {
  await bridge?.close();
});

describe('PwshBridge', () => {
  it('returns output objects, warnings and error records as frames', async () => {
    const out = await collect(bridge.request('Write-Output', { InputObject: [1, 'two', { three: 3 }] }));
    expect(out.frames).toEqual([
      { t: 'o', v: 1 },
      { t: 'o', v: 'two' },
      { t: 'o', v: { three: 3 } },
    ]);
    expect(out.end).toEqual({ ok: true, stopped: false });

    const warn = await collect(bridge.request('Write-Warning', { Message: 'careful' }));
    expect(warn.frames).toEqual([{ t: 'w', m: 'careful' }]);

    const missing = await collect(bridge.request('Get-Item', { Path: join(canaryDir, 'missing') }));
    expect(missing.frames).toEqual([
      expect.objectContaining({
        t: 'e',
        fqid: 'PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand',
        category: 'ObjectNotFound',
        terminating: false,
      }),
    ]);
    expect(missing.end.ok).toBe(true);
  });

  it('reports a terminating error and a command that does not exist as failures', async () => {
    const bad = await collect(bridge.request('Get-Date', { Year: 'not a year' }));
    expect(bad.end.ok).toBe(false);
    expect(bad.frames[0]).toMatchObject({
      t: 'e',
      terminating: true,
      fqid: expect.stringContaining('CannotConvertArgument'),
    });

    const none = await collect(bridge.request('Get-NoSuchThing', {}));
    expect(none.end.ok).toBe(false);
    expect(none.frames[0]).toMatchObject({ t: 'e', fqid: 'CommandNotFoundException', terminating: true });
  });

  it('forwards progress records that a console host would drop', async () => {
    const out = await collect(
      bridge.request('Write-Progress', { Activity: 'Importing', Status: 'step', PercentComplete: 40 }),
    );
    expect(out.frames).toContainEqual(
      expect.objectContaining({ t: 'p', activity: 'Importing', status: 'step', percent: 40 }),
    );
  });

  it('delivers every string as data, never as code', async () => {
    const canary = join(canaryDir, 'pwned');
    const payloads = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc.constantFrom(
        `$(New-Item -ItemType File -Path '${canary}')`,
        `'; New-Item -ItemType File -Path '${canary}'; '`,
        `"; New-Item -ItemType File -Path "${canary}"; "`,
        `‘; New-Item -ItemType File -Path ‘${canary}’; ’`,
        `“$(New-Item -ItemType File -Path “${canary}”)”`,
        `\`$(New-Item -ItemType File -Path ${canary})`,
        `@(New-Item -ItemType File -Path ${canary})`,
        `x\n New-Item -ItemType File -Path ${canary}\n`,
        `x\u0000; New-Item -ItemType File -Path ${canary}`,
        `${'a'.repeat(20_000)}😀𝄞`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(payloads, { minLength: 1, maxLength: 4 }), async (values) => {
        const out = await collect(bridge.request('Write-Output', { InputObject: { values } }));
        expect(out.frames).toEqual([{ t: 'o', v: { values } }]);
      }),
      { numRuns: 200 },
    );
    expect(existsSync(canary)).toBe(false);
  });

  it('hands a secret over the side channel only, and only once', async () => {
    const password = 'S3cret-Bridge-Canary-7e1f';
    const out = await collect(
      bridge.request(
        'Write-Output',
        { InputObject: { $exoSecret: 'cred' } },
        { secrets: { cred: { kind: 'credential', userName: 'a@b.example', password } } },
      ),
    );
    expect(out.frames).toEqual([{ t: 'o', v: expect.objectContaining({ UserName: 'a@b.example' }) }]);
    // A PSCredential serialises its password as a SecureString object, never as text.
    expect(JSON.stringify(out.frames)).not.toContain(password);
    if (process.platform === 'linux') {
      expect(readFileSync(`/proc/${bridge.pid}/cmdline`, 'utf8')).not.toContain(password);
      expect(readFileSync(`/proc/${bridge.pid}/environ`, 'utf8')).not.toContain(password);
    }
    const again = await collect(bridge.request('Write-Output', { InputObject: { $exoSecret: 'cred' } }));
    expect(again.end.ok).toBe(false);
    expect(again.frames[0]).toMatchObject({ t: 'e', message: "No secret named 'cred' was provided." });
  });

  it('stops a running command when the caller aborts, and stays usable', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const out = await collect(bridge.request('Start-Sleep', { Seconds: 30 }, { signal: controller.signal }));
    expect(out.end).toEqual({ ok: false, stopped: true });
    // Stopped, not waited for: it returned before the sleep would have ended, however busy the machine.
    expect(Date.now() - started).toBeLessThan(30_000);
    const after = await collect(bridge.request('Write-Output', { InputObject: 'still here' }));
    expect(after.frames).toEqual([{ t: 'o', v: 'still here' }]);
  });

  it('runs requests one at a time in call order', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => collect(bridge.request('Write-Output', { InputObject: n }))),
    );
    expect(results.map((r) => r.frames)).toEqual([1, 2, 3, 4].map((n) => [{ t: 'o', v: n }]));
  });

  it('streams 100,000 objects with flat Node memory', async () => {
    const script = '1..100000 | ForEach-Object { [pscustomobject]@{ Id = $_; Name = "user$_" } }';
    const before = process.memoryUsage().rss;
    let peak = before;
    let count = 0;
    let firstAt = 0;
    const started = Date.now();
    for await (const frame of bridge.request('Invoke-Expression', { Command: script })) {
      if (frame.t !== 'o') continue;
      if (count === 0) firstAt = Date.now() - started;
      count++;
      if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(count).toBe(100_000);
    // Streamed, not collected first: the first object came long before the last, on a slow machine as well.
    expect(firstAt).toBeLessThan((Date.now() - started) / 2);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('PwshBridge lifecycle', () => {
  it('fails the running request with SESSION_BROKEN when pwsh dies', async () => {
    const doomed = await PwshBridge.start({ info });
    setTimeout(() => doomed.kill(), 300);
    await expect(collect(doomed.request('Start-Sleep', { Seconds: 30 }))).rejects.toMatchObject({
      code: 'SESSION_BROKEN',
    });
    await doomed.waitForExit();
    expect(doomed.alive).toBe(false);
  });

  it("starts the host with its .NET runtime settings, and lets the caller's environment override them", async () => {
    const read = async (host: PwshBridge, name: string) => {
      const { frames } = await collect(host.request('Get-Item', { Path: `env:${name}` }, { depth: 1 }));
      return (frames.find((f) => f.t === 'o') as { v: { Value: string } } | undefined)?.v.Value;
    };
    expect(await read(bridge, 'DOTNET_TC_CallCountingDelayMs')).toBe('500');
    expect(await read(bridge, 'DOTNET_TieredPGO')).toBe('0');
    const tuned = await PwshBridge.start({ info, env: { ...process.env, DOTNET_TieredPGO: '1' } });
    try {
      expect(await read(tuned, 'DOTNET_TieredPGO')).toBe('1');
    } finally {
      await tuned.close();
    }
  });

  it('ends pwsh on close', async () => {
    const host = await PwshBridge.start({ info });
    expect(processAlive(host.pid)).toBe(true);
    await host.close();
    expect(processAlive(host.pid)).toBe(false);
  });

  it('ends pwsh when the Node process is killed with SIGKILL', async () => {
    const entry = new URL('../dist/index.js', import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { PwshBridge } from ${JSON.stringify(entry)};
         const b = await PwshBridge.start();
         process.stdout.write(String(b.pid) + '\\n');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolve) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    });
    expect(processAlive(pid)).toBe(true);
    child.kill('SIGKILL');
    await expect.poll(() => processAlive(pid), { interval: 200 }).toBe(false);
  });
});
