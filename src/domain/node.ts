import type { DRIVER_UPDATE_STRATEGIES, NODE_PHASES, TAINT_EFFECTS } from '../schemas/node.js';

export type NodePhase = (typeof NODE_PHASES)[number];
export type TaintEffect = (typeof TAINT_EFFECTS)[number];
export type DriverUpdateStrategy = (typeof DRIVER_UPDATE_STRATEGIES)[number];

const DRIVER_PHASES = ['Pending', 'Updating', 'Running', 'Abnormal'] as const;
export type DriverPhase = (typeof DRIVER_PHASES)[number];

export const LABEL_HA_REDUNDANT = 'os.modelarts.node/ha.redundant.enabled';
export const TAINT_HA_REDUNDANT = 'os.modelarts.node/ha.redundant';
export const ANNOTATION_TAGS = 'os.modelarts/tms.tags';
export const ANNOTATION_LOCK = 'os.modelarts.node/lock.action';
export const ANNOTATION_DRAIN = 'os.modelarts.node/drain';

export interface Taint {
  key: string;
  value: string;
  effect: TaintEffect;
  /** RFC 3339 UTC, seconds precision. */
  timeAdded: string;
}

export interface Tag {
  key: string;
  value: string;
}

export interface NodeDriver {
  version: string;
  phase: DriverPhase;
  /** Set while an upgrade is scheduled or running. */
  targetVersion: string | null;
  updateStrategy: DriverUpdateStrategy | null;
}

/** What the planners need to know about one node, read inside the write transaction. */
export interface NodeState {
  id: number;
  name: string;
  phase: NodePhase;
  taints: Taint[];
  lockedActions: string[];
  driver: NodeDriver | null;
}

/** What the batch-update planner knows of a node. */
export interface BatchNodeState extends NodeState {
  /**
   * For createTags: how many of the node's tags have a key the request does not name, i.e. the tags the upsert leaves
   * as they are. Counted by the store (the tags themselves are not read); 0 for the other actions.
   */
  otherTagCount: number;
}

/**
 * Changes to one node, applied as deltas so concurrent writers never overwrite each other. A call's planner gives all
 * its nodes the same `setLabels` and `upsertTags` objects: the store writes each distinct object once for its nodes.
 */
export interface NodeDelta {
  nodeId: number;
  setLabels?: Record<string, string>;
  removeTaints?: Array<{ key: string; effect: TaintEffect }>;
  addTaints?: Taint[];
  upsertTags?: Tag[];
  /** A tag is removed when its key matches and, when `value` is given, its value matches too. */
  deleteTags?: Array<{ key: string; value?: string }>;
  /** `fail`: an injected fault makes the upgrade end Abnormal. */
  driverUpgrade?: { version: string; updateStrategy: DriverUpdateStrategy; fail?: boolean };
  /** The node's locked actions after the change (sorted). */
  setLockedActions?: string[];
  /** A reboot in progress is abandoned. */
  setPhase?: { phase: NodePhase; until: number | null };
  /** The node goes Checking for a simulated reboot and its work stops. */
  reboot?: { fail: boolean };
  /** The node is drained; its simulated work reaches zero at `until`. */
  drain?: { until: number };
}
