import { dirname, resolve } from 'node:path';
import { maskPasswords } from './security/redact.js';

const SQLITE_SYNCHRONOUS = ['NORMAL', 'FULL'] as const;
/** NORMAL keeps every acknowledged write across a process crash in WAL mode; FULL also across power loss. */
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS)[number];

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
  /** POOLKEEPER_METRICS_TOKEN: a bearer token that may scrape GET /metrics; absent, only authenticated callers may. */
  metricsToken: string | undefined;
  limits: { maxBatchNodes: number; maxPoolNodes: number; bodyLimitBytes: number; signatureMaxSkewSeconds: number };
  /** How long a client may take to send its request, and to send the next one on a kept-alive connection. */
  http: {
    /** From the first byte to the last byte of the body: a request still arriving then is answered 408 and closed. */
    requestTimeoutMs: number;
    /** From the first byte to the end of the headers. */
    headersTimeoutMs: number;
    /** How long an idle kept-alive connection stays open. */
    keepAliveTimeoutMs: number;
  };
  region: string;
  /** In memory only (POOLKEEPER_EPHEMERAL=1, `serve --ephemeral`): no database file, key file or credentials file. */
  ephemeral: boolean;
  /** A seed file (POOLKEEPER_SEED, `serve --seed`) loaded into the empty store at start; reset returns to it. */
  seedFile: string | undefined;
  /** The OpenAPI document and the API Explorer answer without credentials (POOLKEEPER_PUBLIC_DOCS, default on). */
  publicDocs: boolean;
}

export class ConfigError extends Error {}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

type Env = Record<string, string | undefined>;

const METRICS_TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/** Validated without ever echoing the value: it is a secret. */
function metricsToken(env: Env): string | undefined {
  const raw = env.POOLKEEPER_METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || raw.length > 256 || !METRICS_TOKEN_CHARACTERS.test(raw)) {
    throw new ConfigError(
      `POOLKEEPER_METRICS_TOKEN must be 16 to 256 visible ASCII characters, without spaces (it has ${raw.length}); ` +
        'generate one with: openssl rand -hex 32',
    );
  }
  return raw;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
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
  const ephemeral = flag(env, 'POOLKEEPER_EPHEMERAL', false);
  if (ephemeral && env.POOLKEEPER_DATABASE_URL && env.POOLKEEPER_DATABASE_URL !== ':memory:') {
    throw new ConfigError(`an ephemeral service keeps its store in memory: unset POOLKEEPER_DATABASE_URL (it names ${maskPasswords(env.POOLKEEPER_DATABASE_URL)})`);
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
    sqliteSynchronous: oneOf(env, 'POOLKEEPER_SQLITE_SYNCHRONOUS', SQLITE_SYNCHRONOUS, 'NORMAL'),
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
    metricsToken: metricsToken(env),
    limits: {
      maxBatchNodes: integer(env, 'POOLKEEPER_MAX_BATCH_NODES', 10_000, 1, 100_000),
      maxPoolNodes: integer(env, 'POOLKEEPER_MAX_POOL_NODES', 20_000, 1, 200_000),
      bodyLimitBytes: 12 * 1024 * 1024,
      signatureMaxSkewSeconds: 15 * 60,
    },
    http: httpTimeouts(env),
    region: env.POOLKEEPER_REGION || 'local-1',
    ephemeral,
    seedFile: env.POOLKEEPER_SEED || undefined,
    publicDocs: flag(env, 'POOLKEEPER_PUBLIC_DOCS', true),
  };
}

function httpTimeouts(env: Env): Config['http'] {
  const requestTimeoutMs = integer(env, 'POOLKEEPER_REQUEST_TIMEOUT_MS', 60_000, 100, 3_600_000);
  const headersTimeoutMs = integer(env, 'POOLKEEPER_HEADERS_TIMEOUT_MS', Math.min(20_000, requestTimeoutMs), 100, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`POOLKEEPER_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed POOLKEEPER_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  return { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs: integer(env, 'POOLKEEPER_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000) };
}
