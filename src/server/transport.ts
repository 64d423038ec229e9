import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { TObject, TSchema } from '@sinclair/typebox';
import type { FastifyBaseLogger, FastifyError, FastifyHttpOptions, FastifyInstance, RawServerDefault, RouteOptions } from 'fastify';
import type { Config } from '../config.js';
import { AccessKeyParams, UserParams, UserPolicyParams, UserProjectParams } from '../schemas/iam.js';
import { NodeParams, PoolParams, ProjectParams } from '../schemas/common.js';
import { OperationParams } from '../schemas/operation.js';
import { errors, type ApiError } from '../errors/catalogue.js';
import { httpStatus, sendApiError } from './errors.js';

/**
 * Every path-parameter schema the routes use. The router's segment limit is derived from them, and a route whose
 * parameter is not covered by that limit stops the service from starting (see `guardPathParameters`).
 */
const PATH_PARAMETER_SCHEMAS: readonly TObject[] = [
  ProjectParams,
  PoolParams,
  NodeParams,
  OperationParams,
  UserParams,
  UserProjectParams,
  UserPolicyParams,
  AccessKeyParams,
];

/**
 * The router refuses a decoded path segment longer than this many UTF-16 code units before any schema sees it. The
 * schemas count characters (code points), which may take two units each, so the limit is twice the longest
 * `maxLength` a path parameter has: every value a schema accepts reaches it, and the schema names the field otherwise.
 */
const MAX_PATH_SEGMENT_UNITS = 2 * Math.max(...PATH_PARAMETER_SCHEMAS.flatMap((schema) => Object.values(schema.properties).map(maxLengthOf)));

function maxLengthOf(property: TSchema): number {
  const { maxLength } = property as { maxLength?: number };
  if (maxLength === undefined) throw new Error('every path parameter schema needs a maxLength');
  return maxLength;
}

export const newRequestId = (): string => randomUUID().replaceAll('-', '');

type TransportOptions = Pick<
  FastifyHttpOptions<RawServerDefault>,
  'requestTimeout' | 'keepAliveTimeout' | 'http' | 'routerOptions' | 'frameworkErrors' | 'clientErrorHandler' | 'return503OnClosing'
>;

/**
 * Connection limits and the answers given before any route runs, all in the `{error_code, error_msg, request_id}`
 * format with an `X-Request-Id` header and without echoing the request: a malformed percent-escape (400) or an
 * over-long path segment (414) from the router; a malformed request (400), a request that does not arrive in time
 * (408) or over-large headers (431) from Node's HTTP parser, which then closes the connection (`Connection: close`).
 */
export function transportOptions(http: Config['http'], logger: FastifyBaseLogger): TransportOptions {
  const { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs } = http;
  return {
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      // Node looks for expired requests on this period; the default (30 s) would let a stalled body outlive its limit.
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeoutMs / 10)),
    },
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT_UNITS },
    // Requests that arrive on open connections while the service closes are served (the answer says
    // `Connection: close`, and closing waits for them) rather than refused with Fastify's own 503 body.
    return503OnClosing: false,
    frameworkErrors(error: FastifyError, request, reply) {
      const answer =
        error.code === 'FST_ERR_BAD_URL'
          ? errors.malformedRequest('the path has a malformed percent-escape')
          : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? errors.uriTooLarge(`a path segment is longer than ${MAX_PATH_SEGMENT_UNITS / 2} characters`)
            : errors.internal();
      request.log.info({ status: httpStatus(answer), reason: error.code }, 'request refused by the router');
      sendApiError(request, reply, answer);
    },
    clientErrorHandler(error, socket) {
      answerParserError(error, socket, http, logger);
    },
  };
}

/** A server-side socket as Node's HTTP server keeps it: the response it is serving, if any. */
type ServerSocket = Socket & { _httpMessage?: { headersSent: boolean } | null };

function answerParserError(error: Error & { code?: string }, socket: ServerSocket, http: Config['http'], logger: FastifyBaseLogger): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Headers that arrived have a response waiting: then the request (body) limit expired, else the headers one.
  const inFlight = socket._httpMessage ?? undefined;
  const answer: ApiError =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? errors.requestTimeout((inFlight ? http.requestTimeoutMs : http.headersTimeoutMs) / 1000)
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? errors.headersTooLarge(maxHeaderSize)
        : errors.malformedRequest('the HTTP request is malformed');
  const requestId = newRequestId();
  const status = httpStatus(answer);
  logger.info({ requestId, status, reason: error.code }, 'request refused by the HTTP parser');
  // A response already under way cannot be replaced: the connection just ends.
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify({ error_code: answer.code, error_msg: answer.message, request_id: requestId });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Refuses at start a route whose path parameter could be longer than the router's segment limit: valid values would
 * be unreachable (answered 414 before the schema could name the field).
 */
export function guardPathParameters(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const names = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
    const properties = (route.schema?.params as TObject | undefined)?.properties ?? {};
    for (const name of names) {
      const maxLength = (properties[name] as { maxLength?: number } | undefined)?.maxLength;
      if (maxLength === undefined || 2 * maxLength > MAX_PATH_SEGMENT_UNITS) {
        throw new Error(`${route.url}: path parameter "${name}" needs a schema maxLength of at most ${MAX_PATH_SEGMENT_UNITS / 2} (see src/server/transport.ts)`);
      }
    }
  });
}
