import { randomBytes } from 'node:crypto';
import type { CallerIdentity, EngineError } from '../contracts.js';

/**
 * The line protocol between the pool and its workers (powershell/ExoSandbox.Rest/worker.ps1 and the engine's
 * RestWorker). The pool sends a random marker as the first stdin line, then one JSON request per line; every reply
 * is one stdout line holding the marker, a space and JSON. Lines without the marker are stray output (a host or a
 * .NET component writing to the console) and are never taken for replies.
 */

export type WorkerRequest =
  | {
      op: 'invoke';
      cmdlet: string;
      parameters: Record<string, unknown>;
      pageSize: number;
      caller: string;
    }
  | { op: 'next'; cmdlet: string; cursor: string; pageSize: number; caller: string }
  /** Checks a password as the PSSession face's sign-in does (the password travels only on stdin). */
  | { op: 'authenticate'; upn: string; password: string };

/** The engine's AuthenticationOutcome, and whether the account exists at all. */
export type AuthOutcome =
  | 'Success'
  | 'AccessDenied'
  | 'RemotePowerShellDisabled'
  | 'FederatedServiceUnreachable'
  | 'MultiFactorRequired';

export interface WorkerCommand {
  name: string;
  parameters: string[];
}

export type WorkerReply =
  | { kind: 'ready'; pid: number; commands: WorkerCommand[] }
  | { kind: 'fatal'; message: string }
  | { kind: 'page'; id: number; objects: Record<string, unknown>[]; warnings: string[]; cursor?: string }
  | { kind: 'error'; id: number; error: EngineError; warnings: string[] }
  | { kind: 'cursorExpired'; id: number }
  | { kind: 'auth'; id: number; outcome: AuthOutcome; upn?: string; exists: boolean };

/** A fresh marker for one worker process: 128 random bits, so no output can guess it. */
export function newMarker(): string {
  return randomBytes(16).toString('hex');
}

export function encodeRequest(id: number, request: WorkerRequest): string {
  // JSON.stringify escapes CR and LF inside strings, so a request is always exactly one line.
  return `${JSON.stringify({ id, ...request })}\n`;
}

/** Reads one reply from its JSON text; throws on anything the worker would never send. */
export function decodeReply(json: string): WorkerReply {
  const raw = JSON.parse(json) as Record<string, unknown>;
  if (raw.ready === true) {
    return { kind: 'ready', pid: Number(raw.pid), commands: (raw.commands ?? []) as WorkerCommand[] };
  }
  if (typeof raw.fatal === 'string') return { kind: 'fatal', message: raw.fatal };
  const id = raw.id;
  if (typeof id !== 'number') throw new Error(`engine worker reply without an id: ${json.slice(0, 200)}`);
  if (raw.cursorExpired === true) return { kind: 'cursorExpired', id };
  if (typeof raw.outcome === 'string') {
    const auth = {
      kind: 'auth' as const,
      id,
      outcome: raw.outcome as AuthOutcome,
      exists: raw.exists === true,
    };
    return typeof raw.upn === 'string' ? { ...auth, upn: raw.upn } : auth;
  }
  const warnings = (raw.warnings ?? []) as string[];
  if (raw.ok === true) {
    const objects = (raw.objects ?? []) as Record<string, unknown>[];
    return typeof raw.cursor === 'string'
      ? { kind: 'page', id, objects, warnings, cursor: raw.cursor }
      : { kind: 'page', id, objects, warnings };
  }
  if (raw.ok === false && raw.error) return { kind: 'error', id, error: raw.error as EngineError, warnings };
  throw new Error(`engine worker reply of unknown shape: ${json.slice(0, 200)}`);
}

export interface ReplyReader {
  /** Feed a stdout chunk; complete lines are handled at once. */
  push(chunk: Buffer): void;
}

/**
 * Splits stdout into lines without re-scanning what was read (a page of 1,000 mailboxes is one ~3 MB line), and
 * hands each framed reply to `onReply`, each other non-empty line to `onStray`.
 */
export function createReplyReader(
  marker: string,
  onReply: (reply: WorkerReply) => void,
  onStray: (line: string) => void,
): ReplyReader {
  const frame = `${marker} `;
  let parts: Buffer[] = [];
  const line = (bytes: Buffer) => {
    const text = bytes.toString('utf8');
    const at = text.indexOf(frame);
    if (at >= 0) onReply(decodeReply(text.slice(at + frame.length)));
    else if (text.trim() !== '') onStray(text);
  };
  return {
    push(chunk) {
      let start = 0;
      let nl = chunk.indexOf(0x0a, start);
      while (nl !== -1) {
        const piece = chunk.subarray(start, nl);
        line(parts.length > 0 ? Buffer.concat([...parts, piece]) : piece);
        parts = [];
        start = nl + 1;
        nl = chunk.indexOf(0x0a, start);
      }
      if (start < chunk.length) parts.push(chunk.subarray(start));
    },
  };
}

/** Who may continue a paged result: the same tenant and the same user or app. */
export function callerKey(caller: CallerIdentity): string {
  return JSON.stringify([caller.tenantId, caller.userPrincipalName ?? '', caller.appId ?? '']);
}

/** The opaque cursor a caller sees: the worker that holds the query, and that worker's one-shot token. */
export function formatCursor(workerId: number, token: string): string {
  return `${workerId}.${token}`;
}

export function parseCursor(cursor: string): { workerId: number; token: string } | undefined {
  const match = /^(\d{1,9})\.([0-9a-f]{32})$/.exec(cursor);
  return match ? { workerId: Number(match[1]), token: match[2] as string } : undefined;
}

/** The page size a request may ask for (Prefer: odata.maxpagesize, 1..1000; default 1000). */
export function clampPageSize(pageSize: number | undefined): number {
  if (pageSize === undefined || !Number.isFinite(pageSize)) return 1000;
  return Math.min(1000, Math.max(1, Math.floor(pageSize)));
}

/** What a caller gets for a cursor that no worker holds any more. */
export function cursorExpiredError(limits: { cursorIdleMs: number; maxCursors: number }): EngineError {
  return {
    type: 'PageCursorExpiredException',
    typeName: 'ExoConnect.Sandbox.PageCursorExpiredException',
    message:
      `The page cursor is unknown or has expired: an open result is kept ${Math.round(limits.cursorIdleMs / 1000)} ` +
      `seconds after its last page, at most ${limits.maxCursors} per engine worker, and each cursor serves one ` +
      'page. Run the command again.',
    category: 'InvalidArgument',
    httpStatus: 400,
  };
}
