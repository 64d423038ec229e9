import { Migrator, type Kysely, type Selectable, type Transaction } from 'kysely';
import sql, { empty, join, raw, type Sql } from 'sql-template-tag';
import { v7 as uuidv7 } from 'uuid';
import type { NodeDecision } from '../domain/node-update-planner.js';
import type { ExistingNode } from '../domain/pool-scaling.js';
import type { BatchNodeState, DriverPhase, DriverUpdateStrategy, NodeDelta, NodeDriver, NodePhase, NodeState, Tag, Taint, TaintEffect } from '../domain/node.js';
import { FaultBudget, TAINT_DRIVER_UPGRADE, type FaultKind, type LifecycleNodeState } from '../domain/node-lifecycle.js';
import { toTimestamp } from '../domain/time.js';
import type { PoolPhase, PoolSpec } from '../schemas/pool.js';
import { ident, type DialectSql } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import { listOperations, type OperationListPage, type OperationListQuery } from './operation-list.js';
import type { Database, FaultRuleTable, NodeTable } from './schema.js';
import { driveSteps, executeOn, type StepRunner, type Steps } from './steps.js';
import {
  AlreadyExistsError,
  PoolExistsError,
  type AccessKeyRecord,
  type AccessKeySummary,
  type AccountRecord,
  type NewAccessKey,
  type ProjectRecord,
  type SigningKey,
  type UserIdentity,
  type UserRecord,
  type BootstrapIdentity,
  type FlavorPhaseCount,
  type NewNode,
  type NodePage,
  type NodeRecord,
  type NodeResult,
  type NodeStateNeeds,
  type BatchNodeNeeds,
  type OperationMeta,
  type OperationRecord,
  type PoolName,
  type PoolRecord,
  type PoolScaling,
  type SimulationProgress,
  type Store,
  type FaultRuleRecord,
  type JobProgress,
  type NodeChangeContext,
  type NodeChangePlan,
  type NodeDriverCount,
  type NodeDriverSummary,
  type NodeJob,
  type OperationOutcome,
  type StoreSnapshot,
  type WorkloadResult,
  type BackgroundJobKind,
  type NodeCensus,
} from './store.js';

type NodeRow = Pick<
  NodeTable,
  'name' | 'flavor' | 'az' | 'private_ip' | 'node_pool' | 'phase' | 'created_at' | 'driver_version' | 'driver_phase' | 'driver_target_version' | 'driver_strategy' | 'locked_actions'
> & { id: number; running_jobs: number; drained: number };

const NODE_COLUMNS = [
  'id',
  'name',
  'flavor',
  'az',
  'private_ip',
  'node_pool',
  'phase',
  'created_at',
  'driver_version',
  'driver_phase',
  'driver_target_version',
  'driver_strategy',
  'locked_actions',
  'running_jobs',
  'drained',
] as const;

/** A node row from its values in NODE_COLUMNS order (an aggregated read). */
function nodeRowFromValues(values: unknown[]): NodeRow {
  const [id, name, flavor, az, private_ip, node_pool, phase, created_at, driver_version, driver_phase, driver_target_version, driver_strategy, locked_actions, running_jobs, drained] =
    values as [number, string, string, string, string, string | null, string, number, string | null, string | null, string | null, string | null, string, number, number];
  return { id, name, flavor, az, private_ip, node_pool, phase, created_at, driver_version, driver_phase, driver_target_version, driver_strategy, locked_actions, running_jobs, drained };
}

function addTo<K>(groups: Map<K, number[]>, key: K, nodeId: number): void {
  const nodeIds = groups.get(key);
  if (nodeIds === undefined) groups.set(key, [nodeId]);
  else nodeIds.push(nodeId);
}

/** Which of a node's labels, taints and tags a node read loads with the rows. */
interface DetailNeeds {
  labels?: boolean;
  taints?: boolean;
  tags?: boolean;
}

/** A node's result as the operations table keeps it: a success as the bare node name (half the JSON at 10,000 nodes). */
type StoredNodeResult = string | NodeResult;

/** What the batch-update planner reads of a node row (BatchNodeState), in this order. */
const BATCH_NODE_COLUMNS = ['id', 'name', 'phase', 'locked_actions', 'driver_version', 'driver_phase', 'driver_target_version', 'driver_strategy'] as const;

function batchNodeStateFromValues(values: unknown[]): BatchNodeState {
  const [id, name, phase, lockedActions, driverVersion, driverPhase, driverTargetVersion, driverStrategy] = values as [
    number | string, string, NodePhase, string, string | null, DriverPhase | null, string | null, DriverUpdateStrategy | null,
  ];
  return {
    id: Number(id),
    name,
    phase,
    taints: [],
    lockedActions: splitActions(lockedActions),
    driver: nodeDriver(driverVersion, driverPhase, driverTargetVersion, driverStrategy),
    otherTagCount: 0,
  };
}

const COUNT_COLUMNS = ['node_id', 'count'] as const;

const NEW_NODE_COLUMNS = [
  ['pool_id', 'integer'],
  ['name', 'text'],
  ['flavor', 'text'],
  ['az', 'text'],
  ['private_ip', 'text'],
  ['node_pool', 'text'],
  ['phase', 'text'],
  ['phase_until', 'integer'],
  ['created_at', 'integer'],
  ['driver_version', 'text'],
  ['driver_phase', 'text'],
] as const;

/** The tables a snapshot holds, parents before children (restored in this order, emptied in the reverse). */
export const SNAPSHOT_TABLES = [
  'accounts',
  'projects',
  'users',
  'user_projects',
  'user_policies',
  'access_keys',
  'pools',
  'nodes',
  'node_labels',
  'node_taints',
  'node_tags',
  'operations',
  'fault_rules',
  'operation_outcomes',
] as const satisfies ReadonlyArray<keyof Database>;

/** Tables whose `id` PostgreSQL draws from a sequence, which a restore moves past the restored ids. */
const SERIAL_TABLES: ReadonlyArray<(typeof SNAPSHOT_TABLES)[number]> = ['pools', 'nodes', 'fault_rules'];

/**
 * The background jobs the reconciler takes once their time has come, with the conditions of its statements
 * (advanceSimulation, finishDrains, claimDriverUpgrades, claimReboots) and the column saying since when each is due.
 */
const BACKGROUND_JOBS: ReadonlyArray<readonly [job: BackgroundJobKind, table: 'nodes' | 'pools', since: string, due: (now: number) => Sql]> = [
  ['node_create', 'nodes', 'phase_until', (now) => sql`phase = 'Creating' AND phase_until <= ${now}`],
  ['node_delete', 'nodes', 'phase_until', (now) => sql`phase = 'Deleting' AND phase_until <= ${now}`],
  ['drain', 'nodes', 'drain_until', (now) => sql`drain_until <= ${now}`],
  ['driver_upgrade', 'nodes', 'driver_check_at', (now) => sql`driver_phase = 'Updating' AND driver_check_at <= ${now}`],
  ['reboot', 'nodes', 'reboot_check_at', (now) => sql`phase = 'Checking' AND reboot_check_at <= ${now}`],
  ['pool_delete', 'pools', 'delete_after', (now) => sql`phase = 'Deleting' AND delete_after <= ${now}`],
];

/** Any fixed 64-bit number: the advisory lock replicas take while migrating. */
const MIGRATION_LOCK_KEY = 7_210_551_903;

