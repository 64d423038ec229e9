/**
 * The benchmark's rows: what each one sends, how it is driven, on which engines, and its budget. run.ts measures
 * every row of this table, each beside its floor in the same run. To add a row: an entry here; if the floor does
 * not answer its requests yet (the floor answers batch-updates, and the reads of floor-reads.ts), a route there.
 *
 * - `load` rows replay pre-signed requests on 10 connections in alternating windows (windows.ts): req/s and the
 *   server's CPU time per request, beside the floor's.
 * - `sequence` rows send requests one after another (a big batch, every page of a list), the floor's and
 *   poolkeeper's runs interleaved (load.ts `interleave`): time per run and the server's CPU time per run.
 */
import { expectAllUpdated, expectReadOk, oneNodeCalls, poolPath, POOL_10K, POOL_1K, POOL_500, POOL_8, PROJECT_ID, tagBody, type AnswerCheck } from './api.js';
import type { SignedCall, TimedAnswer } from './load.js';
import { batchUpdatePath, poolId, type BenchPool } from './protocol.js';

export type Engine = 'sqlite' | 'postgres';

/** A server as a row sees it. */
export interface Side {
  role: 'floor' | 'poolkeeper';
  /**
   * The node names, by pool id, that this server's batch-updates write: poolkeeper's own, or the floor's (it seeds
   * tables of its own for writes). Reads on either server see poolkeeper's rows (the floor reads poolkeeper's tables).
   */
  nodeNames: Record<string, string[]>;
  /** poolkeeper's node names, by pool id: what reads see on either server. */
  readNames: Record<string, string[]>;
}

/**
 * Budgets on the ratio poolkeeper ÷ floor of the same round or window pair (its median): req/s at least, time and CPU
 * per request at most. A row without budgets is reported, not judged.
 */
export interface Budget {
  requestsAtLeast?: number;
  /** Read rows: poolkeeper's req/s at least this many times the 1-node batch-update's (poolkeeper's, same run). */
  requestsAtLeastWrite?: number;
  cpuAtMost?: number;
  timeAtMost?: number;
}

/**
 * The poolkeeper configurations a load row can put beside its floor: `warn` (the measuring level), `info` (the
 * production default: one JSON line per request, to /dev/null; SQLite only, in a process and database of its own),
 * `replicas` (two processes on one PostgreSQL database, the load split 5 + 5 connections), `baseline` (another
 * build's poolkeeper at level warn, `--baseline`: on SQLite in a process and database of its own with the same
 * pools, on PostgreSQL on the run's database).
 */
export type Variant = 'warn' | 'info' | 'replicas' | 'baseline';

/**
 * For a read the floor answers from poolkeeper's rows: a request whose answer must be the same on both (after
 * `pick`, which leaves out what may differ, like the form of a continue token). Checked once before the row is
 * measured, so a floor that answers less than poolkeeper cannot pass unnoticed.
 */
export interface SameAnswer {
  call(readNames: Side['readNames']): SignedCall;
  pick: (body: unknown) => unknown;
}

export interface LoadRow {
  kind: 'load';
  label: string;
  sameAnswer?: SameAnswer;
  /** Per engine: the poolkeeper configurations measured beside the floor, each with its budget. */
  engines: Partial<Record<Engine, Array<{ variant: Variant; budget: Budget }>>>;
  /** The calls the load cycles through, signed once per server (same paths on both; node names from `side`). */
  calls(side: Side): SignedCall[];
  /** Checks the first call's answer on each server before the windows. */
  check: AnswerCheck;
}

export type Send = (method: 'GET' | 'POST', path: string, body?: string) => Promise<TimedAnswer>;

export interface SequenceRow {
  kind: 'sequence';
  label: string;
  sameAnswer?: SameAnswer;
  engines: Partial<Record<Engine, Budget>>;
  warmups: number;
  runs: number;
  /** One run: its requests one after another through `send` (which signs, sends and times each); throws on a wrong answer. */
  run(send: Send, side: Side, round: number): Promise<void>;
}

export type Row = LoadRow | SequenceRow;

function bigBatch(pool: BenchPool, budget: Budget): SequenceRow {
  return {
    kind: 'sequence',
    label: `one batch-update of ${pool.nodes.toLocaleString('en-US')} nodes`,
    engines: { sqlite: budget, postgres: budget },
    warmups: 3,
    runs: 21,
    async run(send, side, round) {
      const names = side.nodeNames[poolId(pool, PROJECT_ID)]!;
      const answer = await send('POST', batchUpdatePath(PROJECT_ID, poolId(pool, PROJECT_ID)), tagBody(names, 'bench-batch', `run-${round}-${Date.now()}`));
      expectAllUpdated(names.length)(answer.status, answer.text);
    },
  };
}

