/**
 * `npm run bench`: every row of rows.ts on SQLite and on PostgreSQL, poolkeeper beside a floor server measured in
 * the same run (floor-server.ts, floor-server-pg.ts, floor-reads.ts), with the ratio, the budget and PASS/MISS; then
 * the service's memory (memory.ts). See bench/README.md.
 *
 * Every server runs in a child process of its own, and all of an engine's servers keep running while it is measured:
 * load rows alternate short windows between them (windows.ts), sequence rows interleave their requests (load.ts).
 * The load generator stays here. `--profile` and `--stages` are diagnosis modes (diagnose.ts).
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CREDENTIALS, POOLS, progress, seedPoolkeeper, startMessage } from './api.js';
import { profile, stages } from './diagnose.js';
import { interleave, presign, sendSigned, type SequenceSamples, type SequenceSubject } from './load.js';
import { LEAK_HEAP_TOLERANCE_BYTES, MEMORY_POOL, measureMemory, type MemoryFigures } from './memory.js';
import { openBackendMeter } from './pg-backends.js';
import { createBenchDatabase, postgresAdminUrl, type BenchDatabase } from './postgres.js';
import { megabytes, micros, millis, perSecond, ratioSpread, table, verdict, type Row as TableRow } from './report.js';
import { ONE_NODE_UPDATE_LABEL, pickRows, READ_ROWS, ROWS, type Budget, type Engine, type LoadRow, type Row, type SameAnswer, type SequenceRow, type Side, type Variant } from './rows.js';
import { median, pairRatios, spread } from './stats.js';
import { startTarget, type RunningTarget, type TargetOptions } from './target.js';
import { alternate, type LoadPart, type LoadSubject, type Window } from './windows.js';

const CONNECTIONS = 10;
const ROUNDS = 12;
const WINDOW_SECONDS = 1;
const WARMUP_SECONDS = 2;

const ENGINE_NAMES: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
/** `--baseline <dir>`: another build's dist folder, whose poolkeeper is measured beside this one's (see bench/README.md). */
const BASELINE = baselineScript();

const VARIANT_NAMES: Record<Variant, string> = {
  warn: 'poolkeeper',
  info: 'poolkeeper at log level info (→ /dev/null)',
  replicas: `two poolkeeper replicas, ${CONNECTIONS / 2} + ${CONNECTIONS / 2} conns`,
  baseline: `baseline poolkeeper (${BASELINE?.dir ?? ''})`,
};

function baselineScript(): { dir: string; script: string } | undefined {
  const at = process.argv.indexOf('--baseline');
  if (at === -1) return undefined;
  const dir = process.argv[at + 1];
  if (dir === undefined || dir.startsWith('--')) throw new Error('--baseline needs the dist folder of another build');
  const script = resolve(dir, 'bench', 'server-process.js');
  if (!existsSync(script)) throw new Error(`--baseline ${dir}: no ${script} (build it with npm run build)`);
  return { dir, script };
}

/** Other work on the machine skews every figure: the load average is sampled through the run and printed. */
const loadSamples: number[] = [loadavg()[0]!];
const loadSampler = setInterval(() => loadSamples.push(loadavg()[0]!), 5_000).unref();

interface SequenceFigures {
  row: SequenceRow;
  budget: Budget;
  floor: SequenceSamples;
  poolkeeper: SequenceSamples;
}

interface LoadFigures {
  row: LoadRow;
  floor: Window[];
  variants: Array<{ variant: Variant; budget: Budget; windows: Window[] }>;
}

interface EngineFigures {
  engine: Engine;
  sequences: SequenceFigures[];
  loads: LoadFigures[];
  /** PostgreSQL's version, and whether its backends' CPU could be read. */
  postgres?: { version: string; backendsMeasured: boolean };
}

