/**
 * The PostgreSQL floor: the same HTTP side as the SQLite floor (floor-server.ts: Fastify, poolkeeper's signature
 * code, JSON.parse), then one `pg` transaction on a pool of connections: the named nodes' ids looked up with one
 * query joining `unnest($names)`, and the tags upserted with ONE set-based statement over `unnest` arrays. No identity
 * store, policy, schema validation, row locks, operation record, metrics or logging.
 *
 * Its tables live in a schema of their own (`bench_floor`) in the run's benchmark database, and are dropped
 * when it stops, before poolkeeper is measured in the same database.
 */
import pg from 'pg';
import { postgresReader } from './floor-reads.js';
import { listenFloor, randomNodeNames, type FloorServer, type Tag, type TagResult } from './floor-server.js';
import { poolId, type BenchPool } from './protocol.js';

export interface PgFloorOptions {
  /** postgres://... of the run's benchmark database. */
  url: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
  pools: BenchPool[];
  /** Set (to the same database): the read routes (floor-reads.ts) read poolkeeper's rows in `public` on the same pool. */
  readFrom?: string;
}

/** The same number of connections poolkeeper keeps by default (POOLKEEPER_DATABASE_POOL_SIZE). */
const POOL_SIZE = 10;
const SCHEMA = 'bench_floor';

/**
 * Batches of up to SHORT_LIST_MAX names run as prepared statements (parsed once per connection, as poolkeeper's are)
 * with the names bound one by one, as poolkeeper binds short lists; larger ones unnamed, planned with their
 * parameters each time, the names joined as `unnest($names)` rather than `name = ANY($names)`, whose planning alone
 * takes tens of milliseconds for 10,000 names.
 */
function findNodes(names: number): string {
  const nodes =
    names <= SHORT_LIST_MAX
      ? `${SCHEMA}.nodes n ON n.pool_id = p.id AND n.name IN (${Array.from({ length: names }, (_, i) => `$${i + 2}`).join(', ')})`
      : `(${SCHEMA}.nodes n JOIN unnest($2::text[]) AS r (name) ON n.name = r.name) ON n.pool_id = p.id`;
  // No row for an unknown pool; one row with a null id for a pool none of whose nodes is named.
  return `SELECT n.id, n.name FROM ${SCHEMA}.pools p LEFT JOIN ${nodes} WHERE p.name = $1`;
}

const UPSERT_TAGS = `INSERT INTO ${SCHEMA}.node_tags (node_id, key, value) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])
  ON CONFLICT (node_id, key) DO UPDATE SET value = excluded.value`;

const SHORT_LIST_MAX = 8;

async function seed(pool: pg.Pool, options: PgFloorOptions): Promise<Record<string, string[]>> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${SCHEMA}`);
    await client.query(`CREATE TABLE ${SCHEMA}.pools (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE)`);
    await client.query(
      `CREATE TABLE ${SCHEMA}.nodes (id bigserial PRIMARY KEY, pool_id bigint NOT NULL REFERENCES ${SCHEMA}.pools (id), name text NOT NULL, UNIQUE (pool_id, name))`,
    );
    await client.query(
      `CREATE TABLE ${SCHEMA}.node_tags (node_id bigint NOT NULL REFERENCES ${SCHEMA}.nodes (id), key text NOT NULL, value text NOT NULL, PRIMARY KEY (node_id, key)) WITH (fillfactor = 70)`,
    );
    const nodeNames: Record<string, string[]> = {};
    for (const benchPool of options.pools) {
      const id = poolId(benchPool, options.projectId);
      const inserted = await client.query<{ id: string }>(`INSERT INTO ${SCHEMA}.pools (name) VALUES ($1) RETURNING id`, [id]);
      const names = randomNodeNames(benchPool.nodes);
      await client.query(`INSERT INTO ${SCHEMA}.nodes (pool_id, name) SELECT $1, unnest($2::text[])`, [inserted.rows[0]!.id, names]);
      nodeNames[id] = names;
    }
    await client.query('COMMIT');
    await client.query(`ANALYZE ${SCHEMA}.pools, ${SCHEMA}.nodes`);
    return nodeNames;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function startPgFloorServer(options: PgFloorOptions): Promise<FloorServer> {
  const pool = new pg.Pool({ connectionString: options.url, max: POOL_SIZE });
  const nodeNames = await seed(pool, options);

  async function applyTags(poolName: string, names: string[], tags: Tag[]): Promise<TagResult | undefined> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const short = names.length > 0 && names.length <= SHORT_LIST_MAX;
      const found = await client.query<{ id: string | number | null; name: string | null }>(
        short ? { name: `floor_find_${names.length}_nodes`, text: findNodes(names.length), values: [poolName, ...names] } : { text: findNodes(names.length), values: [poolName, names] },
      );
      if (found.rows.length === 0) {
        await client.query('ROLLBACK');
        return undefined;
      }
      const ids: Array<string | number> = [];
      const keys: string[] = [];
      const values: string[] = [];
      const present = new Set<string>();
      for (const row of found.rows) {
        if (row.id === null || row.name === null) continue;
        present.add(row.name);
        for (const tag of tags) {
          ids.push(row.id);
          keys.push(tag.key);
          values.push(tag.value);
        }
      }
      if (ids.length > 0) await client.query({ name: short ? 'floor_upsert_tags' : undefined, text: UPSERT_TAGS, values: [ids, keys, values] });
      await client.query('COMMIT');
      const successNodeNames: string[] = [];
      const failNodeNames: string[] = [];
      for (const name of names) (present.has(name) ? successNodeNames : failNodeNames).push(name);
      return { successNodeNames, failNodeNames };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  const { url, app } = await listenFloor(options, applyTags, options.readFrom === undefined ? undefined : postgresReader(pool));
  return {
    url,
    server: app.server,
    nodeNames,
    async close() {
      await app.close();
      try {
        await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}
