import type { Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../dialect.js';
import { coreMigration } from './0001-core.js';
import { iamMigration } from './0002-iam.js';
import { nodeLifecycleMigration } from './0003-node-lifecycle.js';
import { leanWritesMigration } from './0004-lean-writes.js';
import { operationResultsLz4Migration } from './0005-operation-results-lz4.js';
import { nodeCensusIndexMigration } from './0006-node-census-index.js';
import { operationListIndexesMigration } from './0007-operation-list-indexes.js';
import { dropNodeResourceVersionMigration } from './0008-drop-node-resource-version.js';
import { accessKeyNotifyMigration } from './0009-access-key-notify.js';
import { operationsKeyedByProjectMigration } from './0010-operations-keyed-by-project.js';

/** Migrations are code, so they ship inside the build; names sort in the order they run. */
function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_core': coreMigration(dialect),
    '0002_iam': iamMigration(dialect),
    '0003_node_lifecycle': nodeLifecycleMigration(dialect),
    '0004_lean_writes': leanWritesMigration(dialect),
    '0005_operation_results_lz4': operationResultsLz4Migration(dialect),
    '0006_node_census_index': nodeCensusIndexMigration(),
    '0007_operation_list_indexes': operationListIndexesMigration(),
    '0008_drop_node_resource_version': dropNodeResourceVersionMigration(),
    '0009_access_key_notify': accessKeyNotifyMigration(dialect),
    '0010_operations_keyed_by_project': operationsKeyedByProjectMigration(dialect),
  };
}

export function migrationProvider(dialect: DialectName): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
