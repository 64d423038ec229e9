import type { ExistingNode } from '../domain/pool-scaling.js';
import type { NodeDecision } from '../domain/node-update-planner.js';
import type { NodeDriver, NodePhase, NodeState, Tag, Taint } from '../domain/node.js';
import type { PoolPhase, PoolSpec } from '../schemas/pool.js';

export interface AccessKeyRecord {
  accessKey: string;
  secretKey: string;
  userId: string;
  userName: string;
  accountId: string;
  accountName: string;
  projectIds: string[];
  /** IAM-style policy documents attached to the user, parsed. */
  policies: unknown[];
}

export interface BootstrapIdentity {
  accountId: string;
  accountName: string;
  projectId: string;
  projectName: string;
  userId: string;
  userName: string;
  accessKey: string;
  secretKey: string;
  policyName: string;
  policyDocument: unknown;
  createdAt: number;
}

export interface PoolRecord {
  id: number;
  projectId: string;
  name: string;
  phase: PoolPhase;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: PoolSpec;
  createdAt: number;
  deletedAt: number | null;
  /** Bumped by every change of the pool row; scaling checks it to refuse lost updates. */
  resourceVersion: number;
}

export interface NewNode {
  name: string;
  flavor: string;
  az: string;
  privateIp: string;
  nodePool: string | null;
  phase: NodePhase;
  phaseUntil: number | null;
  driverVersion: string | null;
}

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
}

export interface FlavorPhaseCount {
  poolId: number;
  flavor: string;
  phase: NodePhase;
  count: number;
}

export interface NodePage {
  nodes: NodeRecord[];
  /** Nodes after this page. */
  remaining: number;
}

export interface OperationRecord {
  id: string;
  projectId: string;
  poolName: string;
  operation: string;
  action: string | null;
  principal: string;
  requestId: string;
  createdAt: number;
  successCount: number;
  failCount: number;
  results: NodeResult[];
}

export interface NodeResult {
  name: string;
  status: 'success' | 'failed';
  errorCode?: string;
  errorMsg?: string;
}

export type OperationMeta = Omit<OperationRecord, 'successCount' | 'failCount' | 'results'>;

/** Which parts of the node state the planner needs; the store reads only those. */
export interface NodeStateNeeds {
  labels?: boolean;
  taints?: boolean;
  tags?: boolean;
}

export interface PoolScaling {
  spec: PoolSpec;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  addNodes: NewNode[];
  /** Nodes chosen for removal go Deleting until this time. */
  deleteNodeIds: number[];
  deleteUntil: number;
  now: number;
}

export interface SimulationProgress {
  nodesAvailable: number;
  nodesRemoved: number;
  poolsRunning: number;
  poolsRemoved: number;
}

export class PoolExistsError extends Error {
  constructor(readonly poolName: string) {
    super(`pool ${poolName} already exists`);
  }
}

/** Everything poolkeeper keeps. One implementation per SQL dialect; all pass the same contract tests. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  hasAnyAccount(): Promise<boolean>;
  /** Creates the first account and its admin; false when another replica's bootstrap won the race. */
  createBootstrapIdentity(identity: BootstrapIdentity): Promise<boolean>;
  findAccessKey(accessKey: string): Promise<AccessKeyRecord | undefined>;
  projectExists(projectId: string): Promise<boolean>;

  createPool(pool: Omit<PoolRecord, 'id' | 'deletedAt'>, nodes: NewNode[]): Promise<PoolRecord>;
  listPools(projectId: string): Promise<PoolRecord[]>;
  getPool(projectId: string, poolName: string): Promise<PoolRecord | undefined>;
  countNodesByFlavorAndPhase(poolIds: number[]): Promise<FlavorPhaseCount[]>;
  /** Node names already used in a pool (for generating new unique ones). */
  listNodeNames(poolId: number): Promise<Set<string>>;
  /** Nodes of a pool in creation order, newest first: candidates when scaling down. */
  listNodesForScaling(poolId: number): Promise<ExistingNode[]>;
  /** Applies the scaling if the pool is still at `expectedVersion`; false when another writer got there first. */
  scalePool(poolId: number, expectedVersion: number, scaling: PoolScaling): Promise<boolean>;
  markPoolDeleting(poolId: number, deletedAt: number, deleteAfter: number): Promise<void>;

  listNodes(poolId: number, page: { afterName: string | null; limit: number }): Promise<NodePage>;
  getNode(poolId: number, nodeName: string): Promise<NodeRecord | undefined>;
  setNodePhase(poolId: number, nodeName: string, phase: NodePhase): Promise<boolean>;

  /**
   * Reads the named nodes' current state, lets `decide` plan each node, applies the successful nodes' deltas and
   * records the operation, all in one transaction with the nodes locked against concurrent writers.
   */
  updateNodes(
    poolId: number,
    nodeNames: string[],
    needs: NodeStateNeeds,
    decide: (nodes: ReadonlyMap<string, NodeState>) => NodeDecision[],
    operation: OperationMeta,
  ): Promise<NodeDecision[]>;
  getOperation(projectId: string, operationId: string): Promise<OperationRecord | undefined>;

  /** Moves simulated nodes and pools out of transient phases whose time has come. Idempotent; safe on several replicas. */
  advanceSimulation(now: number): Promise<SimulationProgress>;
}