/** A fresh PostgreSQL database for `work`, dropped afterwards whatever happens. */
async function withBenchDatabase<T>(work: (database: BenchDatabase) => Promise<T>): Promise<T> {
  const adminUrl = postgresAdminUrl();
  let database: BenchDatabase;
  try {
    database = await createBenchDatabase(adminUrl);
  } catch (error) {
    throw new Error(
      `cannot create a benchmark database on ${adminUrl} (set BENCH_POSTGRES_URL, or run with --no-postgres): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  progress(`PostgreSQL ${database.version}: database ${database.name} created`);
  try {
    return await work(database);
  } finally {
    await database.drop();
    progress(`PostgreSQL: database ${database.name} dropped`);
  }
}

/** A row's sequence on one server: its requests' times summed, the server's CPU read before and after. */
function sequenceSubject(row: SequenceRow, target: RunningTarget, side: Side): SequenceSubject {
  return {
    async run(round) {
      let ms = 0;
      await row.run(
        async (method, path, body) => {
          const answer = await sendSigned(target.url, method, path, CREDENTIALS, body);
          ms += answer.ms;
          return answer;
        },
        side,
        round,
      );
      return ms;
    },
    cpuMicros: async () => (await target.usage()).cpuMicros,
  };
}

/** The floor must answer a read as poolkeeper does (sameAnswer), or its figures would flatter it. */
async function expectSameAnswer(label: string, same: SameAnswer, side: Side, floor: RunningTarget, poolkeeper: RunningTarget): Promise<void> {
  const call = same.call(side.readNames);
  const [fromFloor, fromPoolkeeper] = await Promise.all(
    [floor, poolkeeper].map(async (target) => {
      const answer = await sendSigned(target.url, call.method, call.path, CREDENTIALS, call.body);
      if (answer.status !== 200) throw new Error(`${label}: ${call.method} ${call.path} answered HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
      return same.pick(JSON.parse(answer.text));
    }),
  );
  if (!isDeepStrictEqual(fromFloor, fromPoolkeeper)) throw new Error(`${label}: the floor's answer to ${call.path} is not poolkeeper's`);
}

/** A row's load on one server: its calls signed for it, the first one checked by hand. */
async function loadPart(row: LoadRow, target: RunningTarget, side: Side, connections: number): Promise<LoadPart> {
  const calls = row.calls(side);
  const first = await sendSigned(target.url, calls[0]!.method, calls[0]!.path, CREDENTIALS, calls[0]!.body);
  row.check(first.status, first.text);
  return { target, connections, requests: presign(target.url, calls, CREDENTIALS, new Date()) };
}

/**
 * One engine's rows. poolkeeper creates the pools through its API; the floor seeds its own write tables and reads
 * poolkeeper's database for the read rows. Every server runs until the engine's last row is measured.
 */
