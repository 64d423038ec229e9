import { dirname, resolve } from 'node:path';
import { maskDatabaseUrl } from './security/redact.js';
import type { SqliteSynchronous } from './store/sqlite.js';

export interface Config {
  host: string;
  port: number;
  /** A SQLite file path, ':memory:', or a postgres:// URL. */
  databaseUrl: string;
  /** Where the credentials file (and other local state) lives. */
  dataDir: string;
  sqliteSynchronous: SqliteSynchronous;
  /** PostgreSQL connections per replica. */
  databasePoolSize: number;
  /** How long a PostgreSQL call waits for a pooled connection (opening one, or for one to come free) before it fails. */
  databaseConnectTimeoutMs: number;
  logLevel: string;
  /** POOLKEEPER_MASTER_KEY; when absent the key lives in <dataDir>/master.key. */
  masterKey: string | undefined;
  bootstrap: { projectId?: string; accessKey?: string; secretKey?: string; seedDemo: boolean };
  simulation: {
    nodeCreateSeconds: number;
    nodeDeleteSeconds: number;
    reconcileIntervalMs: number;
    driverUpgradeSeconds: number;
    rebootSeconds: number;
    drainSeconds: number;
    /** How long a claimed background job stays with the replica that claimed it before another may take it over. */
    jobLeaseSeconds: number;
  };
  limits: { maxBatchNodes: number; maxPoolNodes: number; bodyLimitBytes: number; signatureMaxSkewSeconds: number };
  region: string;
  /** In memory only (POOLKEEPER_EPHEMERAL=1, `serve --ephemeral`): no database file, key file or credentials file. */
  ephemeral: boolean;
  /** A seed file (POOLKEEPER_SEED, `serve --seed`) loaded into the empty store at start; reset returns to it. */
  seedFile: string | undefined;
}

export class ConfigError extends Error {}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.toUpperCase() as T;
  if (!allowed.includes(value)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return value;
}

/** POOLKEEPER_DATA_DIR, else the SQLite file's folder, else ./data (absolute). */
export function dataDirFrom(env: Env): string {
  const databaseUrl = env.POOLKEEPER_DATABASE_URL || './data/poolkeeper.db';
  const isFile = databaseUrl !== ':memory:' && !isPostgresUrl(databaseUrl);
  return resolve(env.POOLKEEPER_DATA_DIR || (isFile ? dirname(resolve(databaseUrl)) : './data'));
}

/** The one typed configuration, from POOLKEEPER_* (and PORT/HOST) environment variables. */
export function loadConfig(env: Env = process.env): Config {
  const ephemeral = flag(env, 'POOLKEEPER_EPHEMERAL');
  if (ephemeral && env.POOLKEEPER_DATABASE_URL && env.POOLKEEPER_DATABASE_URL !== ':memory:') {
    throw new ConfigError(`an ephemeral service keeps its store in memory: unset POOLKEEPER_DATABASE_URL (it names ${maskDatabaseUrl(env.POOLKEEPER_DATABASE_URL)})`);
  }
  // An ephemeral service is for tests: simulated work takes no time unless asked to.
  const simSeconds = ephemeral ? 0 : undefined;
  const databaseUrl = ephemeral ? ':memory:' : env.POOLKEEPER_DATABASE_URL || './data/poolkeeper.db';
  const dataDir = dataDirFrom(env);
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 9710, 0, 65535),
    databaseUrl,
    dataDir,
    sqliteSynchronous: oneOf(env, 'POOLKEEPER_SQLITE_SYNCHRONOUS', ['NORMAL', 'FULL'] as const, 'NORMAL'),
    databasePoolSize: integer(env, 'POOLKEEPER_DATABASE_POOL_SIZE', 10, 1, 1000),
    databaseConnectTimeoutMs: integer(env, 'POOLKEEPER_DATABASE_CONNECT_TIMEOUT_MS', 10_000, 100, 600_000),
    logLevel: env.POOLKEEPER_LOG_LEVEL || 'info',
    masterKey: env.POOLKEEPER_MASTER_KEY || undefined,
    bootstrap: {
      projectId: env.POOLKEEPER_BOOTSTRAP_PROJECT_ID || undefined,
      accessKey: env.POOLKEEPER_BOOTSTRAP_AK || undefined,
      secretKey: env.POOLKEEPER_BOOTSTRAP_SK || undefined,
      // With a seed file the seed says what exists: the demo pool only when asked for.
      seedDemo: env.POOLKEEPER_SEED ? env.POOLKEEPER_SEED_DEMO === '1' : env.POOLKEEPER_SEED_DEMO !== '0',
    },
    simulation: {
      nodeCreateSeconds: integer(env, 'POOLKEEPER_SIM_NODE_CREATE_SECONDS', simSeconds ?? 3, 0, 86_400),
      nodeDeleteSeconds: integer(env, 'POOLKEEPER_SIM_NODE_DELETE_SECONDS', simSeconds ?? 3, 0, 86_400),
      reconcileIntervalMs: integer(env, 'POOLKEEPER_RECONCILE_INTERVAL_MS', 250, 10, 60_000),
      driverUpgradeSeconds: integer(env, 'POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS', simSeconds ?? 10, 0, 86_400),
      rebootSeconds: integer(env, 'POOLKEEPER_SIM_REBOOT_SECONDS', simSeconds ?? 5, 0, 86_400),
      drainSeconds: integer(env, 'POOLKEEPER_SIM_DRAIN_SECONDS', simSeconds ?? 5, 0, 86_400),
      jobLeaseSeconds: integer(env, 'POOLKEEPER_JOB_LEASE_SECONDS', 30, 1, 3_600),
    },
    limits: {
      maxBatchNodes: integer(env, 'POOLKEEPER_MAX_BATCH_NODES', 10_000, 1, 100_000),
      maxPoolNodes: integer(env, 'POOLKEEPER_MAX_POOL_NODES', 20_000, 1, 200_000),
      bodyLimitBytes: 12 * 1024 * 1024,
      signatureMaxSkewSeconds: 15 * 60,
    },
    region: env.POOLKEEPER_REGION || 'local-1',
    ephemeral,
    seedFile: env.POOLKEEPER_SEED || undefined,
  };
}

function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw.toLowerCase() === 'false') return false;
  if (raw === '1' || raw.toLowerCase() === 'true') return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}
