/** What the benchmark parent and its server child process say to each other over the fork IPC channel. */
import type { StageTotals } from './stages.js';

export type ServerRole = 'floor' | 'poolkeeper';

export interface BenchPool {
  /** The pool's display name (`os.modelarts/name`); the pool id in paths is `<name>-<projectId>`. */
  name: string;
  nodes: number;
}

export interface StartMessage {
  type: 'start';
  role: ServerRole;
  projectId: string;
  accessKey: string;
  secretKey: string;
  /** poolkeeper only: pino level (`warn` to measure, `info` to see what per-request logging costs). */
  logLevel: string;
  /** floor only: the pools (and node counts) it seeds itself with. */
  pools: BenchPool[];
  /** Install the stage timers (stages.ts): poolkeeper, or (--stages --postgres) the PostgreSQL floor. */
  stages: boolean;
  /**
   * postgres://... of the run's benchmark database: the floor runs floor-server-pg.ts on it, poolkeeper uses it as
   * POOLKEEPER_DATABASE_URL. Absent: both on a temporary SQLite file.
   */
  postgresUrl?: string;
  /** poolkeeper only: POOLKEEPER_MASTER_KEY, one per benchmark run, so targets sharing a database read its secrets. */
  masterKey: string;
  /**
   * floor only: poolkeeper's database (its SQLite file, or the postgres://... URL), which the floor's read routes
   * (floor-reads.ts) read poolkeeper's own rows from. Absent: the floor serves only batch-updates.
   */
  readFrom?: string;
}

export interface StopMessage {
  type: 'stop';
}

/** Stage timers: zero them (answered with `stages`), or just report them. */
export interface StagesRequest {
  type: 'reset-stages' | 'get-stages';
}

/** The child's CPU time and memory so far; `gc` runs a full garbage collection first (the child needs --expose-gc). */
export interface UsageRequest {
  type: 'usage';
  gc: boolean;
}

export type ParentMessage = StartMessage | StopMessage | StagesRequest | UsageRequest;

export interface ReadyMessage {
  type: 'ready';
  url: string;
  /** floor only: the seeded node names by pool id. poolkeeper's are listed over its API. */
  nodeNames: Record<string, string[]>;
  /** poolkeeper only: its POOLKEEPER_DATABASE_URL (a SQLite file, or postgres://...), for a floor's `readFrom`. */
  database?: string;
}

export interface FailedMessage {
  type: 'failed';
  error: string;
}

export interface StagesMessage {
  type: 'stages';
  totals: StageTotals;
}

export interface UsageMessage {
  type: 'usage';
  /** process.cpuUsage(), user + system, in µs: every thread of the process (libuv's pool too). */
  cpuMicros: number;
  /** process.memoryUsage(), bytes. */
  rss: number;
  heapUsed: number;
  /** Memory outside the JavaScript heap that V8 knows of (Buffers, ArrayBuffers), bytes. */
  external: number;
  /**
   * The longest delay of the child's event loop since its last `usage` answer, in ms: how long a request that was
   * ready had to wait for the loop at worst. Absent from a build before it (`--baseline`).
   */
  eventLoopDelayMaxMs?: number;
}

export type ChildMessage = ReadyMessage | FailedMessage | StagesMessage | UsageMessage;

export function poolId(pool: BenchPool, projectId: string): string {
  return `${pool.name}-${projectId}`;
}

export function batchUpdatePath(projectId: string, pool: string): string {
  return `/v2/${projectId}/pools/${pool}/nodes/batch-update`;
}
