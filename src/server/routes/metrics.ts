import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/time.js';
import type { NodeCensus, PoolStore } from '../../store/pools.js';
import { errors } from '../../errors/catalogue.js';
import type { Metrics } from '../metrics.js';

export interface MetricsRouteOptions {
  metrics: Metrics;
  pools: Pick<PoolStore, 'census'>;
  clock: Clock;
  /** POOLKEEPER_METRICS_TOKEN: `Authorization: Bearer <token>` may scrape. Absent, only authenticated callers may. */
  bearerToken: string | undefined;
  /** The AK/SK-or-token authentication of every other protected route. */
  authenticate: (request: FastifyRequest) => void | Promise<void>;
}

/** How long a scrape waits for the database's node census before answering without it. */
const CENSUS_TIMEOUT_MS = 2_000;

const BEARER_SCHEME = /^bearer(?:\s|$)/i;
const BEARER_CREDENTIALS = /^bearer +([\x21-\x7e]+) *$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function within<T>(work: Promise<T>, millis: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${millis} ms`)), millis);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * GET /metrics (Prometheus text): for a static bearer token, which a monitoring system can send, or for any caller
 * the other routes accept (AK/SK signature, X-Auth-Token). The database gauges are read when scraped.
 */
export function metricsRoute(options: MetricsRouteOptions): FastifyPluginAsync {
  const { metrics, pools, clock } = options;
  // Digests have one length, so comparing them takes the same time whatever the token sent.
  const expected = options.bearerToken === undefined ? undefined : digest(options.bearerToken);

  async function authorize(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header === undefined || !BEARER_SCHEME.test(header)) return options.authenticate(request);
    const token = BEARER_CREDENTIALS.exec(header)?.[1];
    if (expected === undefined) {
      metrics.authFailures.inc({ reason: 'metrics_token_not_configured' });
      throw errors.unauthenticated('no metrics bearer token is configured (POOLKEEPER_METRICS_TOKEN)');
    }
    if (token === undefined || !timingSafeEqual(digest(token), expected)) {
      metrics.authFailures.inc({ reason: 'bad_metrics_token' });
      throw errors.unauthenticated('the metrics bearer token is wrong');
    }
  }

  return async (app) => {
    app.get('/metrics', { config: { operation: 'Metrics' }, schema: { hide: true }, preValidation: authorize }, async (request, reply) => {
      const now = clock.now();
      let census: NodeCensus | undefined;
      try {
        census = await within(pools.census(now), CENSUS_TIMEOUT_MS);
      } catch (error) {
        request.log.warn({ err: error }, 'metrics answered without the database gauges: the node census failed');
      }
      metrics.setDatabaseState(census, now);
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  };
}
