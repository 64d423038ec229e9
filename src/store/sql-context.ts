import type { Kysely } from 'kysely';
import type { AccessKeyChanges } from './access-key-changes.js';
import type { DialectSql } from './dialect.js';
import type { Database } from './schema.js';
import type { StepRunner } from './statements.js';

/**
 * What every SQL store file works with: one database, its dialect pieces and its step runner. Each file runs its SQL
 * one way: the request-path files as `sql-template-tag` steps through `runner`, the cold paths (IAM administration,
 * operation records, migrations) through Kysely's builder on `db`.
 */
export interface SqlContext {
  db: Kysely<Database>;
  dialect: DialectSql;
  runner: StepRunner;
  /** What changes the stored access keys, for the credential store's cache. */
  accessKeyChanges: AccessKeyChanges;
}
