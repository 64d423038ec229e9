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
}

export interface StopMessage {
  type: 'stop';
}

/** Stage timers: zero them (answered with `stages`), or just report them. */
export interface StagesRequest {
  type: 'reset-stages' | 'get-stages';
}

export type ParentMessage = StartMessage | StopMessage | StagesRequest;

export interface ReadyMessage {
  type: 'ready';
  url: string;
  /** floor only: the seeded node names by pool id. poolkeeper's are listed over its API. */
  nodeNames: Record<string, string[]>;
}

export interface FailedMessage {
  type: 'failed';
  error: string;
}

export interface StagesMessage {
  type: 'stages';
  totals: StageTotals;
}

export type ChildMessage = ReadyMessage | FailedMessage | StagesMessage;

export function poolId(pool: BenchPool, projectId: string): string {
  return `${pool.name}-${projectId}`;
}

export function batchUpdatePath(projectId: string, pool: string): string {
  return `/v2/${projectId}/pools/${pool}/nodes/batch-update`;
}