async function measureEngine(engine: Engine, database: BenchDatabase | undefined, table: Row[]): Promise<EngineFigures> {
  const name = ENGINE_NAMES[engine];
  const rows = table.filter((row) => row.engines[engine] !== undefined);
  const variants = new Set(rows.flatMap((row) => (row.kind === 'load' ? row.engines[engine]!.map((v) => v.variant) : [])));
  const postgresUrl = database?.url;
  const running: RunningTarget[] = [];
  const start = async (message: ReturnType<typeof startMessage>, options: TargetOptions = {}) => {
    const target = await startTarget(message, options);
    running.push(target);
    return target;
  };
  try {
    progress(`${name}: poolkeeper (log level warn), creating pools of ${POOLS.map((p) => p.nodes.toLocaleString('en-US')).join(' and ')} nodes`);
    const poolkeeper = await start(startMessage('poolkeeper', { postgresUrl }));
    const poolkeeperNames = await seedPoolkeeper(poolkeeper.url, POOLS);
    const side: Side = { role: 'poolkeeper', nodeNames: poolkeeperNames, readNames: poolkeeperNames };
    let info: { target: RunningTarget; side: Side } | undefined;
    if (variants.has('info')) {
      progress(`${name}: poolkeeper at log level info (stdout to /dev/null)${postgresUrl ? '' : ', its own database with the same pools'}`);
      const target = await start(startMessage('poolkeeper', { logLevel: 'info', postgresUrl }), { discardStdout: true });
      // The same pools as the warn poolkeeper's, so that the two rows differ only in the log level.
      const own = postgresUrl ? poolkeeperNames : await seedPoolkeeper(target.url, POOLS);
      info = { target, side: { role: 'poolkeeper', nodeNames: own, readNames: own } };
    }
    const replica = variants.has('replicas') ? await start(startMessage('poolkeeper', { postgresUrl })) : undefined;
    let baseline: { target: RunningTarget; side: Side } | undefined;
    if (variants.has('baseline') && BASELINE) {
      progress(`${name}: baseline poolkeeper from ${BASELINE.dir}${postgresUrl ? ', on the run\'s database' : ', its own database with the same pools'}`);
      const target = await start(startMessage('poolkeeper', { postgresUrl }), { script: BASELINE.script });
      // The same pools as this build's poolkeeper: a smaller database answers faster, which would favour either side.
      const own = postgresUrl ? poolkeeperNames : await seedPoolkeeper(target.url, POOLS);
      baseline = { target, side: { role: 'poolkeeper', nodeNames: own, readNames: own } };
    }
    progress(`${name}: floor, seeding its own ${POOLS.map((p) => p.nodes.toLocaleString('en-US')).join(' + ')} nodes`);
    const floor = await start(startMessage('floor', { postgresUrl, readFrom: poolkeeper.database }));
    const floorSide: Side = { role: 'floor', nodeNames: floor.nodeNames, readNames: poolkeeperNames };
    await database?.settle();
    const meter = database ? await openBackendMeter(postgresAdminUrl(), database.name) : undefined;
    try {
      for (const row of rows) if (row.sameAnswer) await expectSameAnswer(row.label, row.sameAnswer, side, floor, poolkeeper);
      // The load rows first, while every poolkeeper's database holds only its pools (the big batches add operation records).
      const loads: LoadFigures[] = [];
      for (const row of rows) {
        if (row.kind !== 'load') continue;
        const chosen = row.engines[engine]!;
        const subjects: LoadSubject[] = [{ label: 'floor', parts: [await loadPart(row, floor, floorSide, CONNECTIONS)] }];
        for (const { variant } of chosen) {
          const parts =
            variant === 'warn'
              ? [await loadPart(row, poolkeeper, side, CONNECTIONS)]
              : variant === 'info'
                ? [await loadPart(row, info!.target, info!.side, CONNECTIONS)]
                : variant === 'baseline'
                  ? [await loadPart(row, baseline!.target, baseline!.side, CONNECTIONS)]
                  : [await loadPart(row, poolkeeper, side, CONNECTIONS / 2), await loadPart(row, replica!, side, CONNECTIONS / 2)];
          subjects.push({ label: VARIANT_NAMES[variant], parts });
        }
        progress(`${name}: ${row.label}: ${subjects.map((s) => s.label).join(' / ')} in turn, ${ROUNDS} rounds of ${WINDOW_SECONDS} s windows (after ${WARMUP_SECONDS} s each)`);
        const [floorWindows, ...variantWindows] = await alternate(subjects, { rounds: ROUNDS, windowSeconds: WINDOW_SECONDS, warmupSeconds: WARMUP_SECONDS, database: meter });
        loads.push({ row, floor: floorWindows!, variants: chosen.map((v, i) => ({ ...v, windows: variantWindows[i]! })) });
      }
      const sequences: SequenceFigures[] = [];
      for (const row of rows) {
        if (row.kind !== 'sequence') continue;
        progress(`${name}: ${row.label}: ${row.warmups} + ${row.runs} runs on each, floor and poolkeeper interleaved`);
        const [floorSamples, poolkeeperSamples] = await interleave([sequenceSubject(row, floor, floorSide), sequenceSubject(row, poolkeeper, side)], row);
        sequences.push({ row, budget: row.engines[engine]!, floor: floorSamples!, poolkeeper: poolkeeperSamples! });
      }
      return { engine, sequences, loads, ...(database ? { postgres: { version: database.version, backendsMeasured: meter !== undefined } } : {}) };
    } finally {
      await meter?.close();
    }
  } finally {
    for (const target of running.reverse()) await target.stop();
  }
}

function budgetText(kind: 'requests' | 'time' | 'cpu', budget: Budget): string {
  if (kind === 'requests' && budget.requestsAtLeast !== undefined) return `≥ ${budget.requestsAtLeast}× floor`;
  if (kind === 'time' && budget.timeAtMost !== undefined) return `≤ ${budget.timeAtMost}× floor`;
  if (kind === 'cpu' && budget.cpuAtMost !== undefined) return `≤ ${budget.cpuAtMost}× floor`;
  return '';
}

function judged(kind: 'requests' | 'time' | 'cpu', budget: Budget, ratio: number): string {
  if (kind === 'requests' && budget.requestsAtLeast !== undefined) return verdict(ratio >= budget.requestsAtLeast);
  if (kind === 'time' && budget.timeAtMost !== undefined) return verdict(ratio <= budget.timeAtMost);
  if (kind === 'cpu' && budget.cpuAtMost !== undefined) return verdict(ratio <= budget.cpuAtMost);
  return '';
}

/** Each server's median req/s on the 1-node batch-update in this engine's run: the read rows' yardstick. */
interface WriteRates {
  floor: number;
  poolkeeper: number;
}

