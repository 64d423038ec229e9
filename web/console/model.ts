/** The console's view of nodes and batch actions: plain functions, unit-tested in test/console/model.test.ts. */
import type { WaitKind } from '../../src/domain/operation-progress.js';
import { checkTagKey, checkTagValue, MAX_TAGS_PER_NODE } from '../../src/domain/tags.js';
import type { Node } from '../lib/types.js';

const TAINT_HA = 'os.modelarts.node/ha.redundant';
const ANNOTATION_TAGS = 'os.modelarts/tms.tags';
const ANNOTATION_LOCK = 'os.modelarts.node/lock.action';
const ANNOTATION_DRAIN = 'os.modelarts.node/drain';

export interface Tag {
  key: string;
  value: string;
}

export interface NodeRow {
  name: string;
  phase: string;
  /** The HA taint's effect, or null when HA is closed. */
  ha: string | null;
  tags: Tag[];
  driverVersion: string;
  driverPhase: string;
  locked: boolean;
  drain: string;
  node: Node;
}

export function toRow(node: Node): NodeRow {
  const annotations = node.metadata.annotations;
  let tags: Tag[] = [];
  try {
    const parsed = JSON.parse(annotations[ANNOTATION_TAGS] ?? '[]') as unknown;
    if (Array.isArray(parsed)) tags = parsed as Tag[];
  } catch {
    tags = [];
  }
  return {
    name: node.metadata.name,
    phase: node.status.phase,
    ha: node.status.taints.find((t) => t.key === TAINT_HA)?.effect ?? null,
    tags,
    driverVersion: node.status.driver?.version ?? '',
    driverPhase: node.status.driver?.phase ?? '',
    locked: (annotations[ANNOTATION_LOCK] ?? '').split(',').includes('delete'),
    drain: annotations[ANNOTATION_DRAIN] ?? '',
    node,
  };
}

export interface NodeFilter {
  phase: string;
  /** '' any, 'closed', or a taint effect. */
  ha: string;
  /** `key` or `key=value`. */
  tag: string;
  driver: string;
  search: string;
}

export const NO_FILTER: NodeFilter = { phase: '', ha: '', tag: '', driver: '', search: '' };

