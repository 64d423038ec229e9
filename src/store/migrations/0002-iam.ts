import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './types.js';

/** The operator account, passwords, account administrators, temporary credentials, AK lock-out, the token-signing key. */
export function iamMigration(dialect: DialectName): Migration {
  const { millis } = columnTypes(dialect);
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('accounts').addColumn('is_operator', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('users').addColumn('password_hash', 'text').execute();
      await db.schema.alterTable('users').addColumn('is_account_admin', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('access_keys').addColumn('expires_at', millis).execute();
      await db.schema.alterTable('access_keys').addColumn('security_token_hash', 'text').execute();
      await db.schema.alterTable('access_keys').addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('access_keys').addColumn('locked_until', millis).execute();
      await db.schema.createIndex('access_keys_user').on('access_keys').column('user_id').execute();
      await db.schema
        .createTable('signing_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sealed_secret', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .execute();
    },
  };
}
