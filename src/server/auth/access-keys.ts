import type { Clock } from '../../domain/time.js';
import type { AccessKeyRecord, Store } from '../../store/store.js';

/**
 * Access keys are read on every signed request; a short-lived cache keeps that off the database.
 * A removed or changed key stops working within `ttlMillis`.
 */
export class AccessKeyCache {
  private readonly entries = new Map<string, { record: AccessKeyRecord | undefined; expires: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMillis = 5_000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(accessKey: string): Promise<AccessKeyRecord | undefined> {
    const now = this.clock.now();
    const hit = this.entries.get(accessKey);
    if (hit && hit.expires > now) return hit.record;
    const record = await this.store.findAccessKey(accessKey);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(accessKey, { record, expires: now + this.ttlMillis });
    return record;
  }
}
