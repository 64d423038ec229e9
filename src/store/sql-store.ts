import { Migrator, type Kysely } from 'kysely';
import sql from 'sql-template-tag';
import { SqlCredentialStore } from './credentials.js';
import type { DialectName } from './dialect.js';
import { SqlIdentityStore } from './identity.js';
import { SqlJobStore } from './jobs.js';
import { migrationProvider } from './migrations/index.js';
import { SqlNodeChangeStore } from './node-changes.js';
import { SqlNodeStore } from './nodes.js';
import { SqlOperationStore } from './operations.js';
import { SqlPoolStore } from './pools.js';
import type { Database } from './schema.js';
import { restore, snapshot } from './snapshot.js';
import type { SqlContext } from './sql-context.js';
import type { Store } from './store.js';

async function runMigrations(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The SQL store: every aggregate's implementation over one SQL context. */
export function sqlStore(context: SqlContext): Store {
  const { db, dialect, runner } = context;
  return {
    dialect: dialect.name,
    async migrate() {
      await dialect.withMigrationLock(db, (locked) => runMigrations(locked, dialect.name));
      context.accessKeyChanges.start();
    },
    close: () => db.destroy(),
    async ping() {
      await runner.query(sql`SELECT 1 AS ok`);
    },
    snapshot: () => snapshot(context),
    restore: (saved) => restore(context, saved),
    identity: new SqlIdentityStore(context),
    credentials: new SqlCredentialStore(context),
    pools: new SqlPoolStore(context),
    nodes: new SqlNodeStore(context),
    changes: new SqlNodeChangeStore(context),
    jobs: new SqlJobStore(context),
    operations: new SqlOperationStore(context),
  };
}
