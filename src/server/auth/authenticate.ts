import type { FastifyRequest } from 'fastify';
import { isActionAllowed } from '../../domain/policy.js';
import type { Clock } from '../../domain/time.js';
import { rejectInvalidJson } from '../body.js';
import { errors, type ApiError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { AccessKeyCache } from './access-keys.js';
import { parseAuthorization, SignatureError, verifySignature, type ParsedAuthorization } from './signature.js';

export interface Principal {
  accountId: string;
  accountName: string;
  userId: string;
  userName: string;
  accessKey: string;
  projectIds: ReadonlySet<string>;
  policies: readonly unknown[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** ModelArts/SDK operation name, used in logs and metrics. */
    operation?: string;
    /** IAM action the caller's policies must allow. */
    action?: string;
  }
}

export interface AuthDependencies {
  accessKeys: AccessKeyCache;
  clock: Clock;
  metrics: Metrics;
  maxSkewMillis: number;
}

/**
 * The preValidation hook of every protected route: authenticate the AK/SK signature over the raw request,
 * then authorize the path's project and the route's IAM action. Runs before schema validation, so anonymous
 * callers never learn anything about a request's shape.
 */
export function createAuthenticateHook(deps: AuthDependencies) {
  function refuse(reason: string, error: ApiError): never {
    deps.metrics.authFailures.inc({ reason });
    throw error;
  }

  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || header === '') {
      if (request.headers['x-auth-token'] !== undefined) refuse('token_invalid', errors.tokenInvalid());
      refuse('missing_credentials', errors.unauthenticated('the request is not signed (no Authorization header)'));
    }
    let auth: ParsedAuthorization;
    try {
      auth = parseAuthorization(header);
    } catch (error) {
      if (error instanceof SignatureError) refuse('malformed_authorization', errors.unauthenticated(error.reason));
      throw error;
    }
    const key = await deps.accessKeys.get(auth.accessKey);
    if (!key) refuse('unknown_access_key', errors.unauthenticated('the access key does not exist'));
    try {
      verifySignature(
        { method: request.method, url: request.raw.url ?? request.url, headers: request.headers, body: request.rawBody },
        auth,
        key.secretKey,
        deps.clock.now(),
        deps.maxSkewMillis,
      );
    } catch (error) {
      if (error instanceof SignatureError) refuse('bad_signature', errors.unauthenticated(error.reason));
      throw error;
    }
    const principal: Principal = {
      accountId: key.accountId,
      accountName: key.accountName,
      userId: key.userId,
      userName: key.userName,
      accessKey: key.accessKey,
      projectIds: new Set(key.projectIds),
      policies: key.policies,
    };
    request.principal = principal;

    const projectId = (request.params as { project_id?: string } | undefined)?.project_id;
    if (projectId !== undefined && !principal.projectIds.has(projectId)) refuse('project_mismatch', errors.projectMismatch(projectId));
    const headerProject = request.headers['x-project-id'];
    if (typeof headerProject === 'string' && headerProject !== '' && projectId !== undefined && headerProject !== projectId) {
      refuse('project_mismatch', errors.projectMismatch(headerProject));
    }
    const action = request.routeOptions.config.action;
    if (action !== undefined && !isActionAllowed(principal.policies, action)) refuse('policy_denied', errors.policyDenied(action));
    rejectInvalidJson(request.body);
  };
}
