import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, preValidationHookHandler } from 'fastify';
import { isActionAllowed } from '../../domain/policy.js';
import { toTimestamp, type Clock } from '../../domain/time.js';
import type { SecretBox } from '../../security/secrets.js';
import { TokenError, type TokenService } from '../../security/tokens.js';
import type { AccessKeyRecord, CredentialStore, UserIdentity } from '../../store/credentials.js';
import { rejectInvalidJson } from '../body.js';
import { errors, type ApiError } from '../../errors/catalogue.js';
import type { Metrics } from '../metrics.js';
import type { IdentityCache } from './identities.js';
import { parseAuthorization, SignatureError, verifySignature, type ParsedAuthorization } from './signature.js';

export interface Principal {
  accountId: string;
  accountName: string;
  userId: string;
  userName: string;
  isAccountAdmin: boolean;
  isOperator: boolean;
  /** The access key used, for logs; absent for token callers. */
  accessKey?: string;
  /** Projects this credential may act in (a token: only its scoped project). */
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
    /** Only account administrators (poolkeeper's IAM extension). */
    accountAdmin?: boolean;
    /** Only administrators of the operator account (creating accounts). */
    operator?: boolean;
  }
}

/** Consecutive signature failures that lock an access key, and for how long. */
const MAX_SIGNATURE_FAILURES = 5;
const ACCESS_KEY_LOCK_MILLIS = 5 * 60 * 1000;

type MaybePromise<T> = T | Promise<T>;

