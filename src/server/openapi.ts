/**
 * The OpenAPI document's frame (tags, security schemes) and the helpers routes use to put summaries and examples in
 * their schemas. The operations themselves come from the route schemas (@fastify/swagger), so the document describes
 * exactly what the routes validate.
 */
import type { SwaggerOptions } from '@fastify/swagger';
import { Type, type TSchema } from '@sinclair/typebox';
import { ErrorSchema } from '../schemas/common.js';
import { EXAMPLE_PROJECT_ID, EXAMPLE_REQUEST_ID } from '../schemas/example-ids.js';
import { errors, type ApiError } from '../errors/catalogue.js';

/** Operation groups, in the order the API Explorer shows them. */
export const OPERATION_TAGS = [
  { name: 'Pools', description: 'ModelArts v2 resource pools.' },
  { name: 'Nodes', description: 'The nodes of a pool, and BatchUpdatePoolNodes.' },
  { name: 'Node lifecycle', description: 'Batch delete, lock, unlock, reboot and drain of nodes.' },
  { name: 'Operations', description: 'poolkeeper extension: the record of each batch call, with every node’s result and reason.' },
  { name: 'Identity', description: 'Tokens (IAM password method) and poolkeeper’s account administration.' },
  { name: 'Simulation', description: 'poolkeeper extension: controls of the built-in simulated node backend.' },
  { name: 'Service', description: 'Health, readiness, this document and the API Explorer; no credentials needed.' },
] as const;

/** Marks an operation that is poolkeeper's own, not part of ModelArts (no Huawei Cloud SDK has a method for it). */
export const EXTENSION = { 'x-poolkeeper-extension': true } as const;

const SIGNATURE_DESCRIPTION =
  'AK/SK request signing exactly as the Huawei Cloud SDKs do it: `Authorization: SDK-HMAC-SHA256 Access=<AK>, ' +
  'SignedHeaders=<lowercase names joined by ;>, Signature=<hex>`. The signature is the hex HMAC-SHA256, keyed with the ' +
  'secret key, of `SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<hex SHA-256 of the canonical request>`; the canonical request is the ' +
  'method, the path with each segment percent-encoded and a trailing `/`, the sorted query, the signed headers ' +
  '(`name:value` lines), the signed-header list and the hex SHA-256 of the body, joined by newlines. SignedHeaders must ' +
  'include `x-sdk-date`. `X-Project-Id` (the project the call acts in) is optional; when sent it must match the path’s ' +
  'project. Temporary credentials also sign `X-Security-Token`. `V11-HMAC-SHA256` (derived keys) is accepted too.';

export const openapiOptions: SwaggerOptions = {
  openapi: {
    openapi: '3.0.3',
    info: {
      title: 'poolkeeper — ModelArts v2 resource-pool API',
      version: '0.1.0',
      description:
        'The Huawei Cloud ModelArts v2 pool and node API as poolkeeper serves it, plus poolkeeper’s extensions (marked ' +
        '`x-poolkeeper-extension`). Calls are authenticated with an AK/SK signature (SDK-HMAC-SHA256, what the official ' +
        'SDKs send) or an `X-Auth-Token` from `POST /v3/auth/tokens`; operations marked `security: []` need neither. ' +
        'Errors answer `{"error_code", "error_msg"}` (gateway errors add `request_id`); every answer carries `X-Request-Id`.',
    },
    tags: OPERATION_TAGS.map((tag) => ({ ...tag })),
    components: {
      securitySchemes: {
        akskSignature: { type: 'apiKey', in: 'header', name: 'Authorization', description: SIGNATURE_DESCRIPTION },
        sdkDate: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Sdk-Date',
          description: 'The signing time, `YYYYMMDDTHHMMSSZ` (UTC), signed with the request; at most 15 minutes from the server clock.',
        },
        token: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Auth-Token',
          description: 'A project-scoped token: the `X-Subject-Token` header of `POST /v3/auth/tokens`, valid 24 hours.',
        },
      },
    },
    // Either an AK/SK signature (Authorization and X-Sdk-Date together) or a token.
    security: [{ akskSignature: [], sdkDate: [] }, { token: [] }],
  },
};

/** A route's copy of a shared schema, carrying the route's examples (the shared schema stays example-free). */
export function withExamples<T extends TSchema>(schema: T, examples: readonly unknown[], extra: { description?: string; headers?: Record<string, unknown> } = {}): T {
  return { ...schema, examples: [...examples], ...extra };
}

export const OPERATION_ID_HEADER = {
  'X-Operation-Id': { type: 'string', description: 'Id of the operation record (GET /_poolkeeper/v1/{project_id}/operations/{operation_id}).' },
};

/** The error answer an ApiError produces (gateway errors carry the request id). */
function errorExample(error: ApiError): { error_code: string; error_msg: string; request_id?: string } {
  return { error_code: error.code, error_msg: error.message, ...(error.gateway ? { request_id: EXAMPLE_REQUEST_ID } : {}) };
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid; nothing was written. `error_msg` names the field.',
  401: 'Not authenticated: no, a wrong or an expired signature or token.',
  403: 'Authenticated, but not allowed: another project, or the policy lacks the action.',
  404: 'Not found.',
  409: 'Conflicts with what exists.',
};

type ErrorStatus = 400 | 401 | 403 | 404 | 409;

function errorResponse(status: ErrorStatus, cases: readonly ApiError[]) {
  return Type.Object(ErrorSchema.properties, { description: ERROR_DESCRIPTIONS[status], examples: cases.map(errorExample) });
}

/** What a protected route answers when the credential fails (401). */
const UNAUTHENTICATED = [
  errors.unauthenticated('the request is not signed (no Authorization header) and carries no X-Auth-Token'),
  errors.tokenExpired(),
];

/** 403 examples of a route that needs the IAM `action` in the path's project. */
export function denied(action: string): ApiError[] {
  return [errors.policyDenied(action), errors.projectMismatch(EXAMPLE_PROJECT_ID)];
}

/** Error responses with examples taken from the error catalogue; 401 defaults to UNAUTHENTICATED. */
export function errorResponses(cases: Partial<Record<ErrorStatus, readonly ApiError[]>>) {
  const out: Partial<Record<ErrorStatus, ReturnType<typeof errorResponse>>> = {};
  for (const status of [400, 401, 403, 404, 409] as const) {
    const examples = cases[status] ?? (status === 401 ? UNAUTHENTICATED : undefined);
    if (examples !== undefined && examples.length > 0) out[status] = errorResponse(status, examples);
  }
  return out;
}

const Status = (value: string, description: string) => withExamples(Type.Object({ status: Type.String() }), [{ status: value }], { description });

/** Schemas of the health checks, which app.ts serves outside the auth hook. */
export const HEALTH_SCHEMA = {
  operationId: 'Health',
  tags: ['Service'],
  ...EXTENSION,
  summary: 'Liveness',
  description: 'Answers 200 while the process serves HTTP; it does not look at the database (see /readyz).',
  security: [],
  response: { 200: Status('ok', 'The process is alive.') },
};

export const READY_SCHEMA = {
  operationId: 'Ready',
  tags: ['Service'],
  ...EXTENSION,
  summary: 'Readiness',
  description: 'For load balancers: 200 while this replica’s database answers (within 2 s), 503 otherwise.',
  security: [],
  response: { 200: Status('ready', 'The replica can serve.'), 503: Status('unavailable', 'The database does not answer.') },
};
