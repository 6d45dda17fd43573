// The host's side of the host protocol, written in TypeScript with the codec: tests run the protocol without pwsh.
import { Duplex } from 'node:stream';
import {
  type ControlFrame,
  decodeControlFrame,
  encodeFrame,
  type Frame,
  LineSplitter,
  PROTOCOL_VERSION,
  type RequestFrame,
} from '../src/bridge/frames.js';

/** Two connected in-memory streams: what one writes, the other reads; destroying one closes both. */
export function streamPair(): [Duplex, Duplex] {
  const make = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        other().push(chunk);
        done();
      },
      destroy(error, done) {
        if (!other().destroyed) other().destroy();
        done(error);
      },
    });
  const a: Duplex = make(() => b);
  const b: Duplex = make(() => a);
  return [a, b];
}

export const TOKEN = 'tok_en-1';

/** The host's side, written with the codec: reads Node's frames in order, writes its own. */
export class FakeHost {
  readonly received: ControlFrame[] = [];
  private readonly inbox: ControlFrame[] = [];
  private wake: (() => void) | undefined;

  constructor(readonly stream: Duplex) {
    const splitter = new LineSplitter();
    stream.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) {
        const frame = decodeControlFrame(line);
        this.received.push(frame);
        this.inbox.push(frame);
      }
      this.wake?.();
    });
  }

  send(...frames: Frame[]): void {
    this.stream.write(frames.map((f) => `${encodeFrame(f)}\n`).join(''));
  }

  hello(overrides: Partial<Frame & { t: 'hello' }> = {}): void {
    this.send({
      t: 'hello',
      protocol: PROTOCOL_VERSION,
      token: TOKEN,
      pid: 42,
      version: '7.6.9',
      ...overrides,
    });
  }

  async read(): Promise<ControlFrame> {
    while (this.inbox.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.inbox.shift() as ControlFrame;
  }

  async request(): Promise<RequestFrame> {
    const frame = await this.read();
    if (frame.t !== 'req') throw new Error(`expected a request, got ${frame.t}`);
    return frame;
  }

  end(id: string, ok = true, stopped = false): void {
    this.send({ t: 'end', id, ok, stopped });
  }
}
