import { sql, type Kysely, type Migration } from 'kysely';
import { ACCESS_KEY_CHANNEL } from '../access-key-changes.js';
import type { DialectName } from '../dialect.js';

/**
 * PostgreSQL: every update or deletion of an access key (a cascade from a deleted user included) NOTIFYs the key's
 * replicas, whose caches drop it (store/postgres.ts). SQLite needs nothing stored: its trigger is a TEMP trigger of
 * the process's own connection (store/sqlite.ts).
 */
export function accessKeyNotifyMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      await sql`CREATE FUNCTION poolkeeper_access_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify(${sql.lit(ACCESS_KEY_CHANNEL)}, OLD.access_key);
          RETURN NULL;
        END $$`.execute(db);
      await sql`CREATE TRIGGER access_key_changed AFTER UPDATE OR DELETE ON access_keys
        FOR EACH ROW EXECUTE FUNCTION poolkeeper_access_key_changed()`.execute(db);
    },
  };
}
