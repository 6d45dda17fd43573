import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeHost, streamPair, TOKEN } from '../../test/fake-host.js';
import { type ControlFrame, type Frame, LineSplitter, PROTOCOL_VERSION } from './frames.js';
import { HIGH_WATER, HostProtocol, LOW_WATER } from './host-protocol.js';

interface Setup {
  protocol: HostProtocol;
  host: FakeHost;
  node: Duplex;
  kills: number;
}

/** A protocol and a fake host on a fresh stream pair, before the hello. */
function pair(): Setup {
  const [node, far] = streamPair();
  const setup = { node, host: new FakeHost(far), kills: 0 } as Setup;
  setup.protocol = new HostProtocol(node, { peer: 'test host', kill: () => setup.kills++ });
  return setup;
}

async function connected(): Promise<Setup> {
  const setup = pair();
  setup.host.hello();
  await setup.protocol.handshake(TOKEN);
  return setup;
}

async function drain(frames: AsyncGenerator<Frame, unknown>): Promise<{ frames: Frame[]; result: unknown }> {
  const out: Frame[] = [];
  for (let step = await frames.next(); ; step = await frames.next()) {
    if (step.done) return { frames: out, result: step.value };
    out.push(step.value);
  }
}

describe('HostProtocol: the hello', () => {
  it('accepts the host with the token and protocol version, and gives its hello', async () => {
    const { protocol, host } = pair();
    host.hello({ pid: 7 });
    await expect(protocol.handshake(TOKEN)).resolves.toMatchObject({ pid: 7, version: '7.6.9', protocol: 1 });
  });

  it('refuses a wrong token with PWSH_NOT_FOUND and closes the stream', async () => {
    const { protocol, host, node } = pair();
    host.hello({ token: 'someone-else' });
    await expect(protocol.handshake(TOKEN)).rejects.toMatchObject({
      code: 'PWSH_NOT_FOUND',
      message: 'The test host did not identify itself.',
    });
    expect(node.destroyed).toBe(true);
  });

  it.each([
    [PROTOCOL_VERSION + 1, `${PROTOCOL_VERSION + 1}`],
    [undefined, '0'],
  ])('refuses protocol %j with PWSH_NOT_FOUND naming both versions', async (version, named) => {
    const { protocol, host, node } = pair();
    if (version === undefined)
      host.stream.write(`{"t":"hello","token":"${TOKEN}","pid":1,"version":"7.6.9"}\n`);
    else host.hello({ protocol: version });
    await expect(protocol.handshake(TOKEN)).rejects.toMatchObject({
      code: 'PWSH_NOT_FOUND',
      message: `The test host speaks host protocol ${named}, and this exo-connect speaks ${PROTOCOL_VERSION}.`,
    });
    expect(node.destroyed).toBe(true);
  });

  it('fails the handshake when the first frame is not a hello, or the stream closes first', async () => {
    const notHello = pair();
    notHello.host.send({ t: 'o', v: 1 });
    await expect(notHello.protocol.handshake(TOKEN)).rejects.toThrow('expected hello');
    const closed = pair();
    closed.host.stream.destroy();
    await expect(closed.protocol.handshake(TOKEN)).rejects.toThrow('closed before hello');
  });
});

