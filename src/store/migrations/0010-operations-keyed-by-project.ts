import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * An operation is always found by its project and id, so the record's primary key becomes (project_id, id) and the
 * operations_project_id index, the same key, goes: every batch call then writes its record into two B-trees (the
 * record and the pool's list index) instead of four on SQLite (the table, the id key, both list indexes) and three on
 * PostgreSQL. On SQLite the table is rebuilt WITHOUT ROWID, so the record lives in its key's B-tree: each page a
 * commit writes costs it a write-ahead-log frame, and the record's pages were most of a 1-node batch-update's
 * (bench/README.md, "Measured choices").
 */
export function operationsKeyedByProjectMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect === 'postgres') {
        await sql`ALTER TABLE operations DROP CONSTRAINT operations_pkey, ADD CONSTRAINT operations_pkey PRIMARY KEY (project_id, id)`.execute(db);
        await db.schema.dropIndex('operations_project_id').execute();
        return;
      }
      // Kysely runs SQLite migrations outside a transaction; copying the records must not stop halfway.
      await db.transaction().execute(async (trx) => {
        await sql`CREATE TABLE operations_rebuilt (
          id text NOT NULL,
          project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
          pool_name text NOT NULL,
          operation text NOT NULL,
          action text,
          principal text NOT NULL,
          request_id text NOT NULL,
          created_at integer NOT NULL,
          success_count integer NOT NULL,
          fail_count integer NOT NULL,
          results text NOT NULL,
          PRIMARY KEY (project_id, id)
        ) WITHOUT ROWID`.execute(trx);
        await sql`INSERT INTO operations_rebuilt SELECT id, project_id, pool_name, operation, action, principal, request_id, created_at,
          success_count, fail_count, results FROM operations`.execute(trx);
        await trx.schema.dropTable('operations').execute();
        await trx.schema.alterTable('operations_rebuilt').renameTo('operations').execute();
        await trx.schema.createIndex('operations_project_pool_id').on('operations').columns(['project_id', 'pool_name', 'id']).execute();
      });
    },
  };
}
