import swagger from '@fastify/swagger';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { INPUT_VALIDATION } from '../schemas/validator.js';
import type { Clock } from '../domain/time.js';
import { NodeService } from '../service/nodes.js';
import { OperationService } from '../service/operations.js';
import { IamService } from '../service/iam.js';
import { PoolService } from '../service/pools.js';
import type { SecretBox } from '../security/secrets.js';
import { TokenService } from '../security/tokens.js';
import type { Store } from '../store/store.js';
import { createAuthenticateHook, preValidationHook } from './auth/authenticate.js';
import { IdentityCache } from './auth/identities.js';
import { batchEvents } from './batch-events.js';
import { registerJsonBodies } from './body.js';
import { errors } from '../errors/catalogue.js';
import { errorHandler, sendApiError } from './errors.js';
import { Metrics } from './metrics.js';
import { registerRequestLogging, requestIdFor } from './request-log.js';
import { operationRoutes } from './routes/operations.js';
import { NodeBatchService } from '../service/node-batches.js';
import type { NodeBackend } from '../service/node-backend.js';
import { batchDeleteRoutes } from './routes/batch-delete.js';
import { batchDrainRoutes } from './routes/batch-drain.js';
import { batchLockRoutes } from './routes/batch-lock.js';
import { batchRebootRoutes } from './routes/batch-reboot.js';
import { batchUpdateRoutes } from './routes/batch-update.js';
import { nodeRoutes } from './routes/nodes.js';
import { docsRoutes, defaultWebRoot } from './routes/docs.js';
import { HEALTH_SCHEMA, openapiOptions, READY_SCHEMA } from './openapi.js';
import { iamRoutes } from './routes/iam.js';
import { metricsRoute } from './routes/metrics.js';
import { poolRoutes } from './routes/pools.js';
import { resetRoutes } from './routes/reset.js';
import { tokenRoutes } from './routes/tokens.js';
import { guardPathParameters, transportOptions } from './transport.js';
import { registerNulGuard } from './nul-guard.js';

/** How long /readyz waits for the database before answering 503. */
const READY_TIMEOUT_MS = 2_000;

function answersWithin(work: Promise<void>, millis: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${millis} ms`)), millis);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** A node backend's own routes (the simulated backend's controls), built on the services the API routes use. */
export type BackendRoutes = (services: { pools: PoolService; nodes: NodeService }) => FastifyPluginAsyncTypebox;

export interface AppDependencies {
  config: Pick<Config, 'limits' | 'region' | 'http' | 'publicDocs' | 'metricsToken'>;
  store: Store;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** Opens the sealed secrets (access keys, the token-signing key) kept in the store. */
  secrets: SecretBox;
  backend: NodeBackend;
  /** Registered with the API when the backend has routes of its own. */
  backendRoutes?: BackendRoutes;
  metrics?: Metrics;
  /** Puts the store back to its seeded state (ephemeral or seeded services only); answers the rows per table. */
  reset?: () => Promise<Record<string, number>>;
  /** The built web pages (default: dist/web of this package). */
  webRoot?: string;
}

/** Builds the HTTP service from its dependencies; the caller decides where it listens. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, store, clock } = deps;
  const metrics = deps.metrics ?? new Metrics();
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: (raw) => requestIdFor(raw.headers['x-request-id']),
    bodyLimit: config.limits.bodyLimitBytes,
    ...transportOptions(config.http, deps.logger),
    ajv: INPUT_VALIDATION,
  }).withTypeProvider<TypeBoxTypeProvider>();

  guardPathParameters(app);
  registerJsonBodies(app, config.limits.bodyLimitBytes);
  registerNulGuard(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendApiError(request, reply, errors.apiNotFound()));

  registerRequestLogging(app, metrics);

  await app.register(swagger, openapiOptions);

  app.get('/healthz', { config: { operation: 'Health' }, schema: HEALTH_SCHEMA }, async () => ({ status: 'ok' }));
  // Readiness for a load balancer: this replica can serve only while its database answers.
  app.get('/readyz', { config: { operation: 'Ready' }, schema: READY_SCHEMA }, async (request, reply) => {
    try {
      await answersWithin(store.ping(), READY_TIMEOUT_MS);
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'not ready: the database did not answer');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  const services = { store, clock, config, backend: deps.backend, events: batchEvents(metrics, deps.logger) };
  const pools = new PoolService(services);
  const nodes = new NodeService(services);
  const batches = new NodeBatchService(services);
  const tokens = new TokenService(store.identity, deps.secrets);
  const iam = new IamService(store, deps.secrets, clock, tokens);
  const identities = new IdentityCache(store.credentials, clock);
  metrics.watchCaches({ identities, accessKeys: store.credentials.keyLookups });
  const authenticate = createAuthenticateHook({
    store: store.credentials,
    identities,
    secrets: deps.secrets,
    tokens,
    clock,
    metrics,
    maxSkewMillis: config.limits.signatureMaxSkewSeconds * 1000,
  });

  await app.register(tokenRoutes(iam));
  const docs = docsRoutes({ document: () => app.swagger(), public: config.publicDocs, webRoot: deps.webRoot ?? defaultWebRoot() });
  if (config.publicDocs) await app.register(docs);
  await app.register(metricsRoute({ metrics, pools: store.pools, clock, bearerToken: config.metricsToken, authenticate }));
  await app.register(async (protectedScope) => {
    protectedScope.addHook('preValidation', preValidationHook(authenticate));
    await protectedScope.register(poolRoutes(pools));
    await protectedScope.register(nodeRoutes(pools, nodes));
    await protectedScope.register(batchUpdateRoutes(batches, config.limits.maxBatchNodes));
    await protectedScope.register(batchDeleteRoutes(batches, config.limits.maxBatchNodes));
    await protectedScope.register(batchLockRoutes(batches, config.limits.maxBatchNodes));
    await protectedScope.register(batchRebootRoutes(batches, config.limits.maxBatchNodes));
    await protectedScope.register(batchDrainRoutes(batches));
    await protectedScope.register(operationRoutes(new OperationService(services)));
    if (deps.backendRoutes) await protectedScope.register(deps.backendRoutes({ pools, nodes }));
    await protectedScope.register(iamRoutes(iam));
    await protectedScope.register(resetRoutes(deps.reset, identities));
    if (!config.publicDocs) await protectedScope.register(docs);
  });

  return app;
}
