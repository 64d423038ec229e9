/**
 * The PostgreSQL server the benchmark uses: a fresh database per run, created here (in the parent) and dropped at
 * the end. The server is `BENCH_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/postgres, trust auth),
 * loopback only; the URL names the maintenance database to connect to for CREATE/DROP DATABASE.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  /** postgres://... of the fresh database. */
  url: string;
  /** The server's `server_version`. */
  version: string;
  /**
   * Before a target's measured runs: VACUUM (ANALYZE) the database (poolkeeper's nodes were rewritten by the
   * simulation after CreatePool, the floor's were only inserted: either way no dead rows, fresh statistics and hint
   * bits), then CHECKPOINT, so no timed checkpoint and the same full-page writes fall inside either target's runs.
   */
  settle(): Promise<void>;
  /** Drops the database (WITH FORCE: a crashed child's connections do not keep it). Safe to call twice. */
  drop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, statement_timeout: 120_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function postgresAdminUrl(): string {
  const url = process.env.BENCH_POSTGRES_URL || DEFAULT_POSTGRES_URL;
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`BENCH_POSTGRES_URL must be on loopback, got host ${host}`);
  return url;
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `poolkeeper_bench_${randomBytes(6).toString('hex')}`;
  const version = await withAdmin(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE ${name}`);
    return String((await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? 'unknown');
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    version,
    async settle() {
      await withAdmin(url.toString(), async (client) => {
        await client.query('VACUUM (ANALYZE)');
        await client.query('CHECKPOINT');
      });
    },
    async drop() {
      if (dropped) return;
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      dropped = true;
    },
  };
}
