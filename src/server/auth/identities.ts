import { LRUCache } from 'lru-cache';
import type { Clock } from '../../domain/time.js';
import type { UserIdentity } from '../../store/credentials.js';

/** Where a user's identity is read from when the cache does not hold it (the store). */
export interface IdentitySource {
  getUserIdentity(userId: string): Promise<UserIdentity | undefined>;
}

/**
 * A user's projects and policies, read on every authenticated request through a short cache: a change of rights
 * takes effect within `ttlMillis` on every replica. Access keys have a cache of their own that the database keeps
 * current (store/credentials.ts).
 * The cache holds at most `maxEntries` users, dropping the least recently used; an unknown user is cached too.
 */
export class IdentityCache {
  private readonly entries: LRUCache<string, { identity: UserIdentity | undefined }>;
  /** Lookups answered from the cache and from the database, since start (read by the metrics). */
  hits = 0;
  misses = 0;

  constructor(
    private readonly source: IdentitySource,
    clock: Clock,
    ttlMillis = 5_000,
    maxEntries = 10_000,
  ) {
    // The service's clock measures the age (tests move it); `ttlResolution: 0` reads it on every lookup instead of
    // trusting a reading for a millisecond, which would also cost a timer per lookup.
    this.entries = new LRUCache({ max: maxEntries, ttl: ttlMillis, ttlResolution: 0, perf: clock });
  }

  /** The cached answer, without reading the database; undefined when the cache does not hold the user. */
  peek(userId: string): { identity: UserIdentity | undefined } | undefined {
    const hit = this.entries.get(userId);
    if (hit !== undefined) this.hits++;
    return hit;
  }

  async get(userId: string): Promise<UserIdentity | undefined> {
    const hit = this.peek(userId);
    if (hit !== undefined) return hit.identity;
    this.misses++;
    const identity = await this.source.getUserIdentity(userId);
    this.entries.set(userId, { identity });
    return identity;
  }

  /** After a reset every user's rights may differ. */
  clear(): void {
    this.entries.clear();
  }
}