function oneNodeUpdateRates(figures: EngineFigures): WriteRates | undefined {
  const load = figures.loads.find((each) => each.row.label === ONE_NODE_UPDATE_LABEL);
  const windows = load?.variants.find((v) => v.variant === 'warn')?.windows;
  if (!load || !windows) return undefined;
  return { floor: median(load.floor.map((w) => w.requestsPerSecond)), poolkeeper: median(windows.map((w) => w.requestsPerSecond)) };
}

function loadRows(engine: Engine, figures: LoadFigures, writeRates: WriteRates | undefined): TableRow[] {
  const floor = figures.floor;
  const perWindow = (windows: Window[], pick: (w: Window) => number) => median(windows.map(pick));
  const loopDelays = (windows: Window[]) => {
    const slowest = Math.max(...windows.map((w) => w.eventLoopDelayMaxMs));
    return Number.isNaN(slowest) ? '—' : `${millis(perWindow(windows, (w) => w.eventLoopDelayMaxMs))} / ${millis(slowest)}`;
  };
  const counts = (windows: Window[]) => {
    const sum = (pick: (w: Window) => number) => windows.reduce((total, w) => total + pick(w), 0);
    return `${sum((w) => w.non2xx)} / ${sum((w) => w.errors)} / ${sum((w) => w.timeouts)}`;
  };
  const rows: TableRow[] = [[`${ENGINE_NAMES[engine]} · ${figures.row.label} (${ROUNDS} × ${WINDOW_SECONDS} s windows each, in turn)`, '', '', '', '', '']];
  for (const { variant, budget, windows } of figures.variants) {
    const requests = spread(pairRatios(windows.map((w) => w.requestsPerSecond), floor.map((w) => w.requestsPerSecond)));
    const cpu = spread(pairRatios(windows.map((w) => w.serverMicrosPerRequest), floor.map((w) => w.serverMicrosPerRequest)));
    const clean = [...floor, ...windows].every((w) => w.non2xx + w.errors + w.timeouts === 0);
    rows.push(
      [`  ${VARIANT_NAMES[variant]}: req/s`, perSecond(perWindow(floor, (w) => w.requestsPerSecond)), perSecond(perWindow(windows, (w) => w.requestsPerSecond)), ratioSpread(requests), budgetText('requests', budget), judged('requests', budget, requests.median)],
      ...(budget.requestsAtLeastWrite !== undefined && writeRates !== undefined
        ? [
            writeRatioRow(
              perWindow(floor, (w) => w.requestsPerSecond) / writeRates.floor,
              perWindow(windows, (w) => w.requestsPerSecond) / writeRates.poolkeeper,
              budget.requestsAtLeastWrite,
            ),
          ]
        : []),
      ['    server CPU per request', micros(perWindow(floor, (w) => w.serverMicrosPerRequest)), micros(perWindow(windows, (w) => w.serverMicrosPerRequest)), ratioSpread(cpu), budgetText('cpu', budget), judged('cpu', budget, cpu.median)],
    );
    if (floor.every((w) => w.databaseMicrosPerRequest !== undefined)) {
      const database = (ws: Window[]) => micros(perWindow(ws, (w) => w.databaseMicrosPerRequest!));
      rows.push(['    PostgreSQL backends CPU per request', database(floor), database(windows), '', '', '']);
    }
    const total = (ws: Window[]) => perWindow(ws, (w) => w.serverMicrosPerRequest + (w.databaseMicrosPerRequest ?? 0) + w.loadMicrosPerRequest);
    const ceiling = (ws: Window[]) => `${micros(total(ws))} → ${perSecond((cpus().length * 1_000_000) / total(ws))}`;
    rows.push(
      ['    load generator CPU per request', micros(perWindow(floor, (w) => w.loadMicrosPerRequest)), micros(perWindow(windows, (w) => w.loadMicrosPerRequest)), '', '', ''],
      [`    all of it → req/s if the ${cpus().length} cores were the run's alone`, ceiling(floor), ceiling(windows), '', '', ''],
      ['    p50 / p99 latency', `${millis(perWindow(floor, (w) => w.p50Ms))} / ${millis(perWindow(floor, (w) => w.p99Ms))}`, `${millis(perWindow(windows, (w) => w.p50Ms))} / ${millis(perWindow(windows, (w) => w.p99Ms))}`, '', '', ''],
      ['    longest event-loop delay: median / slowest window', loopDelays(floor), loopDelays(windows), '', '', ''],
      ['    non-2xx / errors / timeouts', counts(floor), counts(windows), '', '= 0', verdict(clean)],
    );
  }
  return rows;
}

