/**
 * The floor: the least a server can do for a signed batch-update of tags, with the same framework, the same
 * signature code and the same database engine as poolkeeper, and nothing else (no identity store, no policy,
 * no schema validation, no operation record, no metrics, no logging). Its figures, measured in the same run,
 * are what poolkeeper's are compared with.
 *
 * The HTTP side (Fastify, raw body, signature check, JSON.parse) is shared by both engines; the database side is
 * better-sqlite3 here and `pg` in floor-server-pg.ts. The read calls' floors are in floor-reads.ts.
 */
import { randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { parseAuthorization, SignatureError, verifySignature } from '../src/server/auth/signature.js';
import { FLOOR_READS, sqliteReader, type Reader } from './floor-reads.js';
import { poolId, type BenchPool } from './protocol.js';

export interface FloorOptions {
  /** A folder of its own: the SQLite file goes there. */
  dir: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
  pools: BenchPool[];
  /** poolkeeper's SQLite file: the read routes (floor-reads.ts) read its rows, read-only. */
  readFrom?: string;
}

export interface FloorServer {
  url: string;
  /** The HTTP server, for the stage timers' request timing. */
  server: Server;
  /** Seeded node names by pool id. */
  nodeNames: Record<string, string[]>;
  close(): Promise<void>;
}

export interface Tag {
  key: string;
  value: string;
}

export interface TagResult {
  successNodeNames: string[];
  failNodeNames: string[];
}

/** Applies `tags` to the named nodes of the pool (by pool id); undefined when there is no such pool. */
export type ApplyTags = (pool: string, names: string[], tags: Tag[]) => TagResult | undefined | Promise<TagResult | undefined>;

const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomNodeName(taken: Set<string>): string {
  for (let attempt = 0; attempt < 1000; attempt++) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
    const name = `os-node-created-${suffix}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
  throw new Error('could not find a free node name');
}

/** `count` distinct node names shaped like poolkeeper's. */
export function randomNodeNames(count: number): string[] {
  const taken = new Set<string>();
  return Array.from({ length: count }, () => randomNodeName(taken));
}

function openDatabase(file: string, options: FloorOptions): { db: Database.Database; nodeNames: Record<string, string[]> } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE pools (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE nodes (id INTEGER PRIMARY KEY, pool_id INTEGER NOT NULL REFERENCES pools (id), name TEXT NOT NULL, UNIQUE (pool_id, name));
    CREATE TABLE node_tags (node_id INTEGER NOT NULL REFERENCES nodes (id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (node_id, key)) WITHOUT ROWID;
  `);
  const insertPool = db.prepare('INSERT INTO pools (name) VALUES (?)');
  const insertNode = db.prepare('INSERT INTO nodes (pool_id, name) VALUES (?, ?)');
  const nodeNames: Record<string, string[]> = {};
  db.transaction(() => {
    for (const pool of options.pools) {
      const id = poolId(pool, options.projectId);
      const rowId = Number(insertPool.run(id).lastInsertRowid);
      const names = randomNodeNames(pool.nodes);
      for (const name of names) insertNode.run(rowId, name);
      nodeNames[id] = names;
    }
  })();
  return { db, nodeNames };
}

/** The signature check, with poolkeeper's own code: a 401 body, or undefined when the request is signed right. */
function signatureProblem(request: FastifyRequest, raw: Buffer, options: Pick<FloorOptions, 'accessKey' | 'secretKey'>): object | undefined {
  try {
    const auth = parseAuthorization(String(request.headers.authorization ?? ''));
    if (auth.accessKey !== options.accessKey) throw new SignatureError('unknown access key');
    verifySignature({ method: request.method, url: request.raw.url ?? request.url, headers: request.headers, body: raw }, auth, options.secretKey, Date.now());
    return undefined;
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    return { error_code: 'APIGW.0301', error_msg: error.reason };
  }
}

const NO_BODY = Buffer.alloc(0);

