import type { Generated } from 'kysely';

/** Epoch milliseconds. Stored as INTEGER (SQLite) / BIGINT (PostgreSQL). */
type Millis = number;

interface AccountTable {
  id: string;
  name: string;
  created_at: Millis;
  /** 1 for the account created on first start: its administrators may create other accounts. */
  is_operator: Generated<number>;
}

interface ProjectTable {
  id: string;
  account_id: string;
  name: string;
  created_at: Millis;
}

interface UserTable {
  id: string;
  account_id: string;
  name: string;
  created_at: Millis;
  /** scrypt hash; null for users who only use access keys. */
  password_hash: string | null;
  /** 1 for users who administer their account's projects, users, keys and policies. */
  is_account_admin: Generated<number>;
}

interface UserProjectTable {
  user_id: string;
  project_id: string;
}

interface UserPolicyTable {
  user_id: string;
  policy_name: string;
  /** IAM-style policy document, JSON. */
  document: string;
}

interface AccessKeyTable {
  access_key: string;
  /** Sealed with the master key (security/secrets.ts), never stored in clear. */
  secret_key: string;
  user_id: string;
  created_at: Millis;
  /** Temporary credentials expire; permanent ones have null. */
  expires_at: Millis | null;
  /** SHA-256 of the X-Security-Token that temporary credentials must send. */
  security_token_hash: string | null;
  /** Consecutive signature failures; reset by a valid request. */
  failed_attempts: Generated<number>;
  locked_until: Millis | null;
}

interface SigningKeyTable {
  id: string;
  sealed_secret: string;
  created_at: Millis;
}

interface PoolTable {
  id: Generated<number>;
  project_id: string;
  name: string;
  phase: string;
  /** JSON object. */
  labels: string;
  /** JSON object. */
  annotations: string;
  /** JSON: the pool spec as last accepted (type, scope, network, resources, driver). */
  spec: string;
  created_at: Millis;
  deleted_at: Millis | null;
  /** When a Deleting pool's simulated teardown completes. */
  delete_after: Millis | null;
  resource_version: number;
}

interface NodeTable {
  id: Generated<number>;
  pool_id: number;
  name: string;
  flavor: string;
  az: string;
  private_ip: string;
  node_pool: string | null;
  phase: string;
  /** When the simulated backend moves the node out of a transient phase (Creating, Deleting). */
  phase_until: Millis | null;
  created_at: Millis;
  driver_version: string | null;
  driver_phase: string | null;
  driver_target_version: string | null;
  driver_strategy: string | null;
  /** Comma-joined locked actions, '' when unlocked. */
  locked_actions: string;
  /** Simulated work on the node (PUT .../workload). */
  running_jobs: Generated<number>;
  /** 1 once drained (annotation os.modelarts.node/drain). */
  drained: Generated<number>;
  /** When the drained node's simulated work reaches zero. */
  drain_until: Millis | null;
  /** When the running driver upgrade started (Updating). */
  driver_started_at: Millis | null;
  /** When the reconciler next asks the backend about the upgrade; a claim moves it forward as a lease. */
  driver_check_at: Millis | null;
  /** 1 when an injected fault makes the scheduled upgrade fail. */
  driver_fail: Generated<number>;
  /** The operation that scheduled the upgrade, for its outcome. */
  driver_operation_id: string | null;
  reboot_started_at: Millis | null;
  reboot_check_at: Millis | null;
  reboot_fail: Generated<number>;
  reboot_operation_id: string | null;
}

interface FaultRuleTable {
  id: Generated<number>;
  project_id: string;
  pool_name: string | null;
  /** JSON array of node names, or null for every node. */
  node_names: string | null;
  fail: string;
  times: number;
  remaining: number;
  created_at: Millis;
}

/** How asynchronous work a batch call started ended, per node (driver upgrades, reboots). */
interface OperationOutcomeTable {
  operation_id: string;
  node_name: string;
  status: string;
  error_code: string | null;
  error_msg: string | null;
  completed_at: Millis;
}

interface NodeLabelTable {
  node_id: number;
  key: string;
  value: string;
}

interface NodeTaintTable {
  node_id: number;
  key: string;
  effect: string;
  value: string;
  time_added: Millis;
}

interface NodeTagTable {
  node_id: number;
  key: string;
  value: string;
}

interface OperationTable {
  id: string;
  project_id: string;
  pool_name: string;
  operation: string;
  action: string | null;
  principal: string;
  request_id: string;
  created_at: Millis;
  success_count: number;
  fail_count: number;
  /**
   * JSON, one entry per node in request order: a success is the node's name, a failure {name, status: "failed",
   * errorCode, errorMsg}. (Records written before 2026-11-28 hold successes as {name, status: "success"}; both read.)
   */
  results: string;
}

export interface Database {
  accounts: AccountTable;
  projects: ProjectTable;
  users: UserTable;
  user_projects: UserProjectTable;
  user_policies: UserPolicyTable;
  access_keys: AccessKeyTable;
  signing_keys: SigningKeyTable;
  pools: PoolTable;
  nodes: NodeTable;
  node_labels: NodeLabelTable;
  node_taints: NodeTaintTable;
  node_tags: NodeTagTable;
  operations: OperationTable;
  fault_rules: FaultRuleTable;
  operation_outcomes: OperationOutcomeTable;
}
