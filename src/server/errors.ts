import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ValidationIssue } from '../schemas/validator.js';

/** An error answered to the client as `{error_code, error_msg}`. Create them from the catalogue below. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Gateway-level errors also carry the request id in the body. */
    readonly gateway = false,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const errors = {
  badRequest: (detail?: string) => new ApiError(400, 'ModelArts.50004000', detail ? `Bad request. ${detail}` : 'Bad request.'),
  unauthenticated: (reason: string) => new ApiError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${reason}`, true),
  tokenMissing: () => new ApiError(401, 'ModelArts.0201', 'Token does not exist.'),
  tokenExpired: () => new ApiError(401, 'ModelArts.0202', 'The token has expired.'),
  tokenInvalid: () => new ApiError(401, 'ModelArts.0203', 'Invalid token.'),
  wrongPassword: () => new ApiError(401, 'IAM.0101', 'The username or password is wrong.'),
  notAccountAdmin: () => new ApiError(403, 'ModelArts.0108', 'Only an account administrator may perform this operation.'),
  notOperator: () => new ApiError(403, 'ModelArts.0108', 'Only an administrator of the operator account may manage accounts.'),
  projectMismatch: (projectId: string) => new ApiError(403, 'ModelArts.0210', `The project ID ${projectId} in the URL does not match the credential.`),
  policyDenied: (action: string) => new ApiError(403, 'ModelArts.0112', `Policy doesn't allow ${action} to be performed.`),
  poolNotFound: () => new ApiError(404, 'ModelArts.50015001', 'pool not found'),
  notFound: (kind: string, name: string) => new ApiError(404, 'ModelArts.50005101', `${kind} ${name} not found.`),
  apiNotFound: () => new ApiError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment.', true),
  methodNotAllowed: () => new ApiError(405, 'APIGW.0101', 'The API does not exist or has not been published in the environment.', true),
  poolExists: () => new ApiError(409, 'ModelArts.50015000', 'Pool already exists.'),
  alreadyExists: (kind: string, name: string) => new ApiError(409, 'ModelArts.50004091', `The ${kind} ${name} already exists.`),
  conflict: (detail: string) => new ApiError(409, 'ModelArts.50004090', detail),
  bodyTooLarge: () => new ApiError(413, 'APIGW.0201', 'Request entity too large', true),
  unsupportedContentType: (detail?: string) => new ApiError(415, 'ModelArts.50004100', detail ? `Content type not supported: ${detail}` : 'Content type not supported'),
  // Refusals of the HTTP layer, before any route runs: gateway-level, so the body carries the request id too.
  malformedRequest: (detail: string) => new ApiError(400, 'APIGW.0201', `Bad request: ${detail}`, true),
  requestTimeout: (seconds: number) => new ApiError(408, 'APIGW.0201', `Request timeout: the request did not arrive within ${seconds} s`, true),
  uriTooLarge: (detail: string) => new ApiError(414, 'APIGW.0201', `Request URI too large: ${detail}`, true),
  headersTooLarge: (bytes: number) => new ApiError(431, 'APIGW.0201', `Request headers too large: the request line and headers exceed ${bytes} bytes`, true),
  internal: () => new ApiError(500, 'ModelArts.50005000', 'internal error'),
} as const;

/** Turns the first schema violation into a message that names the field, e.g. `nodeNames: must have at most 10000 items`. */
export function describeValidationError(issues: ValidationIssue[], context: string): string {
  const issue = issues[0];
  if (!issue) return 'invalid request';
  const where = fieldPath(issue.instancePath, context);
  const p = issue.params;
  switch (issue.keyword) {
    case 'required':
      return `${joinField(where, String(p.missingProperty))} is required`;
    case 'additionalProperties':
      return `${joinField(where, String(p.additionalProperty))} is not a known field`;
    case 'enum':
      return `${where || context} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${where || context} must be ${JSON.stringify(p.allowedValue)}`;
    case 'anyOf': {
      const literals = anyOfLiterals(issues, issue.instancePath);
      return literals ? `${where || context} must be one of ${literals}` : `${where || context} has an invalid value`;
    }
    default:
      return `${where || context} ${issue.message ?? 'is invalid'}`;
  }
}

function anyOfLiterals(issues: ValidationIssue[], path: string): string | undefined {
  const values = issues.filter((i) => i.keyword === 'const' && i.instancePath === path).map((i) => JSON.stringify(i.params.allowedValue));
  return values.length > 0 ? values.join(', ') : undefined;
}

function fieldPath(instancePath: string, context: string): string {
  if (instancePath === '') return context === 'body' ? '' : context;
  const parts = instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = context === 'body' ? '' : context;
  for (const part of parts) {
    out = /^\d+$/.test(part) ? `${out}[${part}]` : joinField(out, part);
  }
  return out;
}

function joinField(base: string, field: string): string {
  return base ? `${base}.${field}` : field;
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
  return reply.code(error.statusCode).header('X-Request-Id', request.id).headers(error.headers).type('application/json').send(body);
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error);
  if (apiError.statusCode >= 500) {
    request.log.error({ err: error }, 'request failed');
  }
  return sendApiError(request, reply, apiError);
}