/**
 * The floor's HTTP side, the same for every engine: Fastify on 127.0.0.1 port 0, the raw body kept, the signature
 * checked with poolkeeper's own code, JSON.parse, a minimal shape check, then `apply`. With a `reader` on
 * poolkeeper's database it also answers the read calls of floor-reads.ts.
 */
export async function listenFloor(
  options: Pick<FloorOptions, 'accessKey' | 'secretKey'>,
  apply: ApplyTags,
  reader?: Reader,
): Promise<{ url: string; app: FastifyInstance }> {
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 12 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });

  app.post<{ Params: { project_id: string; pool_name: string }; Body: Buffer }>(
    '/v2/:project_id/pools/:pool_name/nodes/batch-update',
    async (request, reply) => {
      const raw = request.body;
      const refused = signatureProblem(request, raw, options);
      if (refused) return reply.code(401).send(refused);
      let body: { nodeNames?: unknown; action?: unknown; tags?: unknown };
      try {
        body = JSON.parse(raw.toString('utf8')) as typeof body;
      } catch {
        return reply.code(400).send({ error_code: 'ModelArts.50004000', error_msg: 'Bad request. the body is not JSON' });
      }
      if (body.action !== 'createTags' || !Array.isArray(body.nodeNames) || !Array.isArray(body.tags)) {
        return reply.code(400).send({ error_code: 'ModelArts.50004000', error_msg: 'Bad request. expected createTags with nodeNames and tags' });
      }
      const result = await apply(request.params.pool_name, body.nodeNames as string[], body.tags as Tag[]);
      if (result === undefined) return reply.code(404).send({ error_code: 'ModelArts.50015001', error_msg: 'pool not found' });
      return result;
    },
  );

  if (reader) {
    for (const read of FLOOR_READS) {
      app.route<{ Params: Record<string, string>; Querystring: Record<string, string | undefined> }>({
        method: read.method,
        url: read.url,
        handler: async (request, reply) => {
          const refused = signatureProblem(request, NO_BODY, options);
          if (refused) return reply.code(401).send(refused);
          const answer = await read.answer(reader, { params: request.params, query: request.query });
          if (answer === undefined) return reply.code(404).send({ error_code: 'ModelArts.50015001', error_msg: 'not found' });
          return answer;
        },
      });
    }
  }

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address !== 'object') throw new Error('the floor server has no address');
  return { url: `http://127.0.0.1:${address.port}`, app };
}

/** The SQLite floor: one better-sqlite3 transaction, each named node looked up by name and its tags upserted. */
export async function startFloorServer(options: FloorOptions): Promise<FloorServer> {
  const { db, nodeNames } = openDatabase(join(options.dir, 'floor.db'), options);
  const findPool = db.prepare<[string], { id: number }>('SELECT id FROM pools WHERE name = ?');
  const findNode = db.prepare<[number, string], { id: number }>('SELECT id FROM nodes WHERE pool_id = ? AND name = ?');
  const upsertTag = db.prepare<[number, string, string]>(
    'INSERT INTO node_tags (node_id, key, value) VALUES (?, ?, ?) ON CONFLICT (node_id, key) DO UPDATE SET value = excluded.value',
  );
  const applyTags = db.transaction((pool: number, names: string[], tags: Tag[]): TagResult => {
    const successNodeNames: string[] = [];
    const failNodeNames: string[] = [];
    for (const name of names) {
      const node = findNode.get(pool, name);
      if (node === undefined) {
        failNodeNames.push(name);
        continue;
      }
      for (const tag of tags) upsertTag.run(node.id, tag.key, tag.value);
      successNodeNames.push(name);
    }
    return { successNodeNames, failNodeNames };
  });

  const reader = options.readFrom === undefined ? undefined : sqliteReader(options.readFrom);
  const { url, app } = await listenFloor(
    options,
    (poolName, names, tags) => {
      const pool = findPool.get(poolName);
      return pool === undefined ? undefined : applyTags(pool.id, names, tags);
    },
    reader,
  );
  return {
    url,
    server: app.server,
    nodeNames,
    async close() {
      await app.close();
      await reader?.close();
      db.close();
    },
  };
}
