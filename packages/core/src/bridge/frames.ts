/**
 * The host protocol's frames, one JSON object per line in each direction, and their one codec (the
 * PowerShell side's is the ExoFrame class in powershell/bridge.ps1). PROTOCOL_VERSION is said in the hello;
 * change it, and ExoFrame's, whenever a frame changes shape.
 */
export const PROTOCOL_VERSION = 1;

export interface ErrorFrame {
  t: 'e';
  message: string;
  fqid: string;
  category: string;
  reason: string;
  targetName: string;
  exceptionType: string;
  details: string | null;
  inner: string[];
  terminating: boolean;
  /** Set when the bridge itself, not the command, failed (bad name, undecodable request). */
  bridge?: boolean;
}

export interface ProgressFrame {
  t: 'p';
  activity: string;
  status: string;
  percent: number;
  operation: string | null;
  activityId: number;
  parentId: number;
  completed: boolean;
}

/** The host's first frame: proves it is the process Node started and names what it speaks. */
export interface HelloFrame {
  t: 'hello';
  /** 0 for a host older than protocol versions. */
  protocol: number;
  token: string;
  pid: number;
  version: string;
}

/** Frames the host sends. */
export type Frame =
  | HelloFrame
  | { t: 'o'; v: unknown }
  /** Several output objects at once: a rest transport's page (the pwsh host sends one object a frame). */
  | { t: 'os'; v: unknown[] }
  | ErrorFrame
  | { t: 'w' | 'i' | 'v' | 'd'; m: string }
  | ProgressFrame
  | { t: 'secret'; name: string }
  | { t: 'end'; id: string; ok: boolean; stopped: boolean };

export type SecretValue =
  | { kind: 'credential'; userName: string; password: string }
  | { kind: 'secureString'; value: string }
  | { kind: 'string'; value: string };

export interface RequestFrame {
  t: 'req';
  id: string;
  command: string;
  parameters: Record<string, unknown>;
  /** ConvertTo-Json depth for output objects. */
  depth: number;
  /** Frames buffered in the host before the producer waits for Node (backpressure). */
  queue: number;
}

/** Frames Node sends. A secret is answered with its value, or refused with a null name. */
export type ControlFrame =
  | RequestFrame
  | { t: 'stop'; id: string }
  | { t: 'quit' }
  | ({ t: 'secret'; name: string } & SecretValue)
  | { t: 'secret'; name: null };

/** One frame as one line of JSON (without the newline): JSON.stringify escapes every control character. */
export function encodeFrame(frame: Frame | ControlFrame): string {
  return JSON.stringify(frame);
}

type Checks = Record<string, (frame: Record<string, unknown>) => boolean>;

const any = () => true;
const HOST_FRAMES: Checks = {
  o: any,
  e: (f) => typeof f.message === 'string',
  w: any,
  i: any,
  v: any,
  d: any,
  p: any,
  hello: (f) =>
    typeof f.token === 'string' &&
    typeof f.pid === 'number' &&
    typeof f.version === 'string' &&
    (f.protocol === undefined || typeof f.protocol === 'number'),
  secret: (f) => typeof f.name === 'string',
  end: (f) => typeof f.id === 'string' && typeof f.ok === 'boolean' && typeof f.stopped === 'boolean',
};
const CONTROL_FRAMES: Checks = {
  req: (f) => typeof f.id === 'string' && typeof f.command === 'string',
  stop: any,
  quit: any,
  secret: (f) => f.name === null || (typeof f.name === 'string' && typeof f.kind === 'string'),
};

function decode(line: string, checks: Checks): Record<string, unknown> {
  const value = JSON.parse(line) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || typeof value.t !== 'string') {
    throw new Error('malformed frame');
  }
  const check = Object.hasOwn(checks, value.t) ? checks[value.t] : undefined;
  if (!check?.(value)) throw new Error(`malformed frame (${value.t.slice(0, 20)})`);
  return value;
}

/** Decodes one line the host sent; throws on anything that is not one of its frames. */
export function decodeFrame(line: string): Frame {
  const frame = decode(line, HOST_FRAMES) as Frame;
  if (frame.t === 'hello') frame.protocol ??= 0;
  return frame;
}

/** Decodes one line Node sent (what the host reads; in TypeScript, for hosts written in it, like tests'). */
export function decodeControlFrame(line: string): ControlFrame {
  return decode(line, CONTROL_FRAMES) as ControlFrame;
}

/**
 * Splits a byte stream into lines without decoding partial UTF-8 sequences: bytes are kept until a
 * newline arrives, so a multi-byte character split across chunks is decoded whole.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  /** Feeds a chunk; returns the complete lines it finished (without the newline). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    let nl = chunk.indexOf(0x0a, start);
    while (nl !== -1) {
      let piece = chunk.subarray(start, nl);
      if (this.pendingLength > 0) {
        piece = Buffer.concat([...this.pending, piece], this.pendingLength + piece.length);
        this.pending = [];
        this.pendingLength = 0;
      }
      const end = piece.length > 0 && piece[piece.length - 1] === 0x0d ? piece.length - 1 : piece.length;
      lines.push(piece.toString('utf8', 0, end));
      start = nl + 1;
      nl = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pending.push(rest);
      this.pendingLength += rest.length;
    }
    return lines;
  }

  /** Bytes received after the last newline. */
  get buffered(): number {
    return this.pendingLength;
  }
}