async function runMigrations(db: Kysely<Database>, dialect: DialectSql['name']): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The SQL store: one set of queries over Kysely, with the dialect differences behind `DialectSql`. */
export class SqlStore implements Store {
  readonly dialect;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialectSql: DialectSql,
    /** Runs the request-path operations written as steps (synchronously on SQLite). */
    private readonly runner: StepRunner,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.dialect = dialectSql.name;
  }

  /** Brings the schema to the latest version; replicas starting together take turns (a PostgreSQL advisory lock). */
  async migrate(): Promise<void> {
    if (this.dialect !== 'postgres') return runMigrations(this.db, this.dialect);
    await this.db.connection().execute(async (connection) => {
      await this.execute(connection, sql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
      try {
        await runMigrations(connection, this.dialect);
      } finally {
        await this.execute(connection, sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
      }
    });
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }

  async ping(): Promise<void> {
    await this.runner.query(sql`SELECT 1 AS ok`);
  }

  async hasAnyAccount(): Promise<boolean> {
    const row = await this.db.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async findSealedSecret(): Promise<string | undefined> {
    const key = await this.db.selectFrom('access_keys').select('secret_key').limit(1).executeTakeFirst();
    if (key) return key.secret_key;
    const signing = await this.db.selectFrom('signing_keys').select('sealed_secret').limit(1).executeTakeFirst();
    return signing?.sealed_secret;
  }

  async snapshot(): Promise<StoreSnapshot> {
    return this.runner.transaction(function* () {
      const tables: StoreSnapshot['tables'] = [];
      for (const table of SNAPSHOT_TABLES) tables.push({ table, rows: (yield sql`SELECT * FROM ${ident(table)}`).rows });
      return { tables };
    });
  }

  async restore(snapshot: StoreSnapshot): Promise<void> {
    const postgres = this.dialect === 'postgres';
    await this.runner.transaction(function* () {
      for (const table of [...SNAPSHOT_TABLES].reverse()) yield sql`DELETE FROM ${ident(table)}`;
      for (const { table, rows } of snapshot.tables) {
        if (rows.length === 0) continue;
        if (postgres) {
          yield sql`INSERT INTO ${ident(table)} SELECT * FROM json_populate_recordset(NULL::${ident(table)}, ${JSON.stringify(rows)}::json)`;
          continue;
        }
        const columns = Object.keys(rows[0]!);
        const values = raw(columns.map((c) => `j.value ->> '$."${c}"'`).join(', '));
        yield sql`INSERT INTO ${ident(table)} (${join(columns.map(ident))}) SELECT ${values} FROM json_each(${JSON.stringify(rows)}) AS j`;
      }
      if (postgres) {
        for (const table of SERIAL_TABLES) {
          yield sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM ${ident(table)}`;
        }
      }
    });
  }

  async createBootstrapIdentity(identity: BootstrapIdentity): Promise<boolean> {
    try {
      await this.db.transaction().execute(async (trx) => {
        const at = identity.createdAt;
        await trx.insertInto('accounts').values({ id: identity.accountId, name: identity.accountName, created_at: at, is_operator: 1 }).execute();
        await trx.insertInto('projects').values({ id: identity.projectId, account_id: identity.accountId, name: identity.projectName, created_at: at }).execute();
        await trx
          .insertInto('users')
          .values({ id: identity.userId, account_id: identity.accountId, name: identity.userName, created_at: at, password_hash: null, is_account_admin: 1 })
          .execute();
        await trx.insertInto('user_projects').values({ user_id: identity.userId, project_id: identity.projectId }).execute();
        await trx
          .insertInto('user_policies')
          .values({ user_id: identity.userId, policy_name: identity.policyName, document: JSON.stringify(identity.policyDocument) })
          .execute();
        await trx
          .insertInto('access_keys')
          .values({ access_key: identity.accessKey, secret_key: identity.sealedSecretKey, user_id: identity.userId, created_at: at, expires_at: null, security_token_hash: null, locked_until: null })
          .execute();
      });
      return true;
    } catch (error) {
      if (this.dialectSql.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async findAccessKey(accessKey: string): Promise<AccessKeyRecord | undefined> {
    const [row] = (
      await this.runner.query(
        sql`SELECT access_key, secret_key, user_id, created_at, expires_at, security_token_hash, failed_attempts, locked_until FROM access_keys WHERE access_key = ${accessKey}`,
      )
    ).rows as unknown as Array<Selectable<Database['access_keys']>>;
    if (!row) return undefined;
    return {
      accessKey: row.access_key,
      sealedSecretKey: row.secret_key,
      userId: row.user_id,
      createdAt: Number(row.created_at),
      expiresAt: nullableNumber(row.expires_at),
      securityTokenHash: row.security_token_hash,
      failedAttempts: Number(row.failed_attempts),
      lockedUntil: nullableNumber(row.locked_until),
    };
  }

  async getUserIdentity(userId: string): Promise<UserIdentity | undefined> {
    const row = await this.db
      .selectFrom('users as u')
      .innerJoin('accounts as a', 'a.id', 'u.account_id')
      .select(['u.id', 'u.name', 'u.is_account_admin', 'a.id as account_id', 'a.name as account_name', 'a.is_operator'])
      .where('u.id', '=', userId)
      .executeTakeFirst();
    if (!row) return undefined;
    const [projects, policies] = await Promise.all([
      this.db.selectFrom('user_projects').select('project_id').where('user_id', '=', userId).orderBy('project_id').execute(),
      this.db.selectFrom('user_policies').select('document').where('user_id', '=', userId).orderBy('policy_name').execute(),
    ]);
    return {
      userId: row.id,
      userName: row.name,
      accountId: row.account_id,
      accountName: row.account_name,
      isAccountAdmin: Number(row.is_account_admin) === 1,
      isOperator: Number(row.is_operator) === 1,
      projectIds: projects.map((p) => p.project_id),
      policies: policies.map((p) => JSON.parse(p.document) as unknown),
    };
  }

  async recordAuthFailure(accessKey: string, now: number, maxFailures: number, lockMillis: number) {
    const row = await this.db
      .updateTable('access_keys')
      .set((eb) => ({
        failed_attempts: eb('failed_attempts', '+', 1),
        locked_until: eb.case().when('failed_attempts', '>=', maxFailures - 1).then(now + lockMillis).else(eb.ref('locked_until')).end(),
      }))
      .where('access_key', '=', accessKey)
      .returning(['failed_attempts', 'locked_until'])
      .executeTakeFirst();
    return { failedAttempts: Number(row?.failed_attempts ?? 0), lockedUntil: nullableNumber(row?.locked_until ?? null) };
  }

  async clearAuthFailures(accessKey: string): Promise<void> {
    await this.db.updateTable('access_keys').set({ failed_attempts: 0, locked_until: null }).where('access_key', '=', accessKey).execute();
  }

  async createAccount(account: AccountRecord): Promise<void> {
    await this.insertUnique('account', account.name, () =>
      this.db.insertInto('accounts').values({ id: account.id, name: account.name, created_at: account.createdAt }).execute(),
    );
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) }));
  }

  async findAccount(idOrName: string): Promise<AccountRecord | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .orderBy('created_at')
      .executeTakeFirst();
    return row ? { id: row.id, name: row.name, createdAt: Number(row.created_at) } : undefined;
  }

  async createProject(project: ProjectRecord): Promise<void> {
    await this.insertUnique('project', project.name, () =>
      this.db.insertInto('projects').values({ id: project.id, account_id: project.accountId, name: project.name, created_at: project.createdAt }).execute(),
    );
  }

  async listProjects(accountId: string): Promise<ProjectRecord[]> {
    const rows = await this.db.selectFrom('projects').selectAll().where('account_id', '=', accountId).orderBy('name').execute();
    return rows.map(toProjectRecord);
  }

  async findProject(accountId: string, idOrName: string): Promise<ProjectRecord | undefined> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    return row ? toProjectRecord(row) : undefined;
  }

  async createUser(user: Omit<UserRecord, 'projectIds' | 'policyNames'>): Promise<void> {
    await this.insertUnique('user', user.name, () =>
      this.db
        .insertInto('users')
        .values({
          id: user.id,
          account_id: user.accountId,
          name: user.name,
          created_at: user.createdAt,
          password_hash: user.passwordHash,
          is_account_admin: user.isAccountAdmin ? 1 : 0,
        })
        .execute(),
    );
  }

  async setUserPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
  }

  async listUsers(accountId: string): Promise<UserRecord[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('account_id', '=', accountId).orderBy('name').execute();
    return Promise.all(rows.map((r) => this.toUserRecord(r)));
  }

  async findUser(accountId: string, name: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
    return row ? this.toUserRecord(row) : undefined;
  }

  private async toUserRecord(row: { id: string; account_id: string; name: string; created_at: number; password_hash: string | null; is_account_admin: number }): Promise<UserRecord> {
    const [projects, policies] = await Promise.all([
      this.db.selectFrom('user_projects').select('project_id').where('user_id', '=', row.id).orderBy('project_id').execute(),
      this.db.selectFrom('user_policies').select('policy_name').where('user_id', '=', row.id).orderBy('policy_name').execute(),
    ]);
    return {
      id: row.id,
      accountId: row.account_id,
      name: row.name,
      isAccountAdmin: Number(row.is_account_admin) === 1,
      passwordHash: row.password_hash,
      projectIds: projects.map((p) => p.project_id),
      policyNames: policies.map((p) => p.policy_name),
      createdAt: Number(row.created_at),
    };
  }

  async setUserProject(userId: string, projectId: string, member: boolean): Promise<boolean> {
    if (!member) {
      const result = await this.db.deleteFrom('user_projects').where('user_id', '=', userId).where('project_id', '=', projectId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    }
    const result = await this.db
      .insertInto('user_projects')
      .values({ user_id: userId, project_id: projectId })
      .onConflict((oc) => oc.columns(['user_id', 'project_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async putUserPolicy(userId: string, policyName: string, document: unknown): Promise<void> {
    await this.db
      .insertInto('user_policies')
      .values({ user_id: userId, policy_name: policyName, document: JSON.stringify(document) })
      .onConflict((oc) => oc.columns(['user_id', 'policy_name']).doUpdateSet({ document: (eb) => eb.ref('excluded.document') }))
      .execute();
  }

  async deleteUserPolicy(userId: string, policyName: string): Promise<boolean> {
    const result = await this.db.deleteFrom('user_policies').where('user_id', '=', userId).where('policy_name', '=', policyName).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async createAccessKey(key: NewAccessKey): Promise<void> {
    await this.insertUnique('access key', key.accessKey, () =>
      this.db
        .insertInto('access_keys')
        .values({
          access_key: key.accessKey,
          secret_key: key.sealedSecretKey,
          user_id: key.userId,
          created_at: key.createdAt,
          expires_at: key.expiresAt,
          security_token_hash: key.securityTokenHash,
          locked_until: null,
        })
        .execute(),
    );
  }

  async listAccessKeys(userId: string): Promise<AccessKeySummary[]> {
    const rows = await this.db.selectFrom('access_keys').select(['access_key', 'created_at', 'expires_at']).where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map((r) => ({ accessKey: r.access_key, createdAt: Number(r.created_at), expiresAt: nullableNumber(r.expires_at) }));
  }

  async deleteAccessKey(accountId: string, accessKey: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('access_keys')
      .where('access_key', '=', accessKey)
      .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('account_id', '=', accountId))
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async ensureSigningKey(candidate: SigningKey & { createdAt: number }): Promise<SigningKey> {
    await this.db
      .insertInto('signing_keys')
      .values({ id: candidate.id, sealed_secret: candidate.sealedSecret, created_at: candidate.createdAt })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const row = await this.db.selectFrom('signing_keys').select(['id', 'sealed_secret']).orderBy('created_at').orderBy('id').executeTakeFirstOrThrow();
    return { id: row.id, sealedSecret: row.sealed_secret };
  }

  private async insertUnique(kind: string, name: string, insert: () => Promise<unknown>): Promise<void> {
    try {
      await insert();
    } catch (error) {
      if (this.dialectSql.isUniqueViolation(error)) throw new AlreadyExistsError(kind, name);
      throw error;
    }
  }

  async createPool(pool: Omit<PoolRecord, 'id' | 'deletedAt'>, nodes: NewNode[]): Promise<PoolRecord> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const { id } = await trx
          .insertInto('pools')
          .values({
            project_id: pool.projectId,
            name: pool.name,
            phase: pool.phase,
            labels: JSON.stringify(pool.labels),
            annotations: JSON.stringify(pool.annotations),
            spec: JSON.stringify(pool.spec),
            created_at: pool.createdAt,
            deleted_at: null,
            delete_after: null,
            resource_version: pool.resourceVersion,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const poolId = Number(id);
        await this.insertNodes(trx, poolId, nodes, pool.createdAt);
        return { ...pool, id: poolId, deletedAt: null };
      });
    } catch (error) {
      if (this.dialectSql.isUniqueViolation(error)) throw new PoolExistsError(pool.name);
      throw error;
    }
  }

  private async insertNodes(trx: Transaction<Database>, poolId: number, nodes: NewNode[], createdAt: number): Promise<void> {
    if (nodes.length === 0) return;
    const rows = nodes.map((n) => [
      poolId,
      n.name,
      n.flavor,
      n.az,
      n.privateIp,
      n.nodePool,
      n.phase,
      n.phaseUntil,
      createdAt,
      n.driverVersion,
      n.driverVersion === null ? null : 'Running',
    ]);
    const columns = join(NEW_NODE_COLUMNS.map(([name]) => ident(name)));
    await this.execute(trx, sql`INSERT INTO nodes (${columns}) SELECT ${columns} FROM ${this.dialectSql.jsonRows(rows, NEW_NODE_COLUMNS)} AS r`);
  }

  async listPools(projectId: string): Promise<PoolRecord[]> {
    const rows = await this.db.selectFrom('pools').selectAll().where('project_id', '=', projectId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toPoolRecord);
  }

  async getPool(projectId: string, poolName: string): Promise<PoolRecord | undefined> {
    const [row] = (await this.runner.query(sql`SELECT * FROM pools WHERE project_id = ${projectId} AND name = ${poolName}`)).rows as unknown as Array<
      Selectable<Database['pools']>
    >;
    return row ? toPoolRecord(row) : undefined;
  }

  async countNodesByFlavorAndPhase(poolIds: number[]): Promise<FlavorPhaseCount[]> {
    if (poolIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('nodes')
      .select(['pool_id', 'flavor', 'phase', (eb) => eb.fn.countAll<number>().as('count')])
      .where('pool_id', 'in', poolIds)
      .groupBy(['pool_id', 'flavor', 'phase'])
      .execute();
    return rows.map((r) => ({ poolId: Number(r.pool_id), flavor: r.flavor, phase: r.phase as NodePhase, count: Number(r.count) }));
  }

  /** Two statements: the node count reads only the nodes_census index; each due-job count is a range of its own index. */
  async nodeCensus(now: number): Promise<NodeCensus> {
    // Grouped before the join: grouping by the pool's name as well made SQLite sort a table scan instead (20x slower).
    const counts = await this.runner.query(sql`SELECT p.name AS pool, c.phase, c.driver_phase, c.count
      FROM (SELECT pool_id, phase, driver_phase, COUNT(*) AS count FROM nodes GROUP BY pool_id, phase, driver_phase) AS c
      JOIN pools AS p ON p.id = c.pool_id`);
    const due = await this.runner.query(
      join(
        BACKGROUND_JOBS.map(([job, table, since, condition]) => sql`SELECT ${raw(`'${job}'`)} AS job, COUNT(*) AS count, MIN(${raw(since)}) AS since FROM ${raw(table)} WHERE ${condition(now)}`),
        ' UNION ALL ',
      ),
    );
    return {
      nodes: counts.rows.map((row) => ({
        pool: String(row.pool),
        phase: String(row.phase),
        driverPhase: row.driver_phase === null ? null : String(row.driver_phase),
        count: Number(row.count),
      })),
      dueJobs: due.rows.map((row) => ({
        job: row.job as BackgroundJobKind,
        count: Number(row.count),
        oldestDueAt: nullableNumber(row.since as number | string | null),
      })),
    };
  }

  async listNodeNames(poolId: number): Promise<Set<string>> {
    const rows = await this.db.selectFrom('nodes').select('name').where('pool_id', '=', poolId).execute();
    return new Set(rows.map((r) => r.name));
  }

  async listNodesForScaling(poolId: number): Promise<ExistingNode[]> {
    const rows = await this.db
      .selectFrom('nodes')
      .select(['id', 'flavor', 'node_pool', 'phase', 'locked_actions'])
      .where('pool_id', '=', poolId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      flavor: r.flavor,
      nodePool: r.node_pool,
      phase: r.phase as NodePhase,
      lockedActions: splitActions(r.locked_actions),
    }));
  }

  async scalePool(poolId: number, expectedVersion: number, scaling: PoolScaling): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('pools')
        .set((eb) => ({
          spec: JSON.stringify(scaling.spec),
          labels: JSON.stringify(scaling.labels),
          annotations: JSON.stringify(scaling.annotations),
          resource_version: eb('resource_version', '+', 1),
        }))
        .where('id', '=', poolId)
        .where('resource_version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await this.insertNodes(trx, poolId, scaling.addNodes, scaling.now);
      if (scaling.deleteNodeIds.length > 0) {
        await this.execute(
          trx,
          sql`UPDATE nodes SET phase = 'Deleting', phase_until = ${scaling.deleteUntil} WHERE pool_id = ${poolId} AND id IN ${this.idList(scaling.deleteNodeIds)}`,
        );
      }
      return true;
    });
  }

  async markPoolDeleting(poolId: number, deletedAt: number, deleteAfter: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('pools')
        .set((eb) => ({ phase: 'Deleting', deleted_at: deletedAt, delete_after: deleteAfter, resource_version: eb('resource_version', '+', 1) }))
        .where('id', '=', poolId)
        .execute();
      await trx.updateTable('nodes').set({ phase: 'Deleting', phase_until: deleteAfter }).where('pool_id', '=', poolId).execute();
    });
  }

  async listNodes(poolId: number, page: { afterName: string | null; limit: number }): Promise<NodePage> {
    let query = this.db.selectFrom('nodes').select(NODE_COLUMNS).where('pool_id', '=', poolId);
    if (page.afterName !== null) query = query.where('name', '>', page.afterName);
    const rows = await query.orderBy('name').limit(page.limit + 1).execute();
    let remaining = 0;
    if (rows.length > page.limit) {
      rows.pop();
      const last = rows[rows.length - 1]!.name;
      const counted = await this.db
        .selectFrom('nodes')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('pool_id', '=', poolId)
        .where('name', '>', last)
        .executeTakeFirstOrThrow();
      remaining = Number(counted.count);
    }
    return { nodes: await this.withDetails(this.db, rows as NodeRow[], { labels: true, taints: true, tags: true }), remaining };
  }

  async getNode(poolId: number, nodeName: string): Promise<NodeRecord | undefined> {
    const row = await this.db.selectFrom('nodes').select(NODE_COLUMNS).where('pool_id', '=', poolId).where('name', '=', nodeName).executeTakeFirst();
    if (!row) return undefined;
    const [node] = await this.withDetails(this.db, [row as NodeRow], { labels: true, taints: true, tags: true });
    return node;
  }

  async setNodePhase(poolId: number, nodeName: string, phase: NodePhase): Promise<boolean> {
    const result = await this.db
      .updateTable('nodes')
      .set((eb) => ({ phase, phase_until: null, resource_version: eb('resource_version', '+', 1) }))
      .where('pool_id', '=', poolId)
      .where('name', '=', nodeName)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async updateNodes(
    poolId: number,
    nodeNames: string[],
    needs: NodeStateNeeds,
    decide: (nodes: ReadonlyMap<string, LifecycleNodeState>, context: NodeChangeContext) => NodeDecision[] | NodeChangePlan,
    operation: OperationMeta,
  ): Promise<NodeDecision[]> {
    return this.runner.transaction(() => this.updateNodesSteps(poolId, nodeNames, needs, decide, operation));
  }

  async updatePoolNodes(
    pool: PoolName,
    nodeNames: string[],
    needs: BatchNodeNeeds,
    decide: (nodes: ReadonlyMap<string, BatchNodeState>, context: NodeChangeContext) => NodeDecision[],
    operation: OperationMeta,
  ): Promise<NodeDecision[] | undefined> {
    return this.runner.transaction(() => this.updatePoolNodesSteps(pool, nodeNames, needs, decide, operation));
  }

  private *updateNodesSteps(
    poolId: number,
    nodeNames: string[],
    needs: NodeStateNeeds,
    decide: (nodes: ReadonlyMap<string, LifecycleNodeState>, context: NodeChangeContext) => NodeDecision[] | NodeChangePlan,
    operation: OperationMeta,
  ): Steps<NodeDecision[]> {
    const postgres = this.dialect === 'postgres';
    let pool: NodeChangeContext['pool'] = null;
    if (needs.pool) {
      // The pool row is locked before the nodes, in the same order as scalePool, so the two never deadlock.
      const [row] = (yield sql`SELECT spec FROM pools WHERE id = ${poolId}${postgres ? sql` FOR UPDATE` : empty}`).rows;
      const [live] = (yield sql`SELECT COUNT(*) AS count FROM nodes WHERE pool_id = ${poolId} AND phase <> 'Deleting'`).rows;
      pool = { spec: JSON.parse(String(row!.spec)) as PoolSpec, liveNodes: Number(live!.count) };
    }
    const rows = (yield* this.lockedNodeSteps(sql`${poolId}`, nodeNames, NODE_COLUMNS)).map(nodeRowFromValues);
    const states = new Map<string, LifecycleNodeState>();
    for (const r of yield* this.detailSteps(rows, { taints: needs.taints })) states.set(r.name, r);
    return yield* this.decideAndApplySteps(sql`${poolId}`, states, pool, needs.faults === true, decide, operation);
  }

  /** updateNodesSteps for BatchUpdatePoolNodes: the pool found by name in the same statements, a narrower node read. */
  private *updatePoolNodesSteps(
    pool: PoolName,
    nodeNames: string[],
    needs: BatchNodeNeeds,
    decide: (nodes: ReadonlyMap<string, BatchNodeState>, context: NodeChangeContext) => NodeDecision[],
    operation: OperationMeta,
  ): Steps<NodeDecision[] | undefined> {
    const poolId = sql`(SELECT id FROM pools WHERE project_id = ${pool.projectId} AND name = ${pool.name})`;
    const rows = yield* this.lockedNodeSteps(poolId, nodeNames, BATCH_NODE_COLUMNS);
    if (rows.length === 0 && (yield sql`SELECT 1 AS found FROM pools WHERE id = ${poolId}`).rows.length === 0) return undefined;
    const byId = new Map<number, BatchNodeState>();
    for (const values of rows) {
      const node = batchNodeStateFromValues(values);
      byId.set(node.id, node);
    }
    if (rows.length > 0 && needs.taints) yield* this.taintSteps(byId);
    if (rows.length > 0 && needs.countTagsBesides) {
      const counted = sql`SELECT node_id, COUNT(*) AS count FROM node_tags WHERE node_id IN ${this.idList([...byId.keys()])}
        AND key NOT IN ${this.dialectSql.valueList(needs.countTagsBesides, 'text')} GROUP BY node_id`;
      for (const [nodeId, count] of this.dialectSql.valuesOf(yield this.dialectSql.selectValues(counted, COUNT_COLUMNS), COUNT_COLUMNS)) {
        byId.get(Number(nodeId))!.otherTagCount = Number(count);
      }
    }
    const states = new Map<string, BatchNodeState>();
    for (const node of byId.values()) states.set(node.name, node);
    return yield* this.decideAndApplySteps(poolId, states, null, needs.faults === true, decide, operation);
  }

  /** The named nodes of the pool, `columns` of each; on PostgreSQL locked, in id order so overlapping requests queue instead of deadlocking. */
  private *lockedNodeSteps(poolId: Sql, nodeNames: string[], columns: readonly string[]): Steps<unknown[][]> {
    const postgres = this.dialect === 'postgres';
    const selected = sql`SELECT ${join(columns.map(ident))} FROM nodes WHERE pool_id = ${poolId}
      AND name IN ${this.dialectSql.valueList(nodeNames, 'text')}${postgres ? sql` ORDER BY id FOR UPDATE` : empty}`;
    return this.dialectSql.valuesOf(yield this.dialectSql.selectValues(selected, columns), columns);
  }

  /** Plans the nodes with `decide` and writes the plan: pool spec, fault uses, node deltas and the operation record. */
  private *decideAndApplySteps<S extends NodeState>(
    poolId: Sql,
    states: ReadonlyMap<string, S>,
    pool: NodeChangeContext['pool'],
    readFaults: boolean,
    decide: (nodes: ReadonlyMap<string, S>, context: NodeChangeContext) => NodeDecision[] | NodeChangePlan,
    operation: OperationMeta,
  ): Steps<NodeDecision[]> {
    const postgres = this.dialect === 'postgres';
    const faultRows = readFaults
      ? (yield sql`SELECT * FROM fault_rules WHERE project_id = ${operation.projectId} AND remaining > 0 ORDER BY id${postgres ? sql` FOR UPDATE` : empty}`).rows
      : [];
    const faults = new FaultBudget(faultRows.map((r) => toFaultRule(r as unknown as FaultRuleRow)), operation.poolName);
    const planned = decide(states, { faults, pool });
    const decisions = Array.isArray(planned) ? planned : planned.decisions;
    if (!Array.isArray(planned)) {
      yield sql`UPDATE pools SET spec = ${JSON.stringify(planned.spec)}, resource_version = resource_version + 1 WHERE id = ${poolId}`;
    }
    if (faults.used.size > 0) {
      const used = [...faults.used].map(([id, n]) => [id, n]);
      yield sql`UPDATE fault_rules SET remaining = remaining - r.used FROM ${this.dialectSql.jsonRows(used, [['rule_id', 'integer'], ['used', 'integer']])} AS r
        WHERE fault_rules.id = r.rule_id`;
    }
    yield* this.deltaSteps(decisions, operation);
    const results: StoredNodeResult[] = decisions.map((d) =>
      d.ok ? d.name : { name: d.name, status: 'failed', errorCode: d.failure.code, errorMsg: d.failure.message },
    );
    const successCount = decisions.reduce((n, d) => (d.ok ? n + 1 : n), 0);
    yield sql`INSERT INTO operations (id, project_id, pool_name, operation, action, principal, request_id, created_at, success_count, fail_count, results)
      VALUES (${operation.id}, ${operation.projectId}, ${operation.poolName}, ${operation.operation}, ${operation.action}, ${operation.principal},
        ${operation.requestId}, ${operation.createdAt}, ${successCount}, ${decisions.length - successCount}, ${JSON.stringify(results)})`;
    return decisions;
  }

  private *deltaSteps(decisions: NodeDecision[], operation: OperationMeta): Steps<void> {
    // Request-level lists (one call's labels or tags) are one shared object for all its nodes: written once per list, crossed with the node ids.
    const labels = new Map<Readonly<Record<string, string>>, number[]>();
    const taintRemovals: unknown[][] = [];
    const taintAdditions: unknown[][] = [];
    const tagUpserts = new Map<readonly Tag[], number[]>();
    const tagDeletes: unknown[][] = [];
    const driverUpgrades: unknown[][] = [];
    const locks: unknown[][] = [];
    const phases: unknown[][] = [];
    const reboots: unknown[][] = [];
    const drains: unknown[][] = [];
    let changed = false;
    for (const decision of decisions) {
      if (!decision.ok) continue;
      const delta: NodeDelta = decision.delta;
      const id = delta.nodeId;
      changed = true;
      if (delta.setLabels) addTo(labels, delta.setLabels, id);
      if (delta.removeTaints) for (const t of delta.removeTaints) taintRemovals.push([id, t.key, t.effect]);
      if (delta.addTaints) for (const t of delta.addTaints) taintAdditions.push([id, t.key, t.effect, t.value, Date.parse(t.timeAdded)]);
      if (delta.upsertTags) addTo(tagUpserts, delta.upsertTags, id);
      if (delta.deleteTags) for (const t of delta.deleteTags) tagDeletes.push([id, t.key, t.value ?? null]);
      if (delta.driverUpgrade) driverUpgrades.push([id, delta.driverUpgrade.version, delta.driverUpgrade.updateStrategy, delta.driverUpgrade.fail ? 1 : 0]);
      if (delta.setLockedActions) locks.push([id, delta.setLockedActions.join(',')]);
      if (delta.setPhase) phases.push([id, delta.setPhase.phase, delta.setPhase.until]);
      if (delta.reboot) reboots.push([id, delta.reboot.fail ? 1 : 0]);
      if (delta.drain) drains.push([id, delta.drain.until]);
    }
    if (!changed) return;
    const rows = this.dialectSql.jsonRows.bind(this.dialectSql);
    const ids = (nodeIds: number[]) => this.dialectSql.integerRows(nodeIds, 'node_id');
    const pairs = (entries: unknown[][]) => rows(entries, [['key', 'text'], ['value', 'text']]);
    for (const [set, nodeIds] of labels) {
      yield sql`INSERT INTO node_labels (node_id, key, value) SELECT n.node_id, l.key, l.value FROM ${ids(nodeIds)} AS n CROSS JOIN ${pairs(Object.entries(set))} AS l WHERE true
        ON CONFLICT (node_id, key) DO UPDATE SET value = excluded.value`;
    }
    if (taintRemovals.length > 0) {
      yield sql`DELETE FROM node_taints WHERE (node_id, key, effect) IN (SELECT node_id, key, effect FROM ${rows(taintRemovals, [['node_id', 'integer'], ['key', 'text'], ['effect', 'text']])} AS r)`;
    }
    if (taintAdditions.length > 0) {
      yield sql`INSERT INTO node_taints (node_id, key, effect, value, time_added)
        SELECT node_id, key, effect, value, time_added FROM ${rows(taintAdditions, [['node_id', 'integer'], ['key', 'text'], ['effect', 'text'], ['value', 'text'], ['time_added', 'integer']])} AS r WHERE true
        ON CONFLICT (node_id, key, effect) DO NOTHING`;
    }
    for (const [tags, nodeIds] of tagUpserts) {
      yield sql`INSERT INTO node_tags (node_id, key, value) SELECT n.node_id, t.key, t.value FROM ${ids(nodeIds)} AS n CROSS JOIN ${pairs(tags.map((t) => [t.key, t.value]))} AS t WHERE true
        ON CONFLICT (node_id, key) DO UPDATE SET value = excluded.value`;
    }
    if (tagDeletes.length > 0) {
      yield sql`DELETE FROM node_tags WHERE EXISTS (SELECT 1 FROM ${rows(tagDeletes, [['node_id', 'integer'], ['key', 'text'], ['value', 'text']])} AS r
        WHERE r.node_id = node_tags.node_id AND r.key = node_tags.key AND (r.value IS NULL OR r.value = node_tags.value))`;
    }
    if (driverUpgrades.length > 0) {
      yield sql`UPDATE nodes SET driver_phase = 'Pending', driver_target_version = r.version, driver_strategy = r.strategy, driver_fail = r.fail,
          driver_operation_id = ${operation.id}, driver_started_at = NULL, driver_check_at = NULL
        FROM ${rows(driverUpgrades, [['node_id', 'integer'], ['version', 'text'], ['strategy', 'text'], ['fail', 'integer']])} AS r WHERE nodes.id = r.node_id`;
    }
    if (locks.length > 0) {
      yield sql`UPDATE nodes SET locked_actions = r.actions FROM ${rows(locks, [['node_id', 'integer'], ['actions', 'text']])} AS r WHERE nodes.id = r.node_id`;
    }
    if (phases.length > 0) {
      yield sql`UPDATE nodes SET phase = r.phase, phase_until = r.until, reboot_started_at = NULL, reboot_check_at = NULL, reboot_fail = 0
        FROM ${rows(phases, [['node_id', 'integer'], ['phase', 'text'], ['until', 'integer']])} AS r WHERE nodes.id = r.node_id`;
    }
    if (reboots.length > 0) {
      const at = operation.createdAt;
      yield sql`UPDATE nodes SET phase = 'Checking', phase_until = NULL, running_jobs = 0, reboot_started_at = ${at}, reboot_check_at = ${at},
          reboot_fail = r.fail, reboot_operation_id = ${operation.id}
        FROM ${rows(reboots, [['node_id', 'integer'], ['fail', 'integer']])} AS r WHERE nodes.id = r.node_id`;
    }
    if (drains.length > 0) {
      yield sql`UPDATE nodes SET drained = 1, drain_until = r.until FROM ${rows(drains, [['node_id', 'integer'], ['until', 'integer']])} AS r WHERE nodes.id = r.node_id`;
    }
  }

  async getOperation(projectId: string, operationId: string): Promise<OperationRecord | undefined> {
    const row = await this.db.selectFrom('operations').selectAll().where('project_id', '=', projectId).where('id', '=', operationId).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      projectId: row.project_id,
      poolName: row.pool_name,
      operation: row.operation,
      action: row.action,
      principal: row.principal,
      requestId: row.request_id,
      createdAt: Number(row.created_at),
      successCount: Number(row.success_count),
      failCount: Number(row.fail_count),
      results: (JSON.parse(row.results) as StoredNodeResult[]).map((r) => (typeof r === 'string' ? { name: r, status: 'success' } : r)),
    };
  }

  async listOperations(query: OperationListQuery): Promise<OperationListPage> {
    return listOperations({ runner: this.runner, dialect: this.dialectSql }, query);
  }

  /**
   * Each step is one conditional statement committed on its own: replicas running it together never apply a step twice.
   * On PostgreSQL node rows that a batch call holds are skipped until a later tick (SKIP LOCKED, as the job claims do):
   * progress never waits behind a batch call, and never locks nodes in an order that could deadlock with one.
   */
  async advanceSimulation(now: number): Promise<SimulationProgress> {
    const created = sql`phase = 'Creating' AND phase_until <= ${now}`;
    const available = await this.runner.query(sql`UPDATE nodes SET phase = 'Available', phase_until = NULL, resource_version = resource_version + 1
      WHERE id IN (SELECT id FROM nodes WHERE ${created} ${this.skipLocked()}) AND ${created}`);
    const deleted = sql`phase = 'Deleting' AND phase_until <= ${now}`;
    const removedNodes = await this.runner.query(sql`DELETE FROM nodes WHERE id IN (SELECT id FROM nodes WHERE ${deleted} ${this.skipLocked()}) AND ${deleted}`);
    const running = await this.db
      .updateTable('pools')
      .set({ phase: 'Running' })
      .where('phase', '=', 'Creating')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('nodes').select('nodes.id').whereRef('nodes.pool_id', '=', 'pools.id').where('nodes.phase', '=', 'Creating'))))
      .executeTakeFirst();
    const removedPools = await this.db.deleteFrom('pools').where('phase', '=', 'Deleting').where('delete_after', '<=', now).executeTakeFirst();
    return {
      nodesAvailable: available.changes,
      nodesRemoved: removedNodes.changes,
      poolsRunning: Number(running.numUpdatedRows),
      poolsRemoved: Number(removedPools.numDeletedRows),
    };
  }

  async setRunningJobs(poolId: number, nodeName: string, runningJobs: number, refuse: (node: LifecycleNodeState) => string | null): Promise<WorkloadResult> {
    return this.db.transaction().execute(async (trx): Promise<WorkloadResult> => {
      let query = trx.selectFrom('nodes').select(NODE_COLUMNS).where('pool_id', '=', poolId).where('name', '=', nodeName);
      if (this.dialect === 'postgres') query = query.forUpdate();
      const row = await query.executeTakeFirst();
      if (!row) return { kind: 'not-found' };
      const [node] = await this.withDetails(trx, [row as NodeRow], { labels: true, taints: true, tags: true });
      const detail = refuse({ ...node!, id: node!.id });
      if (detail !== null) return { kind: 'refused', detail };
      await trx
        .updateTable('nodes')
        .set((eb) => ({ running_jobs: runningJobs, resource_version: eb('resource_version', '+', 1) }))
        .where('id', '=', node!.id)
        .execute();
      return { kind: 'ok', node: { ...node!, runningJobs } };
    });
  }

  async createFaultRule(rule: Omit<FaultRuleRecord, 'id' | 'remaining'>): Promise<FaultRuleRecord> {
    const { id } = await this.db
      .insertInto('fault_rules')
      .values({
        project_id: rule.projectId,
        pool_name: rule.pool,
        node_names: rule.nodes === null ? null : JSON.stringify(rule.nodes),
        fail: rule.fail,
        times: rule.times,
        remaining: rule.times,
        created_at: rule.createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...rule, id: Number(id), remaining: rule.times };
  }

  async listFaultRules(projectId: string): Promise<FaultRuleRecord[]> {
    const rows = await this.db.selectFrom('fault_rules').selectAll().where('project_id', '=', projectId).where('remaining', '>', 0).orderBy('id').execute();
    return rows.map(toFaultRule);
  }

  async countNodeDrivers(poolIds: number[]): Promise<NodeDriverCount[]> {
    if (poolIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('nodes')
      .select(['pool_id', 'flavor', 'driver_phase', 'driver_version', (eb) => eb.fn.countAll<number>().as('count')])
      .where('pool_id', 'in', poolIds)
      .where('driver_phase', 'is not', null)
      .where('phase', '!=', 'Deleting')
      .groupBy(['pool_id', 'flavor', 'driver_phase', 'driver_version'])
      .execute();
    return rows.map((r) => ({ poolId: Number(r.pool_id), flavor: r.flavor, driverPhase: r.driver_phase!, driverVersion: r.driver_version, count: Number(r.count) }));
  }

  async listNodeDrivers(poolId: number): Promise<NodeDriverSummary[]> {
    const rows = await this.db
      .selectFrom('nodes')
      .select(['name', 'flavor', 'phase', 'driver_version', 'driver_phase', 'driver_target_version'])
      .where('pool_id', '=', poolId)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      name: r.name,
      flavor: r.flavor,
      phase: r.phase as NodePhase,
      driverVersion: r.driver_version,
      driverPhase: r.driver_phase as DriverPhase | null,
      driverTargetVersion: r.driver_target_version,
    }));
  }

  async listOperationOutcomes(operationId: string): Promise<OperationOutcome[]> {
    const rows = await this.db.selectFrom('operation_outcomes').selectAll().where('operation_id', '=', operationId).orderBy('completed_at').orderBy('node_name').execute();
    return rows.map((r) => ({
      nodeName: r.node_name,
      status: r.status as OperationOutcome['status'],
      ...(r.error_code === null ? {} : { errorCode: r.error_code }),
      ...(r.error_msg === null ? {} : { errorMsg: r.error_msg }),
      completedAt: Number(r.completed_at),
    }));
  }

  async finishDrains(now: number): Promise<number> {
    const due = sql`drain_until <= ${now}`;
    const result = await this.runner.query(sql`UPDATE nodes SET running_jobs = 0, drain_until = NULL, resource_version = resource_version + 1
      WHERE id IN (SELECT id FROM nodes WHERE ${due} ${this.skipLocked()}) AND ${due}`);
    return result.changes;
  }

  async startDriverUpgrades(now: number, limit: number): Promise<NodeJob[]> {
    const ready = sql`driver_phase = 'Pending' AND phase = 'Available' AND (driver_strategy = 'force' OR running_jobs = 0)`;
    const result = await this.runner.query(sql`UPDATE nodes SET driver_phase = 'Updating', driver_started_at = ${now}, driver_check_at = ${now},
        running_jobs = CASE WHEN driver_strategy = 'force' THEN 0 ELSE running_jobs END, resource_version = resource_version + 1
      WHERE id IN (SELECT id FROM nodes WHERE ${ready} ORDER BY id LIMIT ${limit} ${this.skipLocked()}) AND ${ready}
      RETURNING id, pool_id, name, driver_started_at AS started_at, driver_fail AS fail, driver_target_version AS target_version, driver_operation_id AS operation_id`);
    return (result.rows as unknown as JobRow[]).map(toNodeJob);
  }

  async claimDriverUpgrades(now: number, leaseMillis: number, limit: number): Promise<NodeJob[]> {
    return this.claimJobs(
      sql`driver_phase = 'Updating' AND driver_check_at <= ${now}`,
      'driver_check_at',
      now + leaseMillis,
      limit,
      sql`driver_started_at AS started_at, driver_fail AS fail, driver_target_version AS target_version, driver_operation_id AS operation_id`,
    );
  }

  async recordDriverUpgrades(progress: JobProgress[], now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockReported(trx, progress);
      await this.postpone(trx, progress, 'driver_check_at', sql`nodes.driver_phase = 'Updating'`);
      const ended = sql`driver_target_version = NULL, driver_strategy = NULL, driver_started_at = NULL, driver_check_at = NULL, driver_fail = 0,
        resource_version = resource_version + 1`;
      const succeeded = await this.endJobs(trx, progress, 'Succeeded', sql`driver_version = driver_target_version, driver_phase = 'Running', ${ended}`, sql`driver_phase = 'Updating'`, 'driver_operation_id', now);
      if (succeeded.length > 0) {
        await this.execute(trx, sql`DELETE FROM node_taints WHERE key = ${TAINT_DRIVER_UPGRADE} AND node_id IN ${this.idList(succeeded)}`);
      }
      const failed = await this.endJobs(trx, progress, 'Failed', sql`driver_phase = 'Abnormal', ${ended}`, sql`driver_phase = 'Updating'`, 'driver_operation_id', now);
      return succeeded.length + failed.length;
    });
  }

  async claimReboots(now: number, leaseMillis: number, limit: number): Promise<NodeJob[]> {
    return this.claimJobs(
      sql`phase = 'Checking' AND reboot_check_at <= ${now}`,
      'reboot_check_at',
      now + leaseMillis,
      limit,
      sql`reboot_started_at AS started_at, reboot_fail AS fail, NULL AS target_version, reboot_operation_id AS operation_id`,
    );
  }

  async recordReboots(progress: JobProgress[], now: number): Promise<number> {
    const rebooting = sql`phase = 'Checking' AND reboot_check_at IS NOT NULL`;
    return this.db.transaction().execute(async (trx) => {
      await this.lockReported(trx, progress);
      await this.postpone(trx, progress, 'reboot_check_at', sql`nodes.phase = 'Checking' AND nodes.reboot_check_at IS NOT NULL`);
      const ended = sql`reboot_started_at = NULL, reboot_check_at = NULL, reboot_fail = 0, resource_version = resource_version + 1`;
      const succeeded = await this.endJobs(trx, progress, 'Succeeded', sql`phase = 'Available', ${ended}`, rebooting, 'reboot_operation_id', now);
      const failed = await this.endJobs(trx, progress, 'Failed', sql`phase = 'Abnormal', ${ended}`, rebooting, 'reboot_operation_id', now);
      return succeeded.length + failed.length;
    });
  }

  /** Leases up to `limit` due jobs to this replica by pushing their check time to `leaseUntil`, and returns them. */
  private async claimJobs(
    due: Sql,
    checkColumn: 'driver_check_at' | 'reboot_check_at',
    leaseUntil: number,
    limit: number,
    jobColumns: Sql,
  ): Promise<NodeJob[]> {
    const check = ident(checkColumn);
    const result = await this.runner.query(sql`UPDATE nodes SET ${check} = ${leaseUntil}
      WHERE id IN (SELECT id FROM nodes WHERE ${due} ORDER BY ${check}, id LIMIT ${limit} ${this.skipLocked()}) AND ${due}
      RETURNING id, pool_id, name, ${jobColumns}`);
    return (result.rows as unknown as JobRow[]).map(toNodeJob);
  }

  private skipLocked() {
    return this.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : empty;
  }

  /** Locks the reported nodes in id order, the order batch calls lock them in, so the two never deadlock (PostgreSQL). */
  private async lockReported(trx: Transaction<Database>, progress: JobProgress[]): Promise<void> {
    if (this.dialect !== 'postgres' || progress.length === 0) return;
    await this.execute(trx, sql`SELECT id FROM nodes WHERE id IN ${this.idList(progress.map((p) => p.nodeId))} ORDER BY id FOR UPDATE`);
  }

  /** Moves the next look at jobs still in progress to when the backend asked. */
  private async postpone(trx: Transaction<Database>, progress: JobProgress[], column: 'driver_check_at' | 'reboot_check_at', stillRunning: Sql): Promise<void> {
    const rows = progress.flatMap((p) => (p.state === 'InProgress' ? [[p.nodeId, p.checkAt]] : []));
    if (rows.length === 0) return;
    await this.execute(
      trx,
      sql`UPDATE nodes SET ${ident(column)} = r.check_at FROM ${this.dialectSql.jsonRows(rows, [['node_id', 'integer'], ['check_at', 'integer']])} AS r
      WHERE nodes.id = r.node_id AND ${stillRunning}`,
    );
  }

  /**
   * Ends the jobs reported in `state`, only where the node is still running that job (so a report applies once even
   * when two replicas observed the same job), and records each end as an outcome of the operation that asked for it.
   */
  private async endJobs(
    trx: Transaction<Database>,
    progress: JobProgress[],
    state: 'Succeeded' | 'Failed',
    set: Sql,
    stillRunning: Sql,
    operationColumn: 'driver_operation_id' | 'reboot_operation_id',
    now: number,
  ): Promise<number[]> {
    const reports = new Map(progress.filter((p) => p.state === state).map((p) => [p.nodeId, p]));
    if (reports.size === 0) return [];
    const result = await this.execute(
      trx,
      sql`UPDATE nodes SET ${set} WHERE id IN ${this.idList([...reports.keys()])} AND ${stillRunning} RETURNING id, name, ${ident(operationColumn)} AS operation_id`,
    );
    const ended = result.rows as Array<{ id: number; name: string; operation_id: string | null }>;
    const outcomes = ended.flatMap((row) => {
      if (row.operation_id === null) return [];
      const report = reports.get(Number(row.id))!;
      const failure = report.state === 'Failed' ? report : null;
      return [[row.operation_id, row.name, state === 'Succeeded' ? 'succeeded' : 'failed', failure?.code ?? null, failure?.message ?? null, now]];
    });
    if (outcomes.length > 0) {
      const columns = [['operation_id', 'text'], ['node_name', 'text'], ['status', 'text'], ['error_code', 'text'], ['error_msg', 'text'], ['completed_at', 'integer']] as const;
      const names = join(columns.map(([name]) => ident(name)));
      await this.execute(trx, sql`INSERT INTO operation_outcomes (${names}) SELECT ${names} FROM ${this.dialectSql.jsonRows(outcomes, columns)} AS r`);
    }
    return ended.map((r) => Number(r.id));
  }

  /** Runs one statement on a Kysely executor: the database or an open transaction (cold paths). */
  private execute(executor: Kysely<any>, statement: Sql) {
    return executeOn(executor, this.dialectSql, statement);
  }

  private idList(ids: number[]): Sql {
    return this.dialectSql.valueList(ids, 'integer');
  }

  /** Loads labels, taints and tags (as asked) for the given node rows, with one query per kind. */
  private *detailSteps(rows: NodeRow[], needs: DetailNeeds): Steps<NodeRecord[]> {
    const records = new Map<number, NodeRecord>();
    for (const row of rows) records.set(Number(row.id), toNodeRecord(row));
    if (rows.length === 0) return [];
    const ids = this.idList([...records.keys()]);
    const dialect = this.dialectSql;
    function* details(table: string, columns: string[], orderBy: string): Steps<unknown[][]> {
      return dialect.valuesOf(yield dialect.selectValues(sql`SELECT ${join(columns.map(ident))} FROM ${ident(table)} WHERE node_id IN ${ids}`, columns, orderBy), columns);
    }
    if (needs.labels) {
      for (const [nodeId, key, value] of (yield* details('node_labels', ['node_id', 'key', 'value'], 'key'))) {
        records.get(Number(nodeId))!.labels[String(key)] = String(value);
      }
    }
    if (needs.taints) yield* this.taintSteps(records);
    if (needs.tags) {
      for (const [nodeId, key, value] of (yield* details('node_tags', ['node_id', 'key', 'value'], 'key'))) {
        records.get(Number(nodeId))!.tags.push({ key: String(key), value: String(value) } satisfies Tag);
      }
    }
    return [...records.values()];
  }

  /** Adds each node's taints, oldest first. */
  private *taintSteps(nodes: ReadonlyMap<number, { taints: Taint[] }>): Steps<void> {
    const columns = ['node_id', 'key', 'value', 'effect', 'time_added'];
    const read = sql`SELECT ${join(columns.map(ident))} FROM node_taints WHERE node_id IN ${this.idList([...nodes.keys()])}`;
    for (const [nodeId, key, value, effect, timeAdded] of this.dialectSql.valuesOf(yield this.dialectSql.selectValues(read, columns, 'time_added, key'), columns)) {
      nodes.get(Number(nodeId))!.taints.push({ key: String(key), value: String(value), effect: effect as TaintEffect, timeAdded: toTimestamp(Number(timeAdded)) });
    }
  }

  private withDetails(db: Kysely<Database>, rows: NodeRow[], needs: DetailNeeds): Promise<NodeRecord[]> {
    return driveSteps(this.detailSteps(rows, needs), db, this.dialectSql);
  }
}

type FaultRuleRow = Selectable<FaultRuleTable>;

function toFaultRule(r: FaultRuleRow): FaultRuleRecord {
  return {
    id: Number(r.id),
    projectId: r.project_id,
    pool: r.pool_name,
    nodes: r.node_names === null ? null : (JSON.parse(r.node_names) as string[]),
    fail: r.fail as FaultKind,
    times: Number(r.times),
    remaining: Number(r.remaining),
    createdAt: Number(r.created_at),
  };
}

function toPoolRecord(row: Omit<Selectable<Database['pools']>, 'delete_after'>): PoolRecord {
  return {
    id: Number(row.id),
    projectId: row.project_id,
    name: row.name,
    phase: row.phase as PoolPhase,
    labels: JSON.parse(row.labels) as Record<string, string>,
    annotations: JSON.parse(row.annotations) as Record<string, string>,
    spec: JSON.parse(row.spec) as PoolSpec,
    createdAt: Number(row.created_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
    resourceVersion: Number(row.resource_version),
  };
}

function toNodeRecord(row: NodeRow): NodeRecord {
  return {
    id: Number(row.id),
    name: row.name,
    flavor: row.flavor,
    az: row.az,
    privateIp: row.private_ip,
    nodePool: row.node_pool,
    phase: row.phase as NodePhase,
    createdAt: Number(row.created_at),
    driver: nodeDriver(row.driver_version, row.driver_phase as DriverPhase | null, row.driver_target_version, row.driver_strategy as DriverUpdateStrategy | null),
    lockedActions: splitActions(row.locked_actions),
    labels: {},
    taints: [],
    tags: [],
    runningJobs: Number(row.running_jobs),
    drained: Number(row.drained) === 1,
  };
}

function nodeDriver(version: string | null, phase: DriverPhase | null, targetVersion: string | null, updateStrategy: DriverUpdateStrategy | null): NodeDriver | null {
  return phase === null ? null : { version: version ?? '', phase, targetVersion, updateStrategy };
}

function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

function toProjectRecord(row: { id: string; account_id: string; name: string; created_at: number }): ProjectRecord {
  return { id: row.id, accountId: row.account_id, name: row.name, createdAt: Number(row.created_at) };
}

function splitActions(value: string): string[] {
  return value === '' ? [] : value.split(',');
}

interface JobRow {
  id: number | string;
  pool_id: number | string;
  name: string;
  started_at: number | string | null;
  fail: number | string;
  target_version: string | null;
  operation_id: string | null;
}

function toNodeJob(row: JobRow): NodeJob {
  return {
    nodeId: Number(row.id),
    poolId: Number(row.pool_id),
    name: row.name,
    startedAt: Number(row.started_at),
    fail: Number(row.fail) === 1,
    targetVersion: row.target_version,
    operationId: row.operation_id,
  };
}

/** Time-ordered (UUIDv7): each new record lands at the end of the operations key index instead of on a random page. */
export function newOperationId(): string {
  return uuidv7();
}