/**
 * Each server's read req/s over its own 1-node batch-update req/s. Only poolkeeper's is judged; the floor's shows how
 * much cheaper than a write the least a server can do for the read is on this engine.
 */
function writeRatioRow(floorRatio: number, ratio: number, atLeast: number): TableRow {
  return ['    req/s ÷ the same server\'s 1-node batch-update req/s', `${floorRatio.toFixed(2)}×`, `${ratio.toFixed(2)}×`, `${ratio.toFixed(2)}×`, `≥ ${atLeast}× write`, verdict(ratio >= atLeast)];
}

function sequenceRows(engine: Engine, { row, budget, floor, poolkeeper }: SequenceFigures): TableRow[] {
  const time = spread(pairRatios(poolkeeper.ms, floor.ms));
  const cpu = spread(pairRatios(poolkeeper.cpuMicros, floor.cpuMicros));
  const range = (values: number[]) => `${millis(Math.min(...values))} – ${millis(Math.max(...values))}`;
  return [
    [`${ENGINE_NAMES[engine]} · ${row.label} (median of ${row.runs})`, millis(median(floor.ms)), millis(median(poolkeeper.ms)), ratioSpread(time), budgetText('time', budget), judged('time', budget, time.median)],
    ['  min – max', range(floor.ms), range(poolkeeper.ms), '', '', ''],
    ['  server CPU per run', millis(median(floor.cpuMicros) / 1000), millis(median(poolkeeper.cpuMicros) / 1000), ratioSpread(cpu), budgetText('cpu', budget), judged('cpu', budget, cpu.median)],
  ];
}

function report(engines: EngineFigures[]): string {
  const rows: TableRow[] = [];
  for (const figures of engines) {
    for (const load of figures.loads) rows.push(...loadRows(figures.engine, load, oneNodeUpdateRates(figures)));
    for (const sequence of figures.sequences) rows.push(...sequenceRows(figures.engine, sequence));
  }
  return table(['figure', 'floor', 'poolkeeper', 'ratio: median (min–max)', 'budget', 'result'], rows);
}

function memoryReport(memory: MemoryFigures): string {
  const signed = (bytes: number) => `${bytes >= 0 ? '+' : ''}${megabytes(bytes)}`;
  const rows: TableRow[] = memory.points.map((point) => [
    `  ${point.label}`,
    megabytes(point.rss),
    megabytes(point.heapUsed),
    megabytes(point.external),
    megabytes(point.databaseBytes),
    point.requestsPerSecond ? perSecond(point.requestsPerSecond) : '',
  ]);
  rows.push([
    `  growth, end of load window 1 → ${memory.windows.count}`,
    signed(memory.rssGrowth),
    signed(memory.heapGrowth),
    '',
    signed(memory.databaseGrowth),
    `heap ≤ +${megabytes(LEAK_HEAP_TOLERANCE_BYTES)}: ${verdict(memory.heapGrowth <= LEAK_HEAP_TOLERANCE_BYTES)}`,
  ]);
  return [
    'memory: poolkeeper on SQLite at log level info (→ /dev/null); heap = the JavaScript heap after a full GC; external = Buffers;',
    "database = the SQLite file and its WAL (SQLite's page cache, up to 64 MiB, is in RSS and fills as the database grows)",
    table(['point', 'RSS', 'heap', 'external', 'database', 'load / leak check'], rows, [false, true, true, true, true, false]),
  ].join('\n');
}

