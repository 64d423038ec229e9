import type { Clock } from '../../domain/time.js';
import type { CredentialStore, UserIdentity } from '../../store/credentials.js';

/**
 * A user's projects and policies, read on every authenticated request through a short cache: a change of rights
 * takes effect within `ttlMillis` on every replica. Access keys themselves are read fresh (lock-out, revocation).
 */
export class IdentityCache {
  private readonly entries = new Map<string, { identity: UserIdentity | undefined; expires: number }>();
  /** Lookups answered from the cache and from the database, since start (read by the metrics). */
  hits = 0;
  misses = 0;

  constructor(
    private readonly store: Pick<CredentialStore, 'getUserIdentity'>,
    private readonly clock: Clock,
    private readonly ttlMillis = 5_000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(userId: string): Promise<UserIdentity | undefined> {
    const now = this.clock.now();
    const hit = this.entries.get(userId);
    if (hit && hit.expires > now) {
      this.hits++;
      return hit.identity;
    }
    this.misses++;
    const identity = await this.store.getUserIdentity(userId);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(userId, { identity, expires: now + this.ttlMillis });
    return identity;
  }

  forget(userId: string): void {
    this.entries.delete(userId);
  }

  /** After a reset every user's rights may differ. */
  clear(): void {
    this.entries.clear();
  }
}
