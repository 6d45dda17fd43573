import { describe, expect, it } from 'vitest';
import { type CursorEntry, callerKey, createCursorStore } from './cursors.js';

const TENANT = 'T1';
const owner = callerKey({ tenantId: TENANT, userPrincipalName: 'Admin@sandbox.exo.localhost' });
const entry = (cursor: string): CursorEntry => ({
  tenantId: TENANT,
  owner,
  cmdlet: 'Get-Mailbox',
  parameters: {},
  pageSize: 10,
  cursor,
});

describe('cursor store', () => {
  it('hands back an entry to its own tenant and caller only, by an opaque id', () => {
    const store = createCursorStore();
    const id = store.put(entry('c1'));
    expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(store.get(id, 't1', owner)?.cursor).toBe('c1');
    expect(store.get(id, 'other', owner)).toBeUndefined();
    expect(store.get(id, TENANT, callerKey({ tenantId: TENANT, appId: 'app' }))).toBeUndefined();
    expect(store.get('nope', TENANT, owner)).toBeUndefined();
    // Reading does not consume: a retried link still works.
    expect(store.get(id, TENANT, owner)?.cursor).toBe('c1');
  });

  it('forgets entries after their time', () => {
    const clock = { now: 0 };
    const store = createCursorStore({ ttlMs: 1000, now: () => clock.now });
    const first = store.put(entry('c1'));
    clock.now = 500;
    const second = store.put(entry('c2'));
    clock.now = 1000;
    expect(store.get(first, TENANT, owner)).toBeUndefined();
    expect(store.get(second, TENANT, owner)?.cursor).toBe('c2');
    expect(store.size).toBe(1);
    clock.now = 1500;
    expect(store.get(second, TENANT, owner)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('stays within its size, dropping the oldest', () => {
    const store = createCursorStore({ maxEntries: 3 });
    const ids = Array.from({ length: 10 }, (_, i) => store.put(entry(`c${i}`)));
    expect(store.size).toBe(3);
    expect(store.get(ids[6]!, TENANT, owner)).toBeUndefined();
    expect(ids.slice(7).map((id) => store.get(id, TENANT, owner)?.cursor)).toEqual(['c7', 'c8', 'c9']);
  });
});
