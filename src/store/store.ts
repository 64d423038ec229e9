import type { DialectName } from './dialect.js';
import type { CredentialStore } from './credentials.js';
import type { IdentityStore } from './identity.js';
import type { JobStore } from './jobs.js';
import type { NodeChangeStore } from './node-changes.js';
import type { NodeStore } from './nodes.js';
import type { OperationStore } from './operations.js';
import type { PoolStore } from './pools.js';
import type { StoreSnapshot } from './snapshot.js';

/**
 * Everything poolkeeper keeps, one field per aggregate. One SQL implementation with the dialect differences behind
 * DialectSql (SQLite, PostgreSQL); both pass the same contract tests. The simulated node backend keeps its own writes
 * in its own store (src/simulation/simulation-store.ts), on the same database.
 */
export interface Store {
  readonly dialect: DialectName;
  /** Brings the schema to the latest version; replicas starting together take turns. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Resolves once the database answers a trivial query: the readiness check. */
  ping(): Promise<void>;
  /**
   * Everything a reset restores: identities, keys, pools, nodes with their labels, taints and tags, operation records,
   * fault rules. The token-signing key is not part of it (tokens stay valid across a reset).
   */
  snapshot(): Promise<StoreSnapshot>;
  /** Puts the store back to `snapshot` in one transaction: readers see the state before or after, never between. */
  restore(snapshot: StoreSnapshot): Promise<void>;

  readonly identity: IdentityStore;
  readonly credentials: CredentialStore;
  readonly pools: PoolStore;
  readonly nodes: NodeStore;
  readonly changes: NodeChangeStore;
  readonly jobs: JobStore;
  readonly operations: OperationStore;
}
