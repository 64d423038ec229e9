import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

/** Which store the API and store suites run on: Vitest runs them once per dialect (see vitest.config.ts). */
export const TEST_DIALECT: Dialect = process.env.POOLKEEPER_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';

/** A server the tests may create and drop databases on (trust auth on these machines). */
export const PG_ADMIN_URL = process.env.POOLKEEPER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database for one test file. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `poolkeeper_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        // Connections a closed pool is still ending may linger a moment: wait for them rather than kill them
        // (a killed connection surfaces as an unhandled error in the test that owned it).
        for (let attempt = 0; ; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name}${attempt >= 50 ? ' WITH (FORCE)' : ''}`);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== '55006') throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}

/** The database URL for a test service: a SQLite file in `dataDir`, or a fresh PostgreSQL database. */
export async function testDatabase(dialect: Dialect, dataDir: string): Promise<TestDatabase> {
  if (dialect === 'postgres') return createPostgresDatabase();
  return { url: join(dataDir, 'poolkeeper.db'), drop: async () => {} };
}

export interface ServiceStorage {
  dataDir: string;
  database: TestDatabase;
  /** POOLKEEPER_DATABASE_URL and POOLKEEPER_DATA_DIR for a service process. */
  env: { POOLKEEPER_DATABASE_URL: string; POOLKEEPER_DATA_DIR: string };
  remove(): Promise<void>;
}

/** A fresh data folder and database of the dialect under test, for tests that run the service as its own process. */
export async function serviceStorage(): Promise<ServiceStorage> {
  const dataDir = mkdtempSync(join(tmpdir(), 'poolkeeper-process-'));
  const database = await testDatabase(TEST_DIALECT, dataDir);
  return {
    dataDir,
    database,
    env: { POOLKEEPER_DATABASE_URL: database.url, POOLKEEPER_DATA_DIR: dataDir },
    async remove() {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