export function matches(row: NodeRow, filter: NodeFilter): boolean {
  if (filter.phase && row.phase !== filter.phase) return false;
  if (filter.ha && (filter.ha === 'closed' ? row.ha !== null : row.ha !== filter.ha)) return false;
  if (filter.driver && row.driverVersion !== filter.driver) return false;
  if (filter.search && !row.name.includes(filter.search.trim().toLowerCase())) return false;
  if (filter.tag) {
    const eq = filter.tag.indexOf('=');
    const key = (eq < 0 ? filter.tag : filter.tag.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : filter.tag.slice(eq + 1).trim();
    if (!row.tags.some((t) => t.key === key && (value === undefined || t.value === value))) return false;
  }
  return true;
}

export type SortKey = 'name' | 'phase' | 'ha' | 'driverVersion' | 'locked';

export function sortRows(rows: NodeRow[], key: SortKey, descending: boolean): NodeRow[] {
  const value = (r: NodeRow): string => (key === 'locked' ? (r.locked ? '1' : '0') : (r[key] ?? ''));
  const sorted = [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const byKey = x < y ? -1 : x > y ? 1 : 0;
    return byKey !== 0 ? byKey : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  return descending ? sorted.reverse() : sorted;
}

/** The names from `anchor` to `target` (inclusive) in the order shown; just `target` if the anchor is not shown. */
export function rangeBetween(order: readonly string[], anchor: string | null, target: string): string[] {
  const to = order.indexOf(target);
  const from = anchor === null ? -1 : order.indexOf(anchor);
  if (to < 0) return [];
  if (from < 0) return [target];
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  return order.slice(lo, hi + 1);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Tags typed as one `key=value` per line (or comma-separated). Checks the same key and value rules the service does,
 * unique keys, 1 to 20 per request, and for createTags that no selected node would pass 20 tags.
 * Returns the tags, or the reasons they cannot be sent.
 */
export function parseTags(text: string, forDelete: boolean, selected: readonly NodeRow[]): { tags: Tag[]; errors: string[] } {
  const parts = text
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const errors: string[] = [];
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    const keyReason = checkTagKey(key);
    const valueReason = checkTagValue(value);
    if (keyReason) errors.push(`key ${JSON.stringify(key)}: ${keyReason}`);
    else if (valueReason) errors.push(`value of ${key}: ${valueReason}`);
    else if (seen.has(key)) errors.push(`key ${JSON.stringify(key)}: given twice`);
    seen.add(key);
    tags.push({ key, value });
  }
  if (parts.length === 0) errors.push('give at least one tag');
  if (parts.length > MAX_TAGS_PER_NODE) errors.push(`at most ${MAX_TAGS_PER_NODE} tags per request`);
  if (!forDelete && errors.length === 0) {
    const over = selected.filter((row) => new Set([...row.tags.map((t) => t.key), ...tags.map((t) => t.key)]).size > MAX_TAGS_PER_NODE);
    if (over.length > 0) {
      errors.push(`${over.length} selected node(s) would have more than ${MAX_TAGS_PER_NODE} tags (e.g. ${over[0]!.name}); they would fail`);
    }
  }
  return { tags, errors };
}

export type BatchKind = 'haOpen' | 'haClose' | 'tagsAdd' | 'tagsDelete' | 'driver' | 'lock' | 'unlock' | 'reboot' | 'drain' | 'delete';

export const MAX_DRAIN_NODES = 10;
const DRIVER_VERSION = /^[A-Za-z0-9._-]{1,64}$/;

/** Null when `version` is a driver version the service accepts, else the reason. */
export function checkDriverVersion(version: string): string | null {
  return DRIVER_VERSION.test(version) ? null : "driver version: 1-64 letters, digits, '.', '_' or '-'";
}

/** A group of nodes that share one request body. */
export interface BatchGroup {
  names: string[];
  body: (names: string[]) => unknown;
}

export interface BatchAction {
  kind: BatchKind;
  label: string;
  endpoint: string;
  /** Most nodes per call; larger groups go in chunks (drain is refused above its limit instead). */
  limit: number;
  /** How the end of each node's work is seen (src/domain/operation-progress.ts): `none` when the answer is the end. */
  wait: WaitKind;
  groups: (rows: readonly NodeRow[]) => BatchGroup[];
}

export interface BatchOptions {
  /** The service's published nodeNames limit. */
  maxBatch: number;
  effect?: string;
  tags?: Tag[];
  driver?: { version: string; updateStrategy: 'force' | 'idle' };
}

function oneGroup(body: (names: string[]) => unknown): (rows: readonly NodeRow[]) => BatchGroup[] {
  return (rows) => (rows.length === 0 ? [] : [{ names: rows.map((r) => r.name), body }]);
}

/**
 * BatchUpdatePoolNodes takes `driver` only together with an action. To upgrade without side effects each node is sent
 * the HA action that restates its current HA state (both are idempotent): open nodes grouped by their taint effect,
 * closed nodes with closeHaRedundant.
 */
function driverGroups(driver: NonNullable<BatchOptions['driver']>): (rows: readonly NodeRow[]) => BatchGroup[] {
  return (rows) => {
    const byEffect = new Map<string | null, string[]>();
    for (const row of rows) byEffect.set(row.ha, [...(byEffect.get(row.ha) ?? []), row.name]);
    return [...byEffect].map(([effect, names]) => ({
      names,
      body: (nodeNames: string[]) =>
        effect === null ? { nodeNames, action: 'closeHaRedundant', driver } : { nodeNames, action: 'openHaRedundant', haRedundantEffect: effect, driver },
    }));
  };
}

/** The calls an action makes on the selected rows. */
export function batchAction(kind: BatchKind, options: BatchOptions): BatchAction {
  const limit = options.maxBatch;
  const common = { kind, limit, wait: 'none' as WaitKind };
  switch (kind) {
    case 'haOpen': {
      const effect = options.effect ?? 'NoSchedule';
      return { ...common, label: `Open HA (${effect})`, endpoint: 'batch-update', groups: oneGroup((nodeNames) => ({ nodeNames, action: 'openHaRedundant', haRedundantEffect: effect })) };
    }
    case 'haClose':
      return { ...common, label: 'Close HA', endpoint: 'batch-update', groups: oneGroup((nodeNames) => ({ nodeNames, action: 'closeHaRedundant' })) };
    case 'tagsAdd':
      return { ...common, label: 'Add tags', endpoint: 'batch-update', groups: oneGroup((nodeNames) => ({ nodeNames, action: 'createTags', tags: options.tags })) };
    case 'tagsDelete':
      return { ...common, label: 'Delete tags', endpoint: 'batch-update', groups: oneGroup((nodeNames) => ({ nodeNames, action: 'deleteTags', tags: options.tags })) };
    case 'driver': {
      const driver = options.driver ?? { version: '', updateStrategy: 'idle' as const };
      return { ...common, wait: 'completion', label: `Upgrade driver to ${driver.version} (${driver.updateStrategy})`, endpoint: 'batch-update', groups: driverGroups(driver) };
    }
    case 'lock':
      return { ...common, label: 'Lock against delete', endpoint: 'batch-lock', groups: oneGroup((nodeNames) => ({ nodeNames, actions: ['delete'] })) };
    case 'unlock':
      return { ...common, label: 'Unlock', endpoint: 'batch-unlock', groups: oneGroup((nodeNames) => ({ nodeNames, actions: ['delete'] })) };
    case 'reboot':
      return { ...common, wait: 'completion', label: 'Reboot', endpoint: 'batch-reboot', groups: oneGroup((nodeNames) => ({ nodeNames })) };
    case 'drain':
      return { ...common, wait: 'drain', limit: MAX_DRAIN_NODES, label: 'Drain', endpoint: 'batch-drain', groups: oneGroup((nodeNames) => ({ nodeNames })) };
    case 'delete':
      return { ...common, wait: 'delete', label: 'Delete', endpoint: 'batch-delete', groups: oneGroup((deleteNodeNames) => ({ deleteNodeNames })) };
  }
}
