import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errors, type ErrorCategory } from '../errors/catalogue.js';
import { describeValidationError, type ValidationIssue } from '../schemas/validator.js';

/*
 * How the error catalogue (src/errors/catalogue.ts) answers over HTTP: the status of each category, and the body
 * `{error_code, error_msg}` (gateway refusals add `request_id`) with `X-Request-Id` on every answer.
 */

/** The HTTP status of each kind of refusal in the error catalogue. */
const STATUS: Record<ErrorCategory, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  timeout: 408,
  conflict: 409,
  'body-too-large': 413,
  'uri-too-large': 414,
  'unsupported-media-type': 415,
  'headers-too-large': 431,
  internal: 500,
};

export function httpStatus(error: ApiError): number {
  return STATUS[error.category];
}

function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) {
    return errors.badRequest(describeValidationError(error.validation as ValidationIssue[], error.validationContext ?? 'body'));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedContentType();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.badRequest('the request body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.badRequest('Content-Length does not match the body');
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return errors.badRequest(error.message);
  }
  return errors.internal();
}

export function sendApiError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  const body: Record<string, string> = { error_code: error.code, error_msg: error.message };
  if (error.gateway) body.request_id = request.id;
  return reply.code(httpStatus(error)).header('X-Request-Id', request.id).type('application/json').send(body);
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error);
  if (apiError.category === 'internal') {
    request.log.error({ err: error }, 'request failed');
  }
  return sendApiError(request, reply, apiError);
}
