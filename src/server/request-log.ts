import type { FastifyInstance, FastifyRequest } from 'fastify';
import { writesInfo } from '../logger.js';
import type { Metrics } from './metrics.js';
import { newRequestId } from './transport.js';

/**
 * An incoming X-Request-Id is kept when it is 1 to 128 characters of ASCII letters, digits, `.`, `_`, `:` and `-`
 * (enough for UUIDs, trace ids and most gateways' ids, and safe in a log line, a header and an operation record);
 * anything else, or several of them, is replaced by a generated id (32 lower-hex characters).
 */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && VALID_REQUEST_ID.test(header) ? header : newRequestId();
}

/** The code of an error body `{"error_code": ...}`, read back from the answer so that every error path is covered. */
const ERROR_CODE = /"error_code":"([^"\\]{1,100})"/;

/** Echoes the request id, and writes one log line and the HTTP metrics per answered request. */
export function registerRequestLogging(app: FastifyInstance, metrics: Metrics): void {
  const errorCodes = new WeakMap<FastifyRequest, string>();

  // Set as the answer goes out rather than in an onRequest hook: every answer passes here, and a hook fewer runs per request.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('X-Request-Id', request.id);
    if (reply.statusCode >= 400 && typeof payload === 'string') {
      const code = ERROR_CODE.exec(payload)?.[1];
      if (code !== undefined) errorCodes.set(request, code);
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const operation = request.routeOptions.config?.operation ?? 'unmatched';
    const status = String(reply.statusCode);
    metrics.requests.inc({ operation, status });
    metrics.requestDuration.observe({ operation, status }, reply.elapsedTime / 1000);
    if (!writesInfo(request.log)) return done();
    const line: Record<string, unknown> = {
      operation,
      method: request.method,
      path: request.url.split('?', 1)[0],
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    const principal = request.principal;
    if (principal) {
      line.principal = `${principal.userName}@${principal.accountName}`;
      line.accessKey = principal.accessKey;
    }
    const errorCode = reply.statusCode >= 400 ? errorCodes.get(request) : undefined;
    if (errorCode !== undefined) line.error_code = errorCode;
    const operationId = reply.getHeader('x-operation-id');
    if (operationId !== undefined) line.operationId = operationId;
    request.log.info(line, 'request completed');
    done();
  });
}
