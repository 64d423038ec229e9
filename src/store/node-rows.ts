import sql, { join, raw, type Sql } from 'sql-template-tag';
import type { DriverPhase, DriverUpdateStrategy, NodeDriver, NodePhase, Tag, Taint, TaintEffect } from '../domain/node.js';
import { toTimestamp } from '../domain/time.js';
import { columnList, jsonArrayValues, type DialectSql } from './dialect.js';
import { actions, flag, int, nullableText, text } from './rows.js';
import type { Row, StepResult, Steps } from './statements.js';

/** A node as the API shows it. */
export interface NodeRecord {
  id: number;
  name: string;
  flavor: string;
  az: string;
  privateIp: string;
  nodePool: string | null;
  phase: NodePhase;
  createdAt: number;
  driver: NodeDriver | null;
  lockedActions: string[];
  labels: Record<string, string>;
  taints: Taint[];
  tags: Tag[];
  runningJobs: number;
  drained: boolean;
}

/** The columns a NodeRecord is read from (its labels, taints and tags come from detailSteps). */
export const NODE_COLUMNS: Sql = raw(
  [
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
  ].join(', '),
);

/** NODE_COLUMNS of `nodes AS n`. */
export const NODE_COLUMNS_OF_N: Sql = raw(NODE_COLUMNS.sql.split(', ').map((column) => `n.${column}`).join(', '));

/** A row of NODE_COLUMNS, without its details. */
export function nodeRecord(row: Row): NodeRecord {
  return {
    id: int(row.id),
    name: text(row.name),
    flavor: text(row.flavor),
    az: text(row.az),
    privateIp: text(row.private_ip),
    nodePool: nullableText(row.node_pool),
    phase: text(row.phase) as NodePhase,
    createdAt: int(row.created_at),
    driver: nodeDriver(row.driver_version, row.driver_phase, row.driver_target_version, row.driver_strategy),
    lockedActions: actions(row.locked_actions),
    labels: {},
    taints: [],
    tags: [],
    runningJobs: int(row.running_jobs),
    drained: flag(row.drained),
  };
}

/**
 * NODE_COLUMNS of `nodes AS n`, and its labels (by key), taints (oldest first) and tags (by key) as JSON arrays: a
 * read of nodes as the API shows them in one statement, so it sees one state of the node and of its details.
 */
export function nodeColumnsWithDetails(dialect: DialectSql): Sql {
  const labels = dialect.jsonArrayOf(sql`SELECT key, value FROM node_labels WHERE node_id = n.id`, ['key', 'value'], 'key');
  const taints = dialect.jsonArrayOf(
    sql`SELECT key, value, effect, time_added FROM node_taints WHERE node_id = n.id`,
    ['key', 'value', 'effect', 'time_added'],
    'time_added, key',
  );
  const tags = dialect.jsonArrayOf(sql`SELECT key, value FROM node_tags WHERE node_id = n.id`, ['key', 'value'], 'key');
  return sql`${NODE_COLUMNS_OF_N}, ${labels} AS labels_json, ${taints} AS taints_json, ${tags} AS tags_json`;
}

/** A row of nodeColumnsWithDetails. */
export function nodeWithDetails(row: Row): NodeRecord {
  const node = nodeRecord(row);
  for (const [key, value] of jsonArrayValues(row.labels_json)) node.labels[text(key)] = text(value);
  for (const [key, value, effect, timeAdded] of jsonArrayValues(row.taints_json)) {
    node.taints.push({ key: text(key), value: text(value), effect: text(effect) as TaintEffect, timeAdded: toTimestamp(int(timeAdded)) });
  }
  for (const [key, value] of jsonArrayValues(row.tags_json)) node.tags.push({ key: text(key), value: text(value) });
  return node;
}

/** The driver columns as the node's driver; none when the node has no accelerator driver (no driver phase). */
export function nodeDriver(version: unknown, phase: unknown, targetVersion: unknown, updateStrategy: unknown): NodeDriver | null {
  if (phase === null) return null;
  return {
    version: nullableText(version) ?? '',
    phase: text(phase) as DriverPhase,
    targetVersion: nullableText(targetVersion),
    updateStrategy: nullableText(updateStrategy) as DriverUpdateStrategy | null,
  };
}

