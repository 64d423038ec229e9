import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../domain/time.js';
import { NodeService } from '../service/nodes.js';
import { IamService } from '../service/iam.js';
import { PoolService } from '../service/pools.js';
import type { SecretBox } from '../security/secrets.js';
import { TokenService } from '../security/tokens.js';
import type { Store } from '../store/store.js';
import { createAuthenticateHook } from './auth/authenticate.js';
import { IdentityCache } from './auth/identities.js';
import { registerJsonBodies } from './body.js';
import { errorHandler, errors, sendApiError } from './errors.js';
import { Metrics } from './metrics.js';
import { extensionRoutes } from './routes/extensions.js';
import { nodeBatchRoutes } from './routes/node-batch.js';
import { simulationRoutes } from './routes/simulation.js';
import { LifecycleService } from '../service/lifecycle.js';
import type { NodeBackend } from '../simulation/node-backend.js';
import { nodeRoutes } from './routes/nodes.js';
import { iamRoutes } from './routes/iam.js';
import { poolRoutes } from './routes/pools.js';
import { resetRoutes } from './routes/reset.js';
import { tokenRoutes } from './routes/tokens.js';

/** How long /readyz waits for the database before answering 503. */
const READY_TIMEOUT_MS = 2_000;

function answersWithin(work: Promise<void>, millis: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${millis} ms`)), millis);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export interface AppDependencies {
  config: Pick<Config, 'limits' | 'simulation' | 'region'>;
  store: Store;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** Opens the sealed secrets (access keys, the token-signing key) kept in the store. */
  secrets: SecretBox;
  backend: NodeBackend;
  metrics?: Metrics;
  /** Puts the store back to its seeded state (ephemeral or seeded services only); answers the rows per table. */
  reset?: () => Promise<Record<string, number>>;
}

/** Builds the HTTP service from its dependencies; the caller decides where it listens. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, store, clock } = deps;
  const metrics = deps.metrics ?? new Metrics();
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: () => randomUUID().replaceAll('-', ''),
    bodyLimit: config.limits.bodyLimitBytes,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerJsonBodies(app, config.limits.bodyLimitBytes);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendApiError(request, reply, errors.apiNotFound()));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const operation = request.routeOptions.config?.operation ?? 'unmatched';
    const status = String(reply.statusCode);
    metrics.requests.inc({ operation, status });
    metrics.requestDuration.observe({ operation, status }, reply.elapsedTime / 1000);
    const principal = request.principal;
    request.log.info(
      {
        operation,
        method: request.method,
        path: request.url.split('?', 1)[0],
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
        ...(principal ? { principal: `${principal.userName}@${principal.accountName}`, accessKey: principal.accessKey } : {}),
      },
      'request completed',
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'poolkeeper — ModelArts v2 resource-pool API',
        version: '0.1.0',
        description:
          'The Huawei Cloud ModelArts v2 pool and node API as poolkeeper serves it. Every operation except /healthz needs an AK/SK ' +
          'signed request (SDK-HMAC-SHA256). Operations tagged "poolkeeper extensions" are not part of ModelArts.',
      },
      components: {
        securitySchemes: {
          akskSignature: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...' },
          token: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'A token from POST /v3/auth/tokens.' },
        },
      },
      security: [{ akskSignature: [] }, { token: [] }],
    },
  });

  app.get('/healthz', { config: { operation: 'Health' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  // Readiness for a load balancer: this replica can serve only while its database answers.
  app.get('/readyz', { config: { operation: 'Ready' }, schema: { hide: true } }, async (request, reply) => {
    try {
      await answersWithin(store.ping(), READY_TIMEOUT_MS);
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'not ready: the database did not answer');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  const services = { store, clock, config, backend: deps.backend };
  const pools = new PoolService(services);
  const nodes = new NodeService(services, metrics);
  const lifecycle = new LifecycleService(services);
  const tokens = new TokenService(store, deps.secrets);
  const iam = new IamService(store, deps.secrets, clock, tokens);
  const identities = new IdentityCache(store, clock);
  const authenticate = createAuthenticateHook({
    store,
    identities,
    secrets: deps.secrets,
    tokens,
    clock,
    metrics,
    maxSkewMillis: config.limits.signatureMaxSkewSeconds * 1000,
  });

  await app.register(tokenRoutes(iam));
  await app.register(async (protectedScope) => {
    protectedScope.addHook('preValidation', authenticate);
    await protectedScope.register(poolRoutes(pools));
    await protectedScope.register(nodeRoutes(pools, nodes, config.limits.maxBatchNodes));
    await protectedScope.register(extensionRoutes(pools, nodes));
    await protectedScope.register(nodeBatchRoutes(pools, lifecycle, config.limits.maxBatchNodes));
    await protectedScope.register(simulationRoutes(pools, lifecycle));
    await protectedScope.register(iamRoutes(iam));
    await protectedScope.register(resetRoutes(deps.reset, identities));
    protectedScope.get('/openapi.json', { config: { operation: 'OpenApiDocument' }, schema: { hide: true } }, async () => app.swagger());
    protectedScope.get('/metrics', { config: { operation: 'Metrics' }, schema: { hide: true } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  });

  return app;
}