/** Every page of a pool's node list at `limit`, following `metadata.continue`; checks that all nodes came back once. */
function allPages(pool: BenchPool, limit: number, budget: Budget = {}): SequenceRow {
  const pages = Math.ceil(pool.nodes / limit);
  return {
    kind: 'sequence',
    label: `ListPoolNodes of ${pool.nodes.toLocaleString('en-US')} nodes, ${pages === 1 ? 'one page' : `all ${pages} pages`} at limit=${limit}`,
    engines: { sqlite: budget, postgres: budget },
    sameAnswer: { call: () => ({ method: 'GET', path: `${poolPath(pool)}/nodes?limit=${limit}` }), pick: (body) => (body as { items: unknown }).items },
    warmups: 2,
    runs: 11,
    async run(send) {
      let count = 0;
      let next: string | undefined;
      do {
        const answer = await send('GET', `${poolPath(pool)}/nodes?limit=${limit}${next ? `&continue=${encodeURIComponent(next)}` : ''}`);
        if (answer.status !== 200) throw new Error(`ListPoolNodes answered HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
        const page = JSON.parse(answer.text) as { metadata: { continue?: string }; items: unknown[] };
        count += page.items.length;
        next = page.metadata.continue;
      } while (next);
      if (count !== pool.nodes) throw new Error(`ListPoolNodes returned ${count} nodes, expected ${pool.nodes}`);
    },
  };
}

/** The write every read row is compared with: its req/s is the read rows' `requestsAtLeastWrite` yardstick. */
export const ONE_NODE_UPDATE_LABEL = 'signed batch-update, 1 node, 10 conns';

/** A read replayed on 10 connections, beside its floor, the same answer checked on both first. */
function readLoad(label: string, path: (readNames: Side['readNames']) => string, budget: Budget): LoadRow {
  const call = (readNames: Side['readNames']): SignedCall => ({ method: 'GET', path: path(readNames) });
  return {
    kind: 'load',
    label: `${label}, 10 conns`,
    engines: { sqlite: [{ variant: 'warn', budget }], postgres: [{ variant: 'warn', budget }] },
    sameAnswer: { call, pick: (body) => body },
    calls: (side) => [call(side.readNames)],
    check: expectReadOk,
  };
}

const SINGLE_READ_BUDGET: Budget = { requestsAtLeast: 0.7, requestsAtLeastWrite: 1.5 };

/**
 * The read rows (`--reads`): each read beside its read floor (floor-reads.ts), measured with the 1-node batch-update
 * row of the same run (its req/s is their `requestsAtLeastWrite` yardstick). Their pools are only read.
 */
export const READ_ROWS: Row[] = [
  // The project also holds the write rows' pools (11,000 nodes to count): the selector keeps the list to the 8-node pool.
  readLoad(`ListPools (1 pool of ${POOL_8.nodes} nodes)`, () => `/v2/${PROJECT_ID}/pools?labelSelector=${encodeURIComponent(`os.modelarts/name=${POOL_8.name}`)}`, SINGLE_READ_BUDGET),
  readLoad(`ShowPool (${POOL_8.nodes} nodes)`, () => poolPath(POOL_8), SINGLE_READ_BUDGET),
  readLoad('ShowPoolNode', (names) => `${poolPath(POOL_8)}/nodes/${names[poolId(POOL_8, PROJECT_ID)]![0]}`, SINGLE_READ_BUDGET),
  readLoad(`ListPoolNodes of ${POOL_8.nodes} nodes`, () => `${poolPath(POOL_8)}/nodes`, {}),
  allPages(POOL_500, 500, { timeAtMost: 1.5 }),
];

export const ROWS: Row[] = [
  {
    kind: 'load',
    label: ONE_NODE_UPDATE_LABEL,
    engines: {
      sqlite: [
        { variant: 'warn', budget: { requestsAtLeast: 0.9, cpuAtMost: 1.3 } },
        { variant: 'info', budget: { requestsAtLeast: 0.85 } },
      ],
      postgres: [
        { variant: 'warn', budget: { requestsAtLeast: 0.8 } },
        { variant: 'replicas', budget: {} },
      ],
    },
    calls: (side) => oneNodeCalls(side.nodeNames, POOL_1K),
    check: expectAllUpdated(1),
  },
  bigBatch(POOL_1K, { timeAtMost: 1.5 }),
  bigBatch(POOL_10K, { timeAtMost: 1.5 }),
  allPages(POOL_10K, 500),
];

/** `--rows <text>`: only the rows whose label contains the text (case-insensitive), to iterate on one figure. */
export function pickRows<R extends Row>(rows: R[]): R[] {
  if (!process.argv.includes('--rows')) return rows;
  const filter = process.argv[process.argv.indexOf('--rows') + 1]?.toLowerCase() ?? '';
  const picked = rows.filter((row) => row.label.toLowerCase().includes(filter));
  if (filter === '' || picked.length === 0) throw new Error(`--rows ${filter}: no row's label contains it`);
  return picked;
}
