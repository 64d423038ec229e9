import sql, { type Sql } from 'sql-template-tag';
import type { NodeDecision } from '../domain/node-update-planner.js';
import type { NodeDelta, Tag } from '../domain/node.js';
import type { DialectSql } from './dialect.js';
import type { OperationMeta } from './operations.js';

function addTo<K>(groups: Map<K, number[]>, key: K, nodeId: number): void {
  const nodeIds = groups.get(key);
  if (nodeIds === undefined) groups.set(key, [nodeId]);
  else nodeIds.push(nodeId);
}

/** The columns of each delta's rows, one constant list each (the dialect builds a list's select once). */
const ROWS = {
  keyValue: [['key', 'text'], ['value', 'text']],
  taintRemoval: [['node_id', 'integer'], ['key', 'text'], ['effect', 'text']],
  taintAddition: [['node_id', 'integer'], ['key', 'text'], ['effect', 'text'], ['value', 'text'], ['time_added', 'integer']],
  tagDelete: [['node_id', 'integer'], ['key', 'text'], ['value', 'text']],
  driverUpgrade: [['node_id', 'integer'], ['version', 'text'], ['strategy', 'text'], ['fail', 'integer']],
  lock: [['node_id', 'integer'], ['actions', 'text']],
  phase: [['node_id', 'integer'], ['phase', 'text'], ['until', 'integer']],
  reboot: [['node_id', 'integer'], ['fail', 'integer']],
  drain: [['node_id', 'integer'], ['until', 'integer']],
} as const;

/**
 * The statements writing the successful decisions' deltas: a handful of set-based statements whatever the number of
 * nodes, each passing its rows as one parameter, none needing another's result (they go as one flight).
 */
export function deltaStatements(dialect: DialectSql, decisions: readonly NodeDecision[], operation: OperationMeta): Sql[] {
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
  const statements: Sql[] = [];
  if (!changed) return statements;
  const rows = dialect.jsonRows.bind(dialect);
  const ids = (nodeIds: number[]) => dialect.integerRows(nodeIds, 'node_id');
  const pairs = (entries: unknown[][]) => rows(entries, ROWS.keyValue);
  for (const [set, nodeIds] of labels) {
    statements.push(sql`INSERT INTO node_labels (node_id, key, value) SELECT n.node_id, l.key, l.value FROM ${ids(nodeIds)} AS n CROSS JOIN ${pairs(Object.entries(set))} AS l WHERE true
      ON CONFLICT (node_id, key) DO UPDATE SET value = excluded.value`);
  }
  if (taintRemovals.length > 0) {
    statements.push(sql`DELETE FROM node_taints WHERE (node_id, key, effect) IN (SELECT node_id, key, effect FROM ${rows(taintRemovals, ROWS.taintRemoval)} AS r)`);
  }
  if (taintAdditions.length > 0) {
    statements.push(sql`INSERT INTO node_taints (node_id, key, effect, value, time_added)
      SELECT node_id, key, effect, value, time_added FROM ${rows(taintAdditions, ROWS.taintAddition)} AS r WHERE true
      ON CONFLICT (node_id, key, effect) DO NOTHING`);
  }
  for (const [tags, nodeIds] of tagUpserts) {
    statements.push(sql`INSERT INTO node_tags (node_id, key, value) SELECT n.node_id, t.key, t.value FROM ${ids(nodeIds)} AS n CROSS JOIN ${pairs(tags.map((t) => [t.key, t.value]))} AS t WHERE true
      ON CONFLICT (node_id, key) DO UPDATE SET value = excluded.value`);
  }
  if (tagDeletes.length > 0) {
    statements.push(sql`DELETE FROM node_tags WHERE EXISTS (SELECT 1 FROM ${rows(tagDeletes, ROWS.tagDelete)} AS r
      WHERE r.node_id = node_tags.node_id AND r.key = node_tags.key AND (r.value IS NULL OR r.value = node_tags.value))`);
  }
  if (driverUpgrades.length > 0) {
    statements.push(sql`UPDATE nodes SET driver_phase = 'Pending', driver_target_version = r.version, driver_strategy = r.strategy, driver_fail = r.fail,
        driver_operation_id = ${operation.id}, driver_started_at = NULL, driver_check_at = NULL
      FROM ${rows(driverUpgrades, ROWS.driverUpgrade)} AS r WHERE nodes.id = r.node_id`);
  }
  if (locks.length > 0) {
    statements.push(sql`UPDATE nodes SET locked_actions = r.actions FROM ${rows(locks, ROWS.lock)} AS r WHERE nodes.id = r.node_id`);
  }
  if (phases.length > 0) {
    statements.push(sql`UPDATE nodes SET phase = r.phase, phase_until = r.until, reboot_started_at = NULL, reboot_check_at = NULL, reboot_fail = 0
      FROM ${rows(phases, ROWS.phase)} AS r WHERE nodes.id = r.node_id`);
  }
  if (reboots.length > 0) {
    const at = operation.createdAt;
    statements.push(sql`UPDATE nodes SET phase = 'Checking', phase_until = NULL, running_jobs = 0, reboot_started_at = ${at}, reboot_check_at = ${at},
        reboot_fail = r.fail, reboot_operation_id = ${operation.id}
      FROM ${rows(reboots, ROWS.reboot)} AS r WHERE nodes.id = r.node_id`);
  }
  if (drains.length > 0) {
    statements.push(sql`UPDATE nodes SET drained = 1, drain_until = r.until FROM ${rows(drains, ROWS.drain)} AS r WHERE nodes.id = r.node_id`);
  }
  return statements;
}