/** Which of a node's labels, taints and tags a read loads with the rows. */
interface DetailNeeds {
  labels?: boolean;
  taints?: boolean;
  tags?: boolean;
}

export const ALL_DETAILS: DetailNeeds = { labels: true, taints: true, tags: true };

/** The columns of detailRead's rows: a label ('l'), taint ('t') or tag ('g') of a node, the columns it lacks NULL. */
const DETAIL_COLUMNS = ['node_id', 'kind', 'key', 'value', 'effect', 'time_added'] as const;

/**
 * One statement reading the asked-for labels, taints and tags of the nodes `ids` selects (a valueList, or a subquery
 * such as a page's), set-based, as plain rows: labels and tags by key, taints oldest first.
 */
export function detailRead(dialect: DialectSql, ids: Sql, needs: DetailNeeds): Sql {
  const kinds: Sql[] = [];
  if (needs.labels) kinds.push(sql`SELECT node_id, 'l' AS kind, key, value, CAST(NULL AS TEXT) AS effect, CAST(NULL AS BIGINT) AS time_added FROM node_labels WHERE node_id IN ${ids}`);
  if (needs.taints) kinds.push(sql`SELECT node_id, 't' AS kind, key, value, effect, time_added FROM node_taints WHERE node_id IN ${ids}`);
  if (needs.tags) kinds.push(sql`SELECT node_id, 'g' AS kind, key, value, CAST(NULL AS TEXT) AS effect, CAST(NULL AS BIGINT) AS time_added FROM node_tags WHERE node_id IN ${ids}`);
  return dialect.selectValues(join(kinds, ' UNION ALL '), DETAIL_COLUMNS, 'time_added, key');
}

/** Adds detailRead's rows to `nodes`, by id; rows of other nodes are left out. */
export function addDetails(dialect: DialectSql, nodes: ReadonlyMap<number, NodeRecord>, result: StepResult): void {
  for (const [nodeId, kind, key, value, effect, timeAdded] of dialect.valuesOf(result, DETAIL_COLUMNS)) {
    const node = nodes.get(int(nodeId));
    if (!node) continue;
    if (kind === 'l') node.labels[text(key)] = text(value);
    else if (kind === 't') node.taints.push(taint(key, value, effect, timeAdded));
    else node.tags.push({ key: text(key), value: text(value) });
  }
}

function taint(key: unknown, value: unknown, effect: unknown, timeAdded: unknown): Taint {
  return { key: text(key), value: text(value), effect: text(effect) as TaintEffect, timeAdded: toTimestamp(int(timeAdded)) };
}

/** Loads the asked-for labels, taints and tags of `nodes` with one statement. */
export function* detailSteps(dialect: DialectSql, nodes: readonly NodeRecord[], needs: DetailNeeds): Steps<void> {
  if (nodes.length === 0) return;
  const byId = new Map(nodes.map((node) => [node.id, node]));
  addDetails(dialect, byId, yield detailRead(dialect, dialect.valueList([...byId.keys()], 'integer'), needs));
}

const TAINT_COLUMNS = ['node_id', 'key', 'value', 'effect', 'time_added'];

/** Adds each node's taints, oldest first. */
export function* taintSteps(dialect: DialectSql, nodes: ReadonlyMap<number, { taints: Taint[] }>): Steps<void> {
  const read = sql`SELECT ${columnList(TAINT_COLUMNS)} FROM node_taints WHERE node_id IN ${dialect.valueList([...nodes.keys()], 'integer')}`;
  for (const [nodeId, key, value, effect, timeAdded] of dialect.valuesOf(yield dialect.selectValues(read, TAINT_COLUMNS, 'time_added, key'), TAINT_COLUMNS)) {
    nodes.get(int(nodeId))!.taints.push(taint(key, value, effect, timeAdded));
  }
}
