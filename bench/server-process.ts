/**
 * The child process a benchmark target runs in, so the load generator (in the parent) never shares its event
 * loop. Started with child_process.fork; told what to run by one `start` message, stopped by `stop`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/serve.js';
import { startFloorServer } from './floor-server.js';
import { startPgFloorServer } from './floor-server-pg.js';
import type { ChildMessage, ParentMessage, StartMessage } from './protocol.js';
import { installStageTimers, resetStages, stageTotals, timeRequests } from './stages.js';

/** A child left behind by a crashed parent still ends by itself. */
const MAX_LIFETIME_MS = 10 * 60 * 1000;

let stopTarget: (() => Promise<void>) | undefined;
const dir = mkdtempSync(join(tmpdir(), 'poolkeeper-bench-'));

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function exit(code: number): Promise<never> {
  try {
    await stopTarget?.();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(code);
}

async function start(message: StartMessage): Promise<void> {
  if (message.stages) installStageTimers();
  if (message.role === 'floor') {
    const common = { projectId: message.projectId, accessKey: message.accessKey, secretKey: message.secretKey, pools: message.pools, readFrom: message.readFrom };
    const floor = message.postgresUrl ? await startPgFloorServer({ url: message.postgresUrl, ...common }) : await startFloorServer({ dir, ...common });
    stopTarget = () => floor.close();
    if (message.stages) timeRequests(floor.server);
    send({ type: 'ready', url: floor.url, nodeNames: floor.nodeNames });
    return;
  }
  const database = message.postgresUrl ?? join(dir, 'poolkeeper.db');
  const service = await startService(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      POOLKEEPER_DATABASE_URL: database,
      POOLKEEPER_DATA_DIR: dir,
      // The run's key, so nothing depends on the data folder and a later target on the same PostgreSQL database reads the secrets.
      POOLKEEPER_MASTER_KEY: message.masterKey,
      POOLKEEPER_LOG_LEVEL: message.logLevel,
      POOLKEEPER_BOOTSTRAP_PROJECT_ID: message.projectId,
      POOLKEEPER_BOOTSTRAP_AK: message.accessKey,
      POOLKEEPER_BOOTSTRAP_SK: message.secretKey,
      POOLKEEPER_SIM_NODE_CREATE_SECONDS: '0',
      POOLKEEPER_SEED_DEMO: '0',
    }),
  );
  stopTarget = () => service.stop();
  if (message.stages) timeRequests(service.app.server);
  send({ type: 'ready', url: service.url, nodeNames: {}, database });
}

/** Sampled every millisecond from the start: a stall of the loop (a long synchronous step) shows as one long delay. */
const eventLoopDelay = monitorEventLoopDelay({ resolution: 1 });
eventLoopDelay.enable();

/** Answers `usage`: CPU time and memory so far, and the event loop's longest delay since the last answer (measured in here, so the figures are the server's own). */
function usage(gc: boolean): void {
  if (gc) global.gc?.();
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  const eventLoopDelayMaxMs = eventLoopDelay.max / 1e6;
  eventLoopDelay.reset();
  send({ type: 'usage', cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, eventLoopDelayMaxMs });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    start(message).catch((error: unknown) => {
      send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      void exit(1);
    });
  } else if (message.type === 'stop') {
    void exit(0);
  } else if (message.type === 'usage') {
    usage(message.gc);
  } else {
    const totals = stageTotals();
    if (message.type === 'reset-stages') resetStages();
    send({ type: 'stages', totals });
  }
});
process.on('disconnect', () => void exit(0));
setTimeout(() => void exit(2), MAX_LIFETIME_MS).unref();
