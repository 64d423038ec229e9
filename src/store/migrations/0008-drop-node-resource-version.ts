import type { Kysely, Migration } from 'kysely';

/** Nodes counted a resource version no read ever checked (pools keep theirs: scaling compares it); every write paid for it. */
export function dropNodeResourceVersionMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('nodes').dropColumn('resource_version').execute();
    },
  };
}
