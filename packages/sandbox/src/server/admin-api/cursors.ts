import { randomBytes } from 'node:crypto';

/** What a nextLink stands for: the engine's cursor, and who may follow it with which projection. */
export interface CursorEntry {
  tenantId: string;
  /** callerKey() of the caller that ran the command. */
  owner: string;
  cmdlet: string;
  parameters: Record<string, unknown>;
  select?: readonly string[];
  pageSize: number;
  cursor: string;
}

export interface CursorStore {
  /** Stores an entry and returns its opaque id (the $skiptoken of the nextLink). */
  put(entry: CursorEntry): string;
  /** The live entry with that id if it belongs to this tenant and caller; undefined otherwise. */
  get(id: string, tenantId: string, owner: string): CursorEntry | undefined;
  readonly size: number;
}

export interface CursorStoreOptions {
  /** Most entries kept; the oldest go first. Default 1000. */
  maxEntries?: number;
  /** How long a nextLink can be followed. Default 10 minutes. */
  ttlMs?: number;
  now?: () => number;
}

/** Who may follow a nextLink: the same user or app of the same tenant. */
export function callerKey(caller: { tenantId: string; userPrincipalName?: string; appId?: string }): string {
  return [caller.tenantId, caller.userPrincipalName ?? '', caller.appId ?? ''].join('|').toLowerCase();
}

/**
 * Bounded in entries and in time so memory stays flat however many results are left half-read. An entry is
 * not consumed when read: a client that lost a page to a dropped connection follows the same link again.
 */
export function createCursorStore(options: CursorStoreOptions = {}): CursorStore {
  const maxEntries = options.maxEntries ?? 1000;
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order (one TTL for all), so expired entries are always at the front.
  const entries = new Map<string, { entry: CursorEntry; expiresAt: number }>();

  const sweep = (at: number) => {
    for (const [id, held] of entries) {
      if (held.expiresAt > at && entries.size <= maxEntries) break;
      entries.delete(id);
    }
  };

  return {
    put(entry) {
      const at = now();
      const id = randomBytes(18).toString('base64url');
      entries.set(id, { entry, expiresAt: at + ttlMs });
      sweep(at);
      return id;
    },
    get(id, tenantId, owner) {
      const at = now();
      sweep(at);
      const held = entries.get(id);
      if (!held || held.expiresAt <= at) return undefined;
      if (held.entry.tenantId.toLowerCase() !== tenantId.toLowerCase() || held.entry.owner !== owner) {
        return undefined;
      }
      return held.entry;
    },
    get size() {
      return entries.size;
    },
  };
}
