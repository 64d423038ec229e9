import type { ExistingNode } from '../domain/pool-scaling.js';
import type { NodeDecision } from '../domain/node-update-planner.js';
import type { BatchNodeState, DriverPhase, NodeDriver, NodePhase, Tag, Taint } from '../domain/node.js';
import type { FaultBudget, FaultKind, LifecycleNodeState } from '../domain/node-lifecycle.js';
import type { PoolPhase, PoolSpec } from '../schemas/pool.js';
import type { OperationListPage, OperationListQuery } from './operation-list.js';

/** Who a user is and what they may do: read on each request (through a short cache), never from a token alone. */
export interface UserIdentity {
  userId: string;
  userName: string;
  accountId: string;
  accountName: string;
  isAccountAdmin: boolean;
  /** The user's account is the operator account (the one created on first start). */
  isOperator: boolean;
  projectIds: string[];
  /** IAM-style policy documents attached to the user, parsed. */
  policies: unknown[];
}

export interface AccessKeyRecord {
  accessKey: string;
  /** The secret key sealed with the master key. */
  sealedSecretKey: string;
  userId: string;
  createdAt: number;
  expiresAt: number | null;
  securityTokenHash: string | null;
  failedAttempts: number;
  lockedUntil: number | null;
}

export type NewAccessKey = Omit<AccessKeyRecord, 'failedAttempts' | 'lockedUntil'>;

export interface AccountRecord {
  id: string;
  name: string;
  createdAt: number;
}

export interface ProjectRecord {
  id: string;
  accountId: string;
  name: string;
  createdAt: number;
}

export interface UserRecord {
  id: string;
  accountId: string;
  name: string;
  isAccountAdmin: boolean;
  passwordHash: string | null;
  projectIds: string[];
  policyNames: string[];
  createdAt: number;
}

export interface AccessKeySummary {
  accessKey: string;
  createdAt: number;
  expiresAt: number | null;
}

export interface SigningKey {
  id: string;
  sealedSecret: string;
}

export interface BootstrapIdentity {
  accountId: string;
  accountName: string;
  projectId: string;
  projectName: string;
  userId: string;
  userName: string;
  accessKey: string;
  sealedSecretKey: string;
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
  runningJobs: number;
  drained: boolean;
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

/** A pool named as the API names it: by project and name. */
export interface PoolName {
  projectId: string;
  name: string;
}

/** What updateNodes reads for its planner besides each node's row (LifecycleNodeState); it reads only those. */
export interface NodeStateNeeds {
  taints?: boolean;
  /** Lock the pool row and pass its spec and count of nodes not being deleted (NodeChangeContext). */
  pool?: boolean;
  /**
   * Read (on PostgreSQL: lock) the project's active fault-injection rules. Only operations that injection can fail
   * (driver upgrades, reboots) ask; the others get an empty budget and save the read.
   */
  faults?: boolean;
}

/** What updatePoolNodes reads besides each node's row (id, name, phase, locked actions, driver). */
export interface BatchNodeNeeds {
  taints?: boolean;
  /** Count each node's tags whose key is not one of these (BatchNodeState.otherTagCount), without reading the tags. */
  countTagsBesides?: readonly string[];
  /** As NodeStateNeeds.faults. */
  faults?: boolean;
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

/** A create that hit a unique name or id. */
export class AlreadyExistsError extends Error {
  constructor(
    readonly kind: string,
    readonly identifier: string,
  ) {
    super(`${kind} ${identifier} already exists`);
  }
}

export class PoolExistsError extends Error {
  constructor(readonly poolName: string) {
    super(`pool ${poolName} already exists`);
  }
}

/** What a node-change planner gets besides the nodes. */
export interface NodeChangeContext {
  /** The project's active fault rules; uses taken from it are written back in the same transaction. */
  faults: FaultBudget;
  /** Only when NodeStateNeeds.pool is set: the pool's spec (row locked) and its nodes that are not Deleting. */
  pool: { spec: PoolSpec; liveNodes: number } | null;
}

/** Decisions plus a new pool spec (batch-delete shrinks `spec.resources`), committed together. */
export interface NodeChangePlan {
  decisions: NodeDecision[];
  spec: PoolSpec;
}

export interface FaultRuleRecord {
  id: number;
  projectId: string;
  pool: string | null;
  nodes: string[] | null;
  fail: FaultKind;
  times: number;
  remaining: number;
  createdAt: number;
}

/**
 * How many nodes (not being deleted) of a pool run each flavor, driver phase and version: the pool's `status.driver`
 * is summarised from these.
 */
export interface NodeDriverCount {
  poolId: number;
  flavor: string;
  driverPhase: string;
  driverVersion: string | null;
  count: number;
}

export interface NodeDriverSummary {
  name: string;
  flavor: string;
  phase: NodePhase;
  driverVersion: string | null;
  driverPhase: DriverPhase | null;
  /** The version a Pending or Updating upgrade goes to. */
  driverTargetVersion: string | null;
}

/** A long-running operation on one node that the reconciler hands to the node backend. */
export interface NodeJob {
  nodeId: number;
  poolId: number;
  name: string;
  startedAt: number;
  /** An injected fault decided, when the operation was requested, that it fails. */
  fail: boolean;
  /** Driver upgrades: the version being installed. */
  targetVersion: string | null;
  operationId: string | null;
}

/** A backend's report on one job; `InProgress` says when to look again. */
export type JobProgress =
  | { nodeId: number; state: 'InProgress'; checkAt: number }
  | { nodeId: number; state: 'Succeeded' }
  | { nodeId: number; state: 'Failed'; code: string; message: string };

export interface OperationOutcome {
  nodeName: string;
  status: 'succeeded' | 'failed';
  errorCode?: string;
  errorMsg?: string;
  completedAt: number;
}

/** The rows of every table a reset restores, as the store read them (StoreSnapshot is opaque to callers). */
export interface StoreSnapshot {
  tables: Array<{ table: string; rows: Array<Record<string, unknown>> }>;
}

/** Background work the reconciler picks up once its time has come. */
export type BackgroundJobKind = 'node_create' | 'node_delete' | 'pool_delete' | 'drain' | 'driver_upgrade' | 'reboot';

/** The database's picture of every pool, for monitoring (see nodeCensus). */
export interface NodeCensus {
  /** Nodes per pool (by name), phase and driver phase (null: the node has no accelerator driver). */
  nodes: Array<{ pool: string; phase: string; driverPhase: string | null; count: number }>;
  /** Per kind: jobs whose time has come but that no replica has taken yet, and when the oldest of them fell due. */
  dueJobs: Array<{ job: BackgroundJobKind; count: number; oldestDueAt: number | null }>;
}

export type WorkloadResult = { kind: 'not-found' } | { kind: 'refused'; detail: string } | { kind: 'ok'; node: NodeRecord };

/** Everything poolkeeper keeps. One implementation per SQL dialect; all pass the same contract tests. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Resolves once the database answers a trivial query: the readiness check. */
  ping(): Promise<void>;

