import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './types.js';

/** Accounts, projects, users, access keys, pools, nodes with their labels, taints and tags, operation records. */
export function coreMigration(dialect: DialectName): Migration {
  const { millis, serialId, reference } = columnTypes(dialect);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('projects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addUniqueConstraint('projects_account_name', ['account_id', 'name'])
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addUniqueConstraint('users_account_name', ['account_id', 'name'])
        .execute();
      await db.schema
        .createTable('user_projects')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('user_projects_pk', ['user_id', 'project_id'])
        .execute();
      await db.schema
        .createTable('user_policies')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('policy_name', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_policies_pk', ['user_id', 'policy_name'])
        .execute();
      await db.schema
        .createTable('access_keys')
        .addColumn('access_key', 'text', (c) => c.primaryKey())
        .addColumn('secret_key', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', millis, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('pools')
        .addColumn('id', serialId, (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('annotations', 'text', (c) => c.notNull())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('deleted_at', millis)
        .addColumn('delete_after', millis)
        .addColumn('resource_version', 'integer', (c) => c.notNull().defaultTo(1))
        .addUniqueConstraint('pools_project_name', ['project_id', 'name'])
        .execute();
      await db.schema
        .createTable('nodes')
        .addColumn('id', serialId, (c) => c.primaryKey())
        .addColumn('pool_id', reference, (c) => c.notNull().references('pools.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('flavor', 'text', (c) => c.notNull())
        .addColumn('az', 'text', (c) => c.notNull())
        .addColumn('private_ip', 'text', (c) => c.notNull())
        .addColumn('node_pool', 'text')
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('phase_until', millis)
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('driver_version', 'text')
        .addColumn('driver_phase', 'text')
        .addColumn('driver_target_version', 'text')
        .addColumn('driver_strategy', 'text')
        .addColumn('locked_actions', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('resource_version', 'integer', (c) => c.notNull().defaultTo(1))
        .addUniqueConstraint('nodes_pool_name', ['pool_id', 'name'])
        .execute();
      await db.schema.createIndex('nodes_phase_until').on('nodes').columns(['phase', 'phase_until']).execute();
      for (const table of ['node_labels', 'node_tags'] as const) {
        await db.schema
          .createTable(table)
          .addColumn('node_id', reference, (c) => c.notNull().references('nodes.id').onDelete('cascade'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['node_id', 'key'])
          .execute();
      }
      await db.schema
        .createTable('node_taints')
        .addColumn('node_id', reference, (c) => c.notNull().references('nodes.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('effect', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('time_added', millis, (c) => c.notNull())
        .addPrimaryKeyConstraint('node_taints_pk', ['node_id', 'key', 'effect'])
        .execute();
      await db.schema
        .createTable('operations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('pool_name', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('success_count', 'integer', (c) => c.notNull())
        .addColumn('fail_count', 'integer', (c) => c.notNull())
        .addColumn('results', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('operations_project_created').on('operations').columns(['project_id', 'created_at']).execute();
    },
  };
}
