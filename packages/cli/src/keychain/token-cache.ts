import type { TokenCacheStore } from '@exo-connect/core';
import type { Keychain } from './keychain.js';

/** Below the keychain's per-entry limit (MAX_KEYCHAIN_SECRET_BYTES) with room for the header. */
export const TOKEN_CACHE_CHUNK_BYTES = 1536;
/** How long a read or write of the cache stands for the keychain's contents (one sign-in's accesses). */
export const TOKEN_CACHE_MEMO_MS = 2_000;

/** More than any token cache needs (MSAL's holds a few tokens); a corrupt count cannot make exo read on. */
const MAX_CHUNKS = 32;

/** A keychain account name for a cache key: only the characters every backend takes. */
export function tokenCacheAccount(key: string, chunk: number): string {
  const safe = key.replace(/[^A-Za-z0-9._%+@-]/g, '_').slice(0, 200);
  return `token-cache.${safe}.${chunk}`;
}

function chunksOf(data: string): string[] {
  const chunks: string[] = [];
  // MSAL's cache is JSON of ASCII (tokens are base64url); split by characters, checked in bytes below.
  for (let i = 0; i < data.length; i += TOKEN_CACHE_CHUNK_BYTES) {
    chunks.push(data.slice(i, i + TOKEN_CACHE_CHUNK_BYTES));
  }
  return chunks.length ? chunks : [''];
}

/**
 * A token cache kept in the OS keychain, never in a file: split across entries `token-cache.<key>.<n>` (a
 * cache can outgrow one entry; Windows Credential Manager holds 2,560 bytes). Entry 0 says how many there are
 * and is written last, so a reader never sees half of a new cache with the head of an old one.
 */
export function keychainTokenCache(keychain: Keychain, key: string): TokenCacheStore {
  // MSAL reads the cache before every access, several times per sign-in: within TOKEN_CACHE_MEMO_MS of the
  // last read or write the value is taken as it was, rather than from a process per entry again.
  let memo: { data: string | undefined; at: number } | undefined;
  const remember = (data: string | undefined) => {
    memo = { data, at: performance.now() };
    return data;
  };
  return {
    async read() {
      if (memo && performance.now() - memo.at < TOKEN_CACHE_MEMO_MS) return memo.data;
      return remember(await readEntries(keychain, key));
    },
    async write(data) {
      memo = undefined;
      const chunks = chunksOf(data);
      if (chunks.length > MAX_CHUNKS) return;
      const before = await keychain.getPassword(tokenCacheAccount(key, 0));
      const previous = Number(before ? /^(\d{1,2}):/.exec(before)?.[1] : 0) || 0;
      for (let i = chunks.length - 1; i >= 1; i -= 1) {
        await keychain.setPassword(tokenCacheAccount(key, i), chunks[i]!);
      }
      await keychain.setPassword(tokenCacheAccount(key, 0), `${chunks.length}:${chunks[0]}`);
      for (let i = chunks.length; i < Math.min(previous, MAX_CHUNKS); i += 1) {
        await keychain.deletePassword(tokenCacheAccount(key, i));
      }
      remember(data);
    },
  };
}

/** The cache as the keychain holds it now, or undefined when there is none (or only part of one). */
async function readEntries(keychain: Keychain, key: string): Promise<string | undefined> {
  const head = await keychain.getPassword(tokenCacheAccount(key, 0));
  const match = head ? /^(\d{1,2}):([\s\S]*)$/.exec(head) : null;
  if (!match) return undefined;
  const count = Number(match[1]);
  if (count < 1 || count > MAX_CHUNKS) return undefined;
  // The other entries at once: each read is a process (secret-tool, security) or a call of its own.
  const rest = await Promise.all(
    Array.from({ length: count - 1 }, (_, i) => keychain.getPassword(tokenCacheAccount(key, i + 1))),
  );
  if (rest.some((part) => part === undefined)) return undefined;
  return [match[2]!, ...rest].join('');
}

/** Removes a cache written by keychainTokenCache (sign-out); true when there was one. */
export async function clearKeychainTokenCache(keychain: Keychain, key: string): Promise<boolean> {
  const head = await keychain.getPassword(tokenCacheAccount(key, 0));
  if (head === undefined) return false;
  const count = Math.min(Number(/^(\d{1,2}):/.exec(head)?.[1] ?? 1) || 1, MAX_CHUNKS);
  for (let i = count - 1; i >= 0; i -= 1) await keychain.deletePassword(tokenCacheAccount(key, i));
  return true;
}