  hasAnyAccount(): Promise<boolean>;
  /** One sealed secret the store holds (an access key's SK or the token-signing key), to check a master key against. */
  findSealedSecret(): Promise<string | undefined>;
  /**
   * Everything a reset restores: identities, keys, pools, nodes with their labels, taints and tags, operation records,
   * fault rules. The token-signing key is not part of it (tokens stay valid across a reset).
   */
  snapshot(): Promise<StoreSnapshot>;
  /** Puts the store back to `snapshot` in one transaction: readers see the state before or after, never between. */
  restore(snapshot: StoreSnapshot): Promise<void>;
  /** Creates the first account and its admin; false when another replica's bootstrap won the race. */
  createBootstrapIdentity(identity: BootstrapIdentity): Promise<boolean>;

  findAccessKey(accessKey: string): Promise<AccessKeyRecord | undefined>;
  getUserIdentity(userId: string): Promise<UserIdentity | undefined>;
  /** Counts a failed signature; at `maxFailures` consecutive failures the key is locked until `now + lockMillis`. */
  recordAuthFailure(accessKey: string, now: number, maxFailures: number, lockMillis: number): Promise<{ failedAttempts: number; lockedUntil: number | null }>;
  clearAuthFailures(accessKey: string): Promise<void>;

  createAccount(account: AccountRecord): Promise<void>;
  listAccounts(): Promise<AccountRecord[]>;
  /** By id or by name. */
  findAccount(idOrName: string): Promise<AccountRecord | undefined>;
  createProject(project: ProjectRecord): Promise<void>;
  listProjects(accountId: string): Promise<ProjectRecord[]>;
  /** A project of the account, by id or by name. */
  findProject(accountId: string, idOrName: string): Promise<ProjectRecord | undefined>;
  createUser(user: Omit<UserRecord, 'projectIds' | 'policyNames'>): Promise<void>;
  setUserPassword(userId: string, passwordHash: string): Promise<void>;
  listUsers(accountId: string): Promise<UserRecord[]>;
  findUser(accountId: string, name: string): Promise<UserRecord | undefined>;
  /** Adds or removes a project membership; false when nothing changed. */
  setUserProject(userId: string, projectId: string, member: boolean): Promise<boolean>;
  putUserPolicy(userId: string, policyName: string, document: unknown): Promise<void>;
  deleteUserPolicy(userId: string, policyName: string): Promise<boolean>;
  createAccessKey(key: NewAccessKey): Promise<void>;
  listAccessKeys(userId: string): Promise<AccessKeySummary[]>;
  /** Deletes a key of a user of the account; false when there is none. */
  deleteAccessKey(accountId: string, accessKey: string): Promise<boolean>;
  /** The token-signing key every replica shares: `candidate` is stored only when none exists yet. */
  ensureSigningKey(candidate: SigningKey & { createdAt: number }): Promise<SigningKey>;