export interface AuthDependencies {
  store: CredentialStore;
  identities: IdentityCache;
  secrets: SecretBox;
  tokens: TokenService;
  clock: Clock;
  metrics: Metrics;
  maxSkewMillis: number;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Written out field by field: spreading the identity and then replacing its `projectIds` made V8 copy it the slow way,
 * about 1.5 µs, on every authenticated request.
 */
function principal(identity: UserIdentity, projectIds: ReadonlySet<string>, accessKey?: string): Principal {
  const { accountId, accountName, userId, userName, isAccountAdmin, isOperator, policies } = identity;
  return { accountId, accountName, userId, userName, isAccountAdmin, isOperator, projectIds, policies, ...(accessKey === undefined ? {} : { accessKey }) };
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The preValidation hook of every protected route: authenticate (AK/SK signature or X-Auth-Token), then authorize
 * the path's project and the route's IAM action. It runs before schema validation, so anonymous callers never learn
 * anything about a request's shape.
 */
export function createAuthenticateHook(deps: AuthDependencies) {
  const { store, clock } = deps;
  // Signatures made with an unknown access key are checked against this: no caller can know it.
  const unknownKeySecret = randomBytes(32).toString('hex');
  // Sealing uses a fresh IV each time, so a sealed value names exactly one secret: opening it once is enough.
  const openedSecrets = new Map<string, string>();
  function secretKeyOf(sealed: string): string {
    let secret = openedSecrets.get(sealed);
    if (secret === undefined) {
      if (openedSecrets.size >= 10_000) openedSecrets.clear();
      secret = deps.secrets.open(sealed);
      openedSecrets.set(sealed, secret);
    }
    return secret;
  }

  function refuse(reason: string, error: ApiError): never {
    deps.metrics.authFailures.inc({ reason });
    throw error;
  }

  /** Why the request's signature does not hold under `secretKey`, or null when it does. */
  function signatureProblem(request: FastifyRequest, auth: ParsedAuthorization, secretKey: string, now: number): string | null {
    try {
      if (headerValue(request, 'x-sdk-content-sha256') === 'UNSIGNED-PAYLOAD' && (request.rawBody?.length ?? 0) > 0) {
        throw new SignatureError('unsigned payloads are not accepted for requests with a body');
      }
      verifySignature(
        { method: request.method, url: request.raw.url ?? request.url, headers: request.headers, body: request.rawBody },
        auth,
        secretKey,
        now,
        deps.maxSkewMillis,
      );
      return null;
    } catch (error) {
      if (error instanceof SignatureError) return error.reason;
      throw error;
    }
  }

  /**
   * Until the caller has shown it holds the key's secret, nothing it is told may depend on whether the key exists:
   * an unknown key is checked against a secret nobody knows, so it fails with the very reason a known key with a
   * wrong secret gets. Lock, expiry and security token are told only to a caller whose signature is right.
   *
   * Synchronous while the key and its user's identity are cached (nearly every request), so a signed request costs
   * no promise of its own; a lookup in the database, a failure to record or counters to clear make it a promise.
   */
  function fromSignature(request: FastifyRequest, header: string): MaybePromise<Principal> {
    let auth: ParsedAuthorization;
    try {
      auth = parseAuthorization(header);
    } catch (error) {
      if (error instanceof SignatureError) refuse('malformed_authorization', errors.unauthenticated(error.reason));
      throw error;
    }
    const cached = store.cachedAccessKey(auth.accessKey);
    if (cached !== undefined) return checkSignature(request, auth, cached);
    return store.findAccessKey(auth.accessKey).then((key) => checkSignature(request, auth, key));
  }

  function checkSignature(request: FastifyRequest, auth: ParsedAuthorization, key: AccessKeyRecord | undefined): MaybePromise<Principal> {
    const now = clock.now();
    const problem = signatureProblem(request, auth, key ? secretKeyOf(key.sealedSecretKey) : unknownKeySecret, now);
    if (!key) {
      request.log.warn({ accessKey: auth.accessKey.slice(0, 128), authFailure: 'unknown access key' }, 'authentication failed');
      refuse('bad_signature', errors.unauthenticated(problem ?? 'signature does not match'));
    }
    const locked = key.lockedUntil !== null && key.lockedUntil > now;
    if (problem !== null) {
      request.log.warn({ accessKey: key.accessKey, authFailure: problem }, 'authentication failed');
      const refused = () => refuse('bad_signature', errors.unauthenticated(problem));
      return locked ? refused() : recordFailure(request, key.accessKey, now).then(refused);
    }
    if (locked) {
      refuse('access_key_locked', errors.unauthenticated(`the access key is locked until ${toTimestamp(key.lockedUntil!)} after ${MAX_SIGNATURE_FAILURES} failed attempts`));
    }
    if (key.expiresAt !== null && key.expiresAt <= now) refuse('credentials_expired', errors.unauthenticated('the temporary credentials have expired'));
    if (key.securityTokenHash !== null) {
      const token = headerValue(request, 'x-security-token');
      const reason =
        token === undefined || !auth.signedHeaders.includes('x-security-token')
          ? 'temporary credentials need a signed X-Security-Token header'
          : !timingSafeEqual(sha256(token), Buffer.from(key.securityTokenHash, 'hex'))
            ? 'the security token does not match'
            : null;
      if (reason !== null) return recordFailure(request, key.accessKey, now).then(() => refuse('bad_signature', errors.unauthenticated(reason)));
    }
    if (key.failedAttempts > 0) return store.clearAuthFailures(key.accessKey).then(() => keyHolder(key));
    return keyHolder(key);
  }

  /** The principal of a key whose signature holds: its user's identity, from the cache when it holds it. */
  function keyHolder(key: AccessKeyRecord): MaybePromise<Principal> {
    const cached = deps.identities.peek(key.userId);
    if (cached !== undefined) return signedBy(cached.identity, key);
    return deps.identities.get(key.userId).then((identity) => signedBy(identity, key));
  }

  function signedBy(identity: UserIdentity | undefined, key: AccessKeyRecord): Principal {
    if (!identity) refuse('unknown_user', errors.unauthenticated('the credential belongs to no user'));
    return principal(identity, new Set(identity.projectIds), key.accessKey);
  }

  async function recordFailure(request: FastifyRequest, accessKey: string, now: number): Promise<void> {
    const failure = await store.recordAuthFailure(accessKey, now, MAX_SIGNATURE_FAILURES, ACCESS_KEY_LOCK_MILLIS);
    if (failure.failedAttempts === MAX_SIGNATURE_FAILURES) {
      request.log.warn({ accessKey, lockedUntil: toTimestamp(failure.lockedUntil ?? now) }, 'access key locked after repeated signature failures');
    }
  }

  async function fromToken(token: string): Promise<Principal> {
    if (token === '') refuse('token_missing', errors.tokenMissing());
    let claims;
    try {
      claims = await deps.tokens.verify(token, clock.now());
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      refuse(error.kind === 'expired' ? 'token_expired' : 'token_invalid', error.kind === 'expired' ? errors.tokenExpired() : errors.tokenInvalid());
    }
    const identity = await deps.identities.get(claims.userId);
    if (!identity || identity.accountId !== claims.accountId) refuse('token_invalid', errors.tokenInvalid());
    const projectIds = new Set(identity.projectIds.includes(claims.projectId) ? [claims.projectId] : []);
    return principal(identity, projectIds);
  }

  function identify(request: FastifyRequest): MaybePromise<Principal> {
    const authorization = headerValue(request, 'authorization');
    if (authorization !== undefined && authorization !== '') return fromSignature(request, authorization);
    const token = headerValue(request, 'x-auth-token');
    if (token !== undefined) return fromToken(token);
    refuse('missing_credentials', errors.unauthenticated('the request is not signed (no Authorization header) and carries no X-Auth-Token'));
  }

  function authorize(request: FastifyRequest, principal: Principal): void {
    request.principal = principal;
    const projectId = (request.params as { project_id?: string } | undefined)?.project_id;
    if (projectId !== undefined && !principal.projectIds.has(projectId)) refuse('project_mismatch', errors.projectMismatch(projectId));
    const headerProject = headerValue(request, 'x-project-id');
    if (headerProject !== undefined && headerProject !== '' && projectId !== undefined && headerProject !== projectId) {
      refuse('project_mismatch', errors.projectMismatch(headerProject));
    }
    const { action, accountAdmin, operator } = request.routeOptions.config;
    if (action !== undefined && !isActionAllowed(principal.policies, action)) refuse('policy_denied', errors.policyDenied(action));
    if ((accountAdmin || operator) && !principal.isAccountAdmin) refuse('not_account_admin', errors.notAccountAdmin());
    if (operator && !principal.isOperator) refuse('not_operator', errors.notOperator());
    rejectInvalidJson(request.body);
  }

  /** Authenticates and authorizes `request`; throws (or rejects with) the API error that refuses it. */
  return function authenticate(request: FastifyRequest): MaybePromise<void> {
    const identified = identify(request);
    if (identified instanceof Promise) return identified.then((principal) => authorize(request, principal));
    authorize(request, identified);
  };
}

/**
 * A check as a callback-style preValidation hook: an async hook would cost every request a promise and a turn of the
 * microtask queue even when the check answers at once.
 */
export function preValidationHook(check: (request: FastifyRequest) => MaybePromise<void>): preValidationHookHandler {
  return (request, _reply, done) => {
    let checked: MaybePromise<void>;
    try {
      checked = check(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (checked instanceof Promise) checked.then(() => done(), done);
    else done();
  };
}
