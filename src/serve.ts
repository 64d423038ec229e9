import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { bootstrap, type BootstrapResult } from './bootstrap.js';
import { maskPasswords, type Config } from './config.js';
import { systemClock, type Clock } from './domain/time.js';
import { buildApp } from './server/app.js';
import { SecretBox, loadMasterKey } from './security/secrets.js';
import { Metrics } from './server/metrics.js';
import { PoolService } from './service/pools.js';
import { Reconciler } from './simulation/reconciler.js';
import { SimulatedNodeBackend } from './simulation/simulated-backend.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export interface RunningService {
  app: FastifyInstance;
  url: string;
  /** For embedding and tests: the store and the master-key box the service uses. */
  store: Store;
  secrets: SecretBox;
  bootstrap: BootstrapResult;
  stop(): Promise<void>;
}

/** Errors are the one place a database URL could reach a log line unplanned (a driver quoting its connection string). */
function maskedError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error);
  return { ...serialized, message: maskPasswords(serialized.message), stack: maskPasswords(serialized.stack) };
}

/** Opens the store, migrates it, bootstraps an empty one, starts the simulation loop and listens. */
export async function startService(config: Config, clock: Clock = systemClock): Promise<RunningService> {
  const logger = pino({ level: config.logLevel, base: { service: 'poolkeeper' }, serializers: { err: maskedError } });
  const masterKey = loadMasterKey(config.masterKey, config.dataDir);
  const secrets = SecretBox.fromKey(masterKey.key);
  const metrics = new Metrics({ defaultMetrics: true });
  const opened = await openStore(config, {
    onConnectionError: (error) => logger.warn({ err: error }, 'a PostgreSQL connection failed; it was dropped and is replaced on demand'),
    observer: metrics.storeObserver(),
  });
  const { store } = opened;
  await store.migrate();
  const backend = new SimulatedNodeBackend(config.simulation);
  const app = await buildApp({ config, store, clock, logger, secrets, backend, metrics });
  const reconciler = new Reconciler({ store, clock, logger, backend, intervalMs: config.simulation.reconcileIntervalMs,
    jobLeaseMs: config.simulation.jobLeaseSeconds * 1000,
    maintenance: opened.maintenance });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const result = await bootstrap(store, secrets, new PoolService({ store, clock, config, backend }), config, clock, url);
  reconciler.start();
  logger.info({ url, database: store.dialect, databaseUrl: maskPasswords(config.databaseUrl), masterKey: masterKey.source }, 'poolkeeper is listening');
  return {
    app,
    url,
    store,
    secrets,
    bootstrap: result,
    async stop() {
      await reconciler.stop();
      await app.close();
      await store.close();
    },
  };
}
