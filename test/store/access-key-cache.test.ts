import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/**
 * Access keys are read through a cache (store/credentials.ts): a repeated lookup runs no statement; a change to a key
 * made through the same store is seen by the next lookup; one made through another store on the same database (another
 * process on the SQLite file, another replica on PostgreSQL) within a bound: on SQLite 50 ms (how often a lookup asks
 * whether another connection committed), on PostgreSQL as soon as the change's notification arrives. Runs once per
 * dialect.
 */
const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);
const USER = 'u'.repeat(32);
let opened: TestStore;
let store: Store;
let other: Store;
const statements: string[] = [];

beforeAll(async () => {
  opened = await openTestStore(
    { accountId: 'a'.repeat(32), accountName: 'acme', projectId: 'p'.repeat(32), userId: USER, accessKey: 'AK1', createdAt: T0 },
    { statement: (kind) => statements.push(kind), groupCommit() {} },
  );
  store = opened.store;
  other = await opened.openAnother();
});

afterAll(async () => {
  await opened.close();
});

async function statementsOf(work: () => Promise<unknown>): Promise<number> {
  const before = statements.length;
  await work();
  return statements.length - before;
}

/** Lookups one millisecond apart after a change through the other store: one must see it within a second. */
async function seenAfterChange<T>(lookup: () => Promise<T>, seen: (value: T) => boolean): Promise<T> {
  let value = await lookup();
  const deadline = Date.now() + 1_000;
  while (!seen(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    value = await lookup();
  }
  return value;
}

async function newKey(accessKey: string): Promise<void> {
  await other.identity.createAccessKey({ accessKey, sealedSecretKey: `sealed-${accessKey}`, userId: USER, createdAt: T0, expiresAt: null, securityTokenHash: null });
}

describe(`the access-key cache (${TEST_DIALECT})`, () => {
  it('answers a repeated lookup without a statement, and never caches an unknown key', async () => {
    expect(await statementsOf(() => store.credentials.findAccessKey('AK1'))).toBe(1);
    expect(await statementsOf(() => store.credentials.findAccessKey('AK1'))).toBe(0);
    expect(await statementsOf(() => store.credentials.findAccessKey('AK-new'))).toBe(1);
    await newKey('AK-new');
    expect((await store.credentials.findAccessKey('AK-new'))?.accessKey).toBe('AK-new');
  });

  it('answers cachedAccessKey from the cache alone: nothing before a lookup has read the key, nothing once a change dropped it', async () => {
    await newKey('AK-peek');
    expect(await statementsOf(async () => store.credentials.cachedAccessKey('AK-peek'))).toBe(0);
    expect(store.credentials.cachedAccessKey('AK-peek')).toBeUndefined();
    const found = await store.credentials.findAccessKey('AK-peek');
    expect(store.credentials.cachedAccessKey('AK-peek')).toEqual(found);
    await store.credentials.recordAuthFailure('AK-peek', T0, 5, 60_000);
    expect(store.credentials.cachedAccessKey('AK-peek')).toBeUndefined();
    expect((await store.credentials.findAccessKey('AK-peek'))?.failedAttempts).toBe(1);
  });

  it('sees failures counted, a lock and its clearing through itself at once', async () => {
    await store.credentials.findAccessKey('AK1');
    for (let i = 0; i < 5; i++) await store.credentials.recordAuthFailure('AK1', T0, 5, 60_000);
    expect(await store.credentials.findAccessKey('AK1')).toMatchObject({ failedAttempts: 5, lockedUntil: T0 + 60_000 });
    await store.credentials.clearAuthFailures('AK1');
    expect(await store.credentials.findAccessKey('AK1')).toMatchObject({ failedAttempts: 0, lockedUntil: null });
  });

  it('sees a failure counted, a lock-out and a revocation through another store', async () => {
    await newKey('AK2');
    const lookup = () => store.credentials.findAccessKey('AK2');
    expect((await lookup())?.failedAttempts).toBe(0);
    expect(await statementsOf(lookup)).toBe(0);

    await other.credentials.recordAuthFailure('AK2', T0, 1, 60_000);
    expect(await seenAfterChange(lookup, (key) => key?.failedAttempts === 1)).toMatchObject({ failedAttempts: 1, lockedUntil: T0 + 60_000 });
    await other.credentials.clearAuthFailures('AK2');
    expect(await seenAfterChange(lookup, (key) => key?.failedAttempts === 0)).toMatchObject({ failedAttempts: 0, lockedUntil: null });

    expect(await other.identity.deleteAccessKey('a'.repeat(32), 'AK2')).toBe(true);
    expect(await seenAfterChange(lookup, (key) => key === undefined)).toBeUndefined();
  });

  it('sees the keys a restore through another store removed', async () => {
    const saved = await store.snapshot();
    await newKey('AK3');
    const lookup = () => store.credentials.findAccessKey('AK3');
    expect((await lookup())?.accessKey).toBe('AK3');
    await other.restore(saved);
    expect(await seenAfterChange(lookup, (key) => key === undefined)).toBeUndefined();
    expect((await store.credentials.findAccessKey('AK1'))?.accessKey).toBe('AK1');
  });
});
