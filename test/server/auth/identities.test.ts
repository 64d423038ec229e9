import { describe, expect, it } from 'vitest';
import { IdentityCache, type IdentitySource } from '../../../src/server/auth/identities.js';
import type { UserIdentity } from '../../../src/store/credentials.js';

/** Users u1, u2, ... exist; every read is counted per user. */
function countingSource(): IdentitySource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async getUserIdentity(userId) {
      reads.push(userId);
      if (!userId.startsWith('u')) return undefined;
      const identity: UserIdentity = {
        userId,
        userName: `user-${userId}`,
        accountId: 'a1',
        accountName: 'acme',
        isAccountAdmin: false,
        isOperator: false,
        projectIds: ['p1'],
        policies: [],
      };
      return identity;
    },
  };
}

function movableClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('IdentityCache', () => {
  it('answers a user from the cache until the TTL has passed, then reads it again', async () => {
    const source = countingSource();
    const clock = movableClock();
    const cache = new IdentityCache(source, clock, 5_000);
    const first = await cache.get('u1');
    expect(first?.userName).toBe('user-u1');
    clock.advance(4_999);
    expect(await cache.get('u1')).toBe(first);
    expect(source.reads).toEqual(['u1']);
    clock.advance(2);
    expect(await cache.get('u1')).toEqual(first);
    expect(source.reads).toEqual(['u1', 'u1']);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 1, misses: 2 });
  });

  it('caches an unknown user too', async () => {
    const source = countingSource();
    const cache = new IdentityCache(source, movableClock());
    expect(await cache.get('nobody')).toBeUndefined();
    expect(await cache.get('nobody')).toBeUndefined();
    expect(source.reads).toEqual(['nobody']);
  });

  it('holds at most maxEntries users, dropping the least recently used one', async () => {
    const source = countingSource();
    const cache = new IdentityCache(source, movableClock(), 5_000, 3);
    for (const user of ['u1', 'u2', 'u3', 'u1', 'u4']) await cache.get(user);
    expect(source.reads).toEqual(['u1', 'u2', 'u3', 'u4']);
    // u2 was the least recently used when u4 came in; the others stay.
    for (const user of ['u1', 'u3', 'u4', 'u2']) await cache.get(user);
    expect(source.reads).toEqual(['u1', 'u2', 'u3', 'u4', 'u2']);
  });

  it('peeks at what it holds without reading: undefined for a user it does not hold, the same answer as get once it does', async () => {
    const source = countingSource();
    const clock = movableClock();
    const cache = new IdentityCache(source, clock, 5_000);
    expect(cache.peek('u1')).toBeUndefined();
    expect(cache.peek('nobody')).toBeUndefined();
    expect(source.reads).toEqual([]);
    const identity = await cache.get('u1');
    await cache.get('nobody');
    expect(cache.peek('u1')).toEqual({ identity });
    expect(cache.peek('nobody')).toEqual({ identity: undefined });
    clock.advance(5_001);
    expect(cache.peek('u1')).toBeUndefined();
    expect(source.reads).toEqual(['u1', 'nobody']);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 2 });
  });

  it('forgets every user on clear (a reset)', async () => {
    const source = countingSource();
    const cache = new IdentityCache(source, movableClock());
    await cache.get('u1');
    await cache.get('u2');
    cache.clear();
    await cache.get('u1');
    await cache.get('u2');
    expect(source.reads).toEqual(['u1', 'u2', 'u1', 'u2']);
  });
});
