import type { Kysely, Migration } from 'kysely';

/**
 * The operations list (GET /_poolkeeper/v1/{project_id}/operations) reads a project's records newest first, all of
 * them or one pool's, from these indexes: a page is a range of one index whatever the number of records. Operation ids
 * are UUIDv7, so each new record lands at the right edge of both, and concurrent batch calls committed together on
 * SQLite share those pages (`npm run bench` measures what they add to a batch call).
 */
export function operationListIndexesMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('operations_project_id').on('operations').columns(['project_id', 'id']).execute();
      await db.schema.createIndex('operations_project_pool_id').on('operations').columns(['project_id', 'pool_name', 'id']).execute();
    },
  };
}