  createPool(pool: Omit<PoolRecord, 'id' | 'deletedAt'>, nodes: NewNode[]): Promise<PoolRecord>;
  listPools(projectId: string): Promise<PoolRecord[]>;
  getPool(projectId: string, poolName: string): Promise<PoolRecord | undefined>;
  countNodesByFlavorAndPhase(poolIds: number[]): Promise<FlavorPhaseCount[]>;
  /** Every pool's nodes by phase and driver phase, and the background jobs due at `now`; cheap enough for every scrape. */
  nodeCensus(now: number): Promise<NodeCensus>;
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
    decide: (nodes: ReadonlyMap<string, LifecycleNodeState>, context: NodeChangeContext) => NodeDecision[] | NodeChangePlan,
    operation: OperationMeta,
  ): Promise<NodeDecision[]>;
  /**
   * updateNodes for BatchUpdatePoolNodes: the pool is named by project and name and found inside the same transaction
   * (one read fewer than loading it first), undefined with nothing written when there is no such pool; each node is
   * read only as far as the batch planner needs (BatchNodeState), which at 10,000 nodes is most of the read's cost.
   */
  updatePoolNodes(
    pool: PoolName,
    nodeNames: string[],
    needs: BatchNodeNeeds,
    decide: (nodes: ReadonlyMap<string, BatchNodeState>, context: NodeChangeContext) => NodeDecision[],
    operation: OperationMeta,
  ): Promise<NodeDecision[] | undefined>;
  getOperation(projectId: string, operationId: string): Promise<OperationRecord | undefined>;
  /** A page of the project's operation records, newest first, with where each one's nodes stand (operation-list.ts). */
  listOperations(query: OperationListQuery): Promise<OperationListPage>;

  /** Moves simulated nodes and pools out of transient phases whose time has come. Idempotent; safe on several replicas. */
  advanceSimulation(now: number): Promise<SimulationProgress>;

  /** Sets a node's simulated running jobs unless `refuse` (given the locked row) says why not. */
  setRunningJobs(poolId: number, nodeName: string, runningJobs: number, refuse: (node: LifecycleNodeState) => string | null): Promise<WorkloadResult>;
  createFaultRule(rule: Omit<FaultRuleRecord, 'id' | 'remaining'>): Promise<FaultRuleRecord>;
  /** Rules with uses left, oldest first. */
  listFaultRules(projectId: string): Promise<FaultRuleRecord[]>;
  countNodeDrivers(poolIds: number[]): Promise<NodeDriverCount[]>;
  listNodeDrivers(poolId: number): Promise<NodeDriverSummary[]>;
  /** Async results recorded for an operation's nodes, in completion order. */
  listOperationOutcomes(operationId: string): Promise<OperationOutcome[]>;

  /** Drained nodes whose work has run out: running jobs become 0. One conditional statement. */
  finishDrains(now: number): Promise<number>;
  /**
   * Claims up to `limit` Pending upgrades that may start (Available; `force`, or no running work): they go Updating
   * (a `force` upgrade stops the work) and are due for the backend at once. One conditional statement.
   */
  startDriverUpgrades(now: number, limit: number): Promise<NodeJob[]>;
  /** Claims up to `limit` Updating nodes due for a look: their next look moves to `now + leaseMillis`, so no other replica takes them meanwhile. */
  claimDriverUpgrades(now: number, leaseMillis: number, limit: number): Promise<NodeJob[]>;
  /** Applies backend reports to Updating nodes only, recording each end in the operation's outcomes; returns how many ended. */
  recordDriverUpgrades(progress: JobProgress[], now: number): Promise<number>;
  /** Like claimDriverUpgrades, for nodes Checking after a reboot request. */
  claimReboots(now: number, leaseMillis: number, limit: number): Promise<NodeJob[]>;
  recordReboots(progress: JobProgress[], now: number): Promise<number>;
}
