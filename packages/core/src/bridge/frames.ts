/** Frames pwsh writes on the side channel, one JSON object per line (see powershell/bridge.ps1). */
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

export type Frame =
  | { t: 'hello'; token: string; pid: number; version: string }
  | { t: 'o'; v: unknown }
  | ErrorFrame
  | { t: 'w' | 'i' | 'v' | 'd'; m: string }
  | ProgressFrame
  | { t: 'secret'; name: string }
  | { t: 'end'; id: string; ok: boolean; stopped: boolean };

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

export function parseFrame(line: string): Frame {
  const value = JSON.parse(line) as Frame;
  if (typeof value !== 'object' || value === null || typeof (value as { t?: unknown }).t !== 'string') {
    throw new Error('malformed frame');
  }
  return value;
}
