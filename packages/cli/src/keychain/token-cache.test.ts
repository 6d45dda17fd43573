import { describe, expect, it, vi } from 'vitest';
import type { Keychain } from './keychain.js';
import {
  clearKeychainTokenCache,
  keychainTokenCache,
  TOKEN_CACHE_CHUNK_BYTES,
  TOKEN_CACHE_MEMO_MS,
  tokenCacheAccount,
} from './token-cache.js';

/** The Keychain contract in memory (the backends themselves are tested in keychain.test.ts). */
function memoryKeychain() {
  const items = new Map<string, string>();
  const keychain: Keychain = {
    backend: 'secret-tool',
    availability: async () => ({ available: true }),
    isAvailable: async () => true,
    getPassword: async (account) => items.get(account),
    setPassword: async (account, password) => {
      if (Buffer.byteLength(password) > 2048) throw new Error('too long for one entry');
      items.set(account, password);
    },
    deletePassword: async (account) => items.delete(account),
  };
  return { keychain, items };
}

describe('keychainTokenCache', () => {
  it('round-trips a cache larger than one entry, and shrinks without leaving stale entries', async () => {
    const { keychain, items } = memoryKeychain();
    const cache = keychainTokenCache(keychain, 'worldwide/admin@contoso.com');
    expect(await cache.read()).toBeUndefined();
    const big = JSON.stringify({ RefreshToken: 'r'.repeat(TOKEN_CACHE_CHUNK_BYTES * 3 + 7) });
    await cache.write(big);
    expect(items.size).toBe(4);
    expect(await cache.read()).toBe(big);
    expect([...items.keys()].every((k) => /^token-cache\.worldwide_admin@contoso\.com\.\d$/.test(k))).toBe(
      true,
    );

    await cache.write('{"small":1}');
    expect(items.size).toBe(1);
    expect(await cache.read()).toBe('{"small":1}');
    expect(await clearKeychainTokenCache(keychain, 'worldwide/admin@contoso.com')).toBe(true);
    expect(items.size).toBe(0);
    expect(await clearKeychainTokenCache(keychain, 'worldwide/admin@contoso.com')).toBe(false);
  });

  it('reads nothing from a head it cannot trust, or when a chunk is missing', async () => {
    const { keychain, items } = memoryKeychain();
    // A store each time: one store remembers what it last read for a moment (the next test).
    const read = () => keychainTokenCache(keychain, 'k').read();
    items.set(tokenCacheAccount('k', 0), 'not a header');
    expect(await read()).toBeUndefined();
    items.set(tokenCacheAccount('k', 0), '99:x');
    expect(await read()).toBeUndefined();
    items.set(tokenCacheAccount('k', 0), '2:first half');
    expect(await read()).toBeUndefined();
    items.set(tokenCacheAccount('k', 1), ', second half');
    expect(await read()).toBe('first half, second half');
  });

  it("answers one sign-in's reads from what it last read or wrote, and asks the keychain again after that", async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const { keychain, items } = memoryKeychain();
      let lookups = 0;
      const counted: Keychain = {
        ...keychain,
        getPassword: async (account) => {
          lookups++;
          return keychain.getPassword(account);
        },
      };
      const cache = keychainTokenCache(counted, 'k');
      await cache.write('first');
      const afterWrite = lookups;
      expect(await cache.read()).toBe('first');
      expect(lookups).toBe(afterWrite);
      // Another process changes it: seen once the moment has passed.
      items.set(tokenCacheAccount('k', 0), '1:second');
      expect(await cache.read()).toBe('first');
      vi.advanceTimersByTime(TOKEN_CACHE_MEMO_MS);
      expect(await cache.read()).toBe('second');
      expect(lookups).toBe(afterWrite + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps caches of different keys apart', async () => {
    const { keychain } = memoryKeychain();
    await keychainTokenCache(keychain, 'a').write('A');
    await keychainTokenCache(keychain, 'b').write('B');
    expect(await keychainTokenCache(keychain, 'a').read()).toBe('A');
    expect(await keychainTokenCache(keychain, 'b').read()).toBe('B');
  });
});
