import type { FastifyInstance } from 'fastify';
import { bootstrap, checkBeforeStart, saveCredentials, type BootstrapResult } from './bootstrap.js';
import type { Config } from './config.js';
import { createServiceLog } from './logger.js';
import { maskPasswords } from './security/redact.js';
import { systemClock, type Clock } from './domain/time.js';
import { removeServiceFile, writeServiceFile } from './runtime-file.js';
import { applySeed, loadSeedFile } from './seed.js';
import { buildApp } from './server/app.js';
import { openMasterKey, type SecretBox } from './security/secrets.js';
import { Metrics } from './server/metrics.js';
import type { NodeBackend } from './service/node-backend.js';
import { PoolService } from './service/pools.js';
import { Reconciler } from './service/reconciler.js';
import { simulation } from './simulation/simulation.js';
import { openStore } from './store/open-store.js';
import type { StoreSnapshot } from './store/snapshot.js';
import type { Store } from './store/store.js';

export interface RunningService {
  app: FastifyInstance;
  url: string;
  /** For embedding and tests: the store, the node backend and the master-key box the service uses. */
  store: Store;
  backend: NodeBackend;
  secrets: SecretBox;
  bootstrap: BootstrapResult;
  /** Where the master key came from: POOLKEEPER_MASTER_KEY, the key file, or memory (ephemeral). */
  masterKeySource: string;
  stop(): Promise<void>;
}

/**
 * Opens the store, migrates it, checks the master key against the secrets it holds, bootstraps an empty one (and
 * loads the seed), starts the simulation loop and listens. Every check that can refuse the start runs before the
 * service listens or writes anything.
 */
export async function startService(config: Config, clock: Clock = systemClock): Promise<RunningService> {
  // An ephemeral service's stdout carries only its `export` lines (for `source`); its log goes to stderr.
  const log = createServiceLog({ level: config.logLevel, toStderr: config.ephemeral });
  const { logger } = log;
  const seed = config.seedFile ? loadSeedFile(config.seedFile, { maxPoolNodes: config.limits.maxPoolNodes, region: config.region }) : undefined;
  const metrics = new Metrics({ defaultMetrics: true });
  const opened = await openStore(config, {
    onConnectionError: (error) => logger.warn({ err: error }, 'a PostgreSQL connection failed; it was dropped and is replaced on demand'),
    observer: metrics.storeObserver(),
  });
  const { store } = opened;
  let masterKey: ReturnType<typeof openMasterKey>;
  try {
    await store.migrate();
    await checkBeforeStart(store, config);
    masterKey = openMasterKey({ configured: config.masterKey, dataDir: config.dataDir, ephemeral: config.ephemeral }, await store.identity.findSealedSecret());
  } catch (error) {
    await store.close();
    throw error;
  }
  const secrets = masterKey.box;
  const { backend, routes: backendRoutes } = simulation(config.simulation, opened.context, clock, logger);
  const pools = new PoolService({ store, clock, config, backend });
  // Everything the store should hold is in it before the service listens: a caller that sees it answer sees it all.
  let boot: BootstrapResult;
  let seeded: StoreSnapshot | undefined;
  try {
    boot = await bootstrap(store, secrets, pools, config, clock);
    if (seed) await applySeed(seed, { store, secrets, clock, backend, region: config.region });
    // A CI service (ephemeral or seeded) can be put back to the state it has now.
    if (config.ephemeral || seed) seeded = await store.snapshot();
  } catch (error) {
    await store.close();
    throw error;
  }
  const reset = seeded
    ? async () => {
        await store.restore(seeded);
        return counts(seeded);
      }
    : undefined;
  const app = await buildApp({ config, store, clock, logger, secrets, backend, backendRoutes, metrics, reset });
  const reconciler = new Reconciler({ store, clock, logger, backend, intervalMs: config.simulation.reconcileIntervalMs,
    jobLeaseMs: config.simulation.jobLeaseSeconds * 1000,
    maintenance: opened.maintenance });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const result = saveCredentials(boot, url);
  if (!config.ephemeral) writeServiceFile(config.dataDir, url);
  reconciler.start();
  logger.info(
    { url, database: store.dialect, databaseUrl: maskPasswords(config.databaseUrl), masterKey: masterKey.source, ephemeral: config.ephemeral, seeded: seed !== undefined },
    'poolkeeper is listening',
  );
  return {
    app,
    url,
    store,
    backend,
    secrets,
    bootstrap: result,
    masterKeySource: masterKey.source,
    async stop() {
      await reconciler.stop();
      // Closing the server closes the connections idle at that moment; a keep-alive connection whose request was still
      // being answered would stay open until its keep-alive timeout (72 s) and hold the stop, so each is closed as soon
      // as its answer is sent.
      const closeIdle = setInterval(() => app.server.closeIdleConnections(), 25);
      try {
        await app.close();
      } finally {
        clearInterval(closeIdle);
      }
      await store.close();
      if (!config.ephemeral) removeServiceFile(config.dataDir);
      log.flush();
    },
  };
}

function counts(snapshot: StoreSnapshot): Record<string, number> {
  return Object.fromEntries(snapshot.tables.map(({ table, rows }) => [table, rows.length]));
}