describe('HostProtocol: requests', () => {
  it('runs queued requests one at a time, in call order', async () => {
    const { protocol, host } = await connected();
    const served: string[] = [];
    const serving = (async () => {
      for (let i = 0; i < 3; i++) {
        const req = await host.request();
        // Node sends the next request only after this one ended.
        expect(host.received.filter((f) => f.t === 'req')).toHaveLength(i + 1);
        served.push(req.command);
        await new Promise((resolve) => setTimeout(resolve, 5));
        host.send({ t: 'o', v: req.command });
        host.end(req.id);
      }
    })();
    const results = await Promise.all(
      ['Get-A', 'Get-B', 'Get-C'].map((command) => drain(protocol.request(command, { N: 1 }))),
    );
    await serving;
    expect(served).toEqual(['Get-A', 'Get-B', 'Get-C']);
    expect(results.map((r) => r.frames)).toEqual([
      [{ t: 'o', v: 'Get-A' }],
      [{ t: 'o', v: 'Get-B' }],
      [{ t: 'o', v: 'Get-C' }],
    ]);
    expect(results[0]!.result).toEqual({ ok: true, stopped: false });
    expect(host.received[0]).toMatchObject({ t: 'req', parameters: { N: 1 }, depth: 4, queue: 1024 });
  });

  it('pauses the stream above the high water mark and resumes it below the low one', async () => {
    const { protocol, host, node } = await connected();
    const total = 4000;
    let arrived = 0;
    const counter = new LineSplitter();
    // Counted before the protocol sees each chunk (it pauses while handling one).
    node.prependListener('data', (chunk: Buffer) => {
      arrived += counter.push(chunk).length;
    });
    const paused = new Promise<number>((resolve) => node.once('pause', () => resolve(arrived)));
    void host.request().then((req) => {
      for (let i = 0; i < total; i += 100) {
        host.send(...Array.from({ length: 100 }, (_, j) => ({ t: 'o' as const, v: i + j })));
      }
      host.end(req.id);
    });
    const frames = protocol.request('Get-Many');
    const first = await frames.next();
    expect(first.value).toEqual({ t: 'o', v: 0 });
    const arrivedAtPause = await paused;
    expect(arrivedAtPause).toBeGreaterThan(HIGH_WATER);
    expect(arrivedAtPause).toBeLessThan(total);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(node.isPaused()).toBe(true);
    expect(arrived).toBe(arrivedAtPause);
    let consumed = 1;
    let heldAtResume: number | undefined;
    const values: unknown[] = [0];
    while (true) {
      const step = await frames.next();
      if (step.done) break;
      consumed++;
      values.push((step.value as { v: unknown }).v);
      if (heldAtResume === undefined && !node.isPaused()) heldAtResume = arrived - consumed;
    }
    // Resumed as soon as fewer than LOW_WATER frames are held, not later.
    expect(heldAtResume).toBe(LOW_WATER - 1);
    expect(values).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('answers a secret once, on request, and refuses a missing one', async () => {
    const { protocol, host } = await connected();
    const answers: ControlFrame[] = [];
    void host.request().then(async (req) => {
      for (const name of ['cred', 'cred', 'other']) {
        host.send({ t: 'secret', name });
        answers.push(await host.read());
      }
      host.end(req.id);
    });
    const secret = { kind: 'credential' as const, userName: 'a@b.example', password: 'pa"ss\nwörd' };
    await drain(
      protocol.request(
        'Connect-Thing',
        { Credential: { $exoSecret: 'cred' } },
        { secrets: { cred: secret } },
      ),
    );
    expect(answers).toEqual([
      { t: 'secret', name: 'cred', ...secret },
      { t: 'secret', name: null },
      { t: 'secret', name: null },
    ]);
    expect(JSON.stringify(host.received.find((f) => f.t === 'req'))).not.toContain('pa\\"ss');
  });

  it('sends stop when the signal aborts and returns the end frame that says stopped', async () => {
    const { protocol, host } = await connected();
    void host.request().then(async (req) => {
      host.send({ t: 'o', v: 1 });
      const stop = await host.read();
      expect(stop).toEqual({ t: 'stop', id: req.id });
      host.end(req.id, false, true);
    });
    const abort = new AbortController();
    const frames = protocol.request('Get-Slow', {}, { signal: abort.signal });
    expect((await frames.next()).value).toEqual({ t: 'o', v: 1 });
    abort.abort();
    await expect(frames.next()).resolves.toEqual({ done: true, value: { ok: false, stopped: true } });
  });

  it('kills the host when a stop is not honoured within its grace', async () => {
    const setup = await connected();
    void setup.host.request();
    const abort = new AbortController();
    const frames = setup.protocol.request('Get-Stuck', {}, { signal: abort.signal, stopGraceMs: 30 });
    const pending = frames.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(setup.kills).toBe(1);
    setup.protocol.end('The test host exited.');
    await expect(pending).rejects.toMatchObject({ code: 'SESSION_BROKEN', message: 'The test host exited.' });
  });

  it('stops a request abandoned early and reads its frames away, so the next request gets only its own', async () => {
    const { protocol, host } = await connected();
    void (async () => {
      const first = await host.request();
      host.send({ t: 'o', v: 'a1' }, { t: 'o', v: 'a2' });
      expect(await host.read()).toEqual({ t: 'stop', id: first.id });
      host.send({ t: 'o', v: 'a3' });
      host.end(first.id, false, true);
      const second = await host.request();
      host.send({ t: 'o', v: 'b1' });
      host.end(second.id);
    })();
    for await (const frame of protocol.request('Get-A')) {
      expect(frame).toEqual({ t: 'o', v: 'a1' });
      break;
    }
    const next = await drain(protocol.request('Get-B'));
    expect(next.frames).toEqual([{ t: 'o', v: 'b1' }]);
  });

  it('fails the running request and later ones with SESSION_BROKEN when the stream closes', async () => {
    const { protocol, host } = await connected();
    void host.request().then(() => {
      host.send({ t: 'o', v: 1 });
      setTimeout(() => host.stream.destroy(), 10);
    });
    const frames = protocol.request('Get-Thing');
    expect((await frames.next()).value).toEqual({ t: 'o', v: 1 });
    await expect(frames.next()).rejects.toMatchObject({
      code: 'SESSION_BROKEN',
      message: 'The test host closed its channel.',
    });
    await expect(drain(protocol.request('Get-Thing'))).rejects.toMatchObject({ code: 'SESSION_BROKEN' });
  });

  it('fails the request with SESSION_BROKEN on a malformed frame', async () => {
    const { protocol, host } = await connected();
    void host.request().then(() => host.stream.write('{"t":"o","v":\n'));
    await expect(drain(protocol.request('Get-Thing'))).rejects.toMatchObject({
      code: 'SESSION_BROKEN',
      message: 'The test host sent a malformed frame.',
    });
  });

  it('refuses an invalid request before anything is sent, and sends quit', async () => {
    const { protocol, host } = await connected();
    await expect(drain(protocol.request('Get-Thing; rm'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    protocol.quit();
    expect(await host.read()).toEqual({ t: 'quit' });
  });
});
