import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './types.js';

/** Simulated work, drains, durable driver-upgrade and reboot progress, fault-injection rules, async outcomes of operations. */
export function nodeLifecycleMigration(dialect: DialectName): Migration {
  const { millis, serialId } = columnTypes(dialect);
  return {
    async up(db: Kysely<any>) {
      const columns: Array<[string, string, boolean]> = [
        ['running_jobs', 'integer', true],
        ['drained', 'integer', true],
        ['drain_until', millis, false],
        ['driver_started_at', millis, false],
        ['driver_check_at', millis, false],
        ['driver_fail', 'integer', true],
        ['driver_operation_id', 'text', false],
        ['reboot_started_at', millis, false],
        ['reboot_check_at', millis, false],
        ['reboot_fail', 'integer', true],
        ['reboot_operation_id', 'text', false],
      ];
      for (const [name, type, zeroDefault] of columns) {
        await db.schema
          .alterTable('nodes')
          .addColumn(name, type as 'text', (c) => (zeroDefault ? c.notNull().defaultTo(0) : c))
          .execute();
      }
      await db.schema.createIndex('nodes_driver_progress').on('nodes').columns(['driver_phase', 'driver_check_at']).execute();
      await db.schema.createIndex('nodes_reboot_check').on('nodes').column('reboot_check_at').execute();
      await db.schema.createIndex('nodes_drain_until').on('nodes').column('drain_until').execute();
      await db.schema
        .createTable('fault_rules')
        .addColumn('id', serialId, (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('pool_name', 'text')
        .addColumn('node_names', 'text')
        .addColumn('fail', 'text', (c) => c.notNull())
        .addColumn('times', 'integer', (c) => c.notNull())
        .addColumn('remaining', 'integer', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('fault_rules_project').on('fault_rules').columns(['project_id', 'remaining']).execute();
      await db.schema
        .createTable('operation_outcomes')
        .addColumn('operation_id', 'text', (c) => c.notNull())
        .addColumn('node_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('error_msg', 'text')
        .addColumn('completed_at', millis, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('operation_outcomes_operation').on('operation_outcomes').column('operation_id').execute();
    },
  };
}