function machine(engines: EngineFigures[], memory: MemoryFigures | undefined, seconds: number): string {
  const cores = cpus();
  const postgres = engines.find((e) => e.postgres)?.postgres;
  const load = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  return [
    `rerun      : ${process.argv.includes('--reads') ? 'npm run build && node dist/bench/run.js --reads' : 'npm run bench   (npm run build && node dist/bench/run.js)'}`,
    `node       : ${process.version} (${process.platform}/${process.arch})`,
    `cpu        : ${cores[0]?.model ?? 'unknown'} × ${cores.length} cores; 1-minute load average ${load(loadSamples)} during the run (sampled every 5 s)`,
    `method     : every server in its own child process, all of an engine's servers running together; load from this process.`,
    `             Load rows: autocannon, ${CONNECTIONS} connections, pre-signed requests; each server loaded in turn in ${WINDOW_SECONDS} s windows, ${ROUNDS} rounds`,
    `             after a ${WARMUP_SECONDS} s warm-up each; ratio = median of the rounds' ratios (min–max). CPU per request: the server process's`,
    '             own CPU time (process.cpuUsage, all threads) over the window ÷ requests answered.',
    '             Sequence rows: one request at a time, floor and poolkeeper interleaved (each round one run on each, first alternating).',
    postgres
      ? `postgresql : ${postgres.version} at ${new URL(postgresAdminUrl()).host}, a fresh database for the run (dropped at the end); VACUUM (ANALYZE) + CHECKPOINT`
      : 'postgresql : left out',
    ...(postgres
      ? [
          '             once before the rows; 10 pooled connections per server; the floor writes its own tables (schema bench_floor) and reads',
          `             poolkeeper's. Backend CPU: ${postgres.backendsMeasured ? "the database's backends' /proc/<pid>/stat over each window" : 'not measurable (PostgreSQL is not on this machine)'}.`,
        ]
      : []),
    memory
      ? `memory     : a ${MEMORY_POOL.nodes.toLocaleString('en-US')}-node pool, then ${memory.windows.count} × ${memory.windows.seconds} s of the 1-node load at ${CONNECTIONS} connections`
      : 'memory     : left out',
    '             Ratio = poolkeeper / floor (for req/s higher is better; for times and CPU lower is better).',
    `total time : ${seconds.toFixed(0)} s`,
  ].join('\n');
}

/** The 1-node batch-update row at log level warn only: the read rows' yardstick. */
function oneNodeUpdateAlone(): LoadRow {
  const row = ROWS.find((r): r is LoadRow => r.kind === 'load' && r.label === ONE_NODE_UPDATE_LABEL)!;
  const warnOnly = (engine: Engine) => row.engines[engine]!.filter((v) => v.variant === 'warn');
  return { ...row, engines: { sqlite: warnOnly('sqlite'), postgres: warnOnly('postgres') } };
}

/** With `--baseline`: the 1-node batch-update row also measures the other build's poolkeeper, unjudged. */
function withBaseline(row: Row): Row {
  if (row.kind !== 'load' || row.label !== ONE_NODE_UPDATE_LABEL) return row;
  const plus = (engine: Engine) => [...row.engines[engine]!, { variant: 'baseline' as const, budget: {} }];
  return { ...row, engines: { sqlite: plus('sqlite'), postgres: plus('postgres') } };
}

async function main(): Promise<void> {
  const flag = (name: string) => process.argv.includes(name);
  if (flag('--profile')) return flag('--postgres') ? withBenchDatabase(profile) : profile(undefined);
  if (flag('--stages')) return flag('--postgres') ? withBenchDatabase(stages) : stages(undefined);
  const started = Date.now();
  // `--postgres` / `--memory` (or `--soak`) alone: only that part; `--no-postgres` / `--no-memory` leave it out.
  const only = flag('--postgres') || flag('--memory') || flag('--soak');
  const withSqlite = !only;
  const withPostgres = (!only || flag('--postgres')) && !flag('--no-postgres');
  // `--reads`: the read rows instead of the write rows, with the 1-node batch-update they are compared with.
  const reads = flag('--reads');
  const withMemory = (!only || flag('--memory') || flag('--soak')) && !flag('--no-memory') && !reads;
  const chosen = reads ? [oneNodeUpdateAlone(), ...READ_ROWS] : ROWS;
  const rows = pickRows(chosen).map((row) => (BASELINE ? withBaseline(row) : row));
  const measure = async (database: BenchDatabase | undefined) => {
    const engines: EngineFigures[] = [];
    if (withSqlite) engines.push(await measureEngine('sqlite', undefined, rows));
    if (database) engines.push(await measureEngine('postgres', database, rows));
    return engines;
  };
  // The database is created first, so a missing PostgreSQL server stops the run before the SQLite part, not after.
  const engines = withPostgres ? await withBenchDatabase(measure) : await measure(undefined);
  const memory = withMemory ? await measureMemory(flag('--soak') ? { count: 3, seconds: 120 } : { count: 3, seconds: 20 }) : undefined;
  clearInterval(loadSampler);
  loadSamples.push(loadavg()[0]!);
  process.stdout.write(`\npoolkeeper benchmark — ${engines.map((e) => ENGINE_NAMES[e.engine]).join(' and ') || 'memory only'}, each row beside its floor in the same run\n\n`);
  if (engines.length > 0) process.stdout.write(`${report(engines)}\n\n`);
  if (memory) process.stdout.write(`${memoryReport(memory)}\n\n`);
  process.stdout.write(`${machine(engines, memory, (Date.now() - started) / 1000)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
