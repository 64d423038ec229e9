import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreObserver } from '../../src/store/observer.js';
import { openStore } from '../../src/store/open-store.js';
import type { BootstrapIdentity } from '../../src/store/identity.js';
import type { SqlContext } from '../../src/store/sql-context.js';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECT, testDatabase } from './databases.js';

export interface TestStore {
  store: Store;
  /** The store's database, for the simulated backend's own store. */
  context: SqlContext;
  /** Another migrated store on the same database, as a second replica (or, on SQLite, another process) would open it. */
  openAnother(observer?: StoreObserver): Promise<Store>;
  close(): Promise<void>;
}

/** A migrated store of the dialect under test on a fresh database, with one account (admin with all pool actions). */
export async function openTestStore(
  identity: Pick<BootstrapIdentity, 'accountId' | 'accountName' | 'projectId' | 'userId' | 'accessKey' | 'createdAt'>,
  observer?: StoreObserver,
): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'poolkeeper-store-'));
  const database = await testDatabase(TEST_DIALECT, dataDir);
  const open = async (observed?: StoreObserver) => {
    const opened = await openStore({ databaseUrl: database.url, sqliteSynchronous: 'NORMAL', databasePoolSize: 5 }, { observer: observed });
    await opened.store.migrate();
    return opened;
  };
  const { store, context } = await open(observer);
  const others: Store[] = [];
  await store.identity.createBootstrapIdentity({
    ...identity,
    projectName: 'local-1',
    userName: 'admin',
    sealedSecretKey: `sealed-${identity.accessKey}`,
    policyName: 'all',
    policyDocument: { Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:*'] }] },
  });
  return {
    store,
    context,
    async openAnother(observed) {
      const other = (await open(observed)).store;
      others.push(other);
      return other;
    },
    async close() {
      for (const other of others) await other.close();
      await store.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
