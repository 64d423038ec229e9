/**
 * The error catalogue: every error code poolkeeper answers with and its message, defined once, for the service, the
 * domain's per-node failures and the CLI alike. An error says what kind of refusal it is (its category), never an HTTP
 * status: `server/errors.ts` maps the category to the status and renders `{error_code, error_msg}`.
 */

/** What kind of refusal an error is. */
export type ErrorCategory =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'timeout'
  | 'conflict'
  | 'body-too-large'
  | 'uri-too-large'
  | 'unsupported-media-type'
  | 'headers-too-large'
  | 'internal';

/** The codes, as ModelArts, its API gateway (APIGW) and IAM spell them; several messages share a code. */
const CODE = {
  apiNotFound: 'APIGW.0101',
  gatewayRequest: 'APIGW.0201',
  unauthenticated: 'APIGW.0301',
  wrongPassword: 'IAM.0101',
  notAdministrator: 'ModelArts.0108',
  policyDenied: 'ModelArts.0112',
  tokenMissing: 'ModelArts.0201',
  tokenExpired: 'ModelArts.0202',
  tokenInvalid: 'ModelArts.0203',
  projectMismatch: 'ModelArts.0210',
  badRequest: 'ModelArts.50004000',
  nodeNotAvailable: 'ModelArts.50004002',
  nodeLocked: 'ModelArts.50004003',
  tagLimitExceeded: 'ModelArts.50004004',
  driverUpgradeInProgress: 'ModelArts.50004005',
  nodeBeingDeleted: 'ModelArts.50004006',
  conflict: 'ModelArts.50004090',
  alreadyExists: 'ModelArts.50004091',
  unsupportedContentType: 'ModelArts.50004100',
  internal: 'ModelArts.50005000',
  notFound: 'ModelArts.50005101',
  driverUpgradeFailed: 'ModelArts.50005201',
  rebootFailed: 'ModelArts.50005202',
  poolExists: 'ModelArts.50015000',
  poolNotFound: 'ModelArts.50015001',
} as const;

const API_NOT_PUBLISHED = 'The API does not exist or has not been published in the environment.';
const notFoundMessage = (kind: string, name: string) => `${kind} ${name} not found.`;

/** An error the API answers as `{error_code, error_msg}`. Create them from `errors` below. */
export class ApiError extends Error {
  constructor(
    readonly category: ErrorCategory,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** Refusals of the API gateway (APIGW.*) also carry the request id in the body, as Huawei Cloud's gateway does. */
  get gateway(): boolean {
    return this.code.startsWith('APIGW.');
  }
}

export const errors = {
  badRequest: (detail?: string) => new ApiError('invalid', CODE.badRequest, detail ? `Bad request. ${detail}` : 'Bad request.'),
  unauthenticated: (reason: string) => new ApiError('unauthenticated', CODE.unauthenticated, `Incorrect IAM authentication information: ${reason}`),
  tokenMissing: () => new ApiError('unauthenticated', CODE.tokenMissing, 'Token does not exist.'),
  tokenExpired: () => new ApiError('unauthenticated', CODE.tokenExpired, 'The token has expired.'),
  tokenInvalid: () => new ApiError('unauthenticated', CODE.tokenInvalid, 'Invalid token.'),
  wrongPassword: () => new ApiError('unauthenticated', CODE.wrongPassword, 'The username or password is wrong.'),
  notAccountAdmin: () => new ApiError('forbidden', CODE.notAdministrator, 'Only an account administrator may perform this operation.'),
  notOperator: () => new ApiError('forbidden', CODE.notAdministrator, 'Only an administrator of the operator account may manage accounts.'),
  projectMismatch: (projectId: string) => new ApiError('forbidden', CODE.projectMismatch, `The project ID ${projectId} in the URL does not match the credential.`),
  policyDenied: (action: string) => new ApiError('forbidden', CODE.policyDenied, `Policy doesn't allow ${action} to be performed.`),
  poolNotFound: () => new ApiError('not-found', CODE.poolNotFound, 'pool not found'),
  notFound: (kind: string, name: string) => new ApiError('not-found', CODE.notFound, notFoundMessage(kind, name)),
  apiNotFound: () => new ApiError('not-found', CODE.apiNotFound, API_NOT_PUBLISHED),
  methodNotAllowed: () => new ApiError('method-not-allowed', CODE.apiNotFound, API_NOT_PUBLISHED),
  poolExists: () => new ApiError('conflict', CODE.poolExists, 'Pool already exists.'),
  alreadyExists: (kind: string, name: string) => new ApiError('conflict', CODE.alreadyExists, `The ${kind} ${name} already exists.`),
  conflict: (detail: string) => new ApiError('conflict', CODE.conflict, detail),
  bodyTooLarge: () => new ApiError('body-too-large', CODE.gatewayRequest, 'Request entity too large'),
  unsupportedContentType: (detail?: string) =>
    new ApiError('unsupported-media-type', CODE.unsupportedContentType, detail ? `Content type not supported: ${detail}` : 'Content type not supported'),
  // Refusals of the HTTP layer, before any route runs.
  malformedRequest: (detail: string) => new ApiError('invalid', CODE.gatewayRequest, `Bad request: ${detail}`),
  requestTimeout: (seconds: number) => new ApiError('timeout', CODE.gatewayRequest, `Request timeout: the request did not arrive within ${seconds} s`),
  uriTooLarge: (detail: string) => new ApiError('uri-too-large', CODE.gatewayRequest, `Request URI too large: ${detail}`),
  headersTooLarge: (bytes: number) =>
    new ApiError('headers-too-large', CODE.gatewayRequest, `Request headers too large: the request line and headers exceed ${bytes} bytes`),
  internal: () => new ApiError('internal', CODE.internal, 'internal error'),
} as const;

/**
 * Why one node of a batch call failed. The BatchUpdatePoolNodes body only lists the failed names (wire
 * compatibility); these reasons go into the operation record.
 */
export interface NodeFailure {
  code: string;
  message: string;
}

/** The node is not in the pool. Same code and message as ShowPoolNode's 404. */
export function nodeNotFound(name: string): NodeFailure {
  return { code: CODE.notFound, message: notFoundMessage('Node', name) };
}

export function nodeNotAvailable(name: string, phase: string): NodeFailure {
  return nodeNotInPhase(name, phase, 'updated', 'Available');
}

/** The node's phase does not allow the operation: `allowed` names the phases that do, `what` the operation's past participle. */
export function nodeNotInPhase(name: string, phase: string, what: string, allowed: string): NodeFailure {
  return { code: CODE.nodeNotAvailable, message: `Node ${name} is ${phase}; only ${allowed} nodes can be ${what}.` };
}

/** `actions` are the node's locked actions (e.g. `delete`); any lock blocks batch-update. */
export function nodeLocked(name: string, actions: readonly string[]): NodeFailure {
  return { code: CODE.nodeLocked, message: `Node ${name} is locked (locked actions: ${actions.join(', ')}); unlock it before updating.` };
}

/** `wouldHave` is the number of distinct tag keys the node would carry after the change, `limit` the most allowed. */
export function tagLimitExceeded(name: string, wouldHave: number, limit: number): NodeFailure {
  return { code: CODE.tagLimitExceeded, message: `Node ${name} would have ${wouldHave} tags; at most ${limit} are allowed.` };
}

/** A new driver upgrade asked for while one is scheduled or running. */
export function driverUpgradeInProgress(name: string, driverPhase: string): NodeFailure {
  return {
    code: CODE.driverUpgradeInProgress,
    message: `Node ${name} already has a driver upgrade in progress (driver phase ${driverPhase}); wait until it finishes.`,
  };
}

/** Another operation (`what`: its past participle) refused while a driver upgrade is scheduled or running. */
export function driverUpgradeBlocks(name: string, driverPhase: string, what: string): NodeFailure {
  return {
    code: CODE.driverUpgradeInProgress,
    message: `Node ${name} has a driver upgrade in progress (driver phase ${driverPhase}); it cannot be ${what} until the upgrade ends.`,
  };
}

export function nodeBeingDeleted(name: string): NodeFailure {
  return { code: CODE.nodeBeingDeleted, message: `Node ${name} is being deleted.` };
}

export function driverUpgradeFailed(name: string, version: string): NodeFailure {
  return { code: CODE.driverUpgradeFailed, message: `Driver upgrade of node ${name} to version ${version} failed (injected fault).` };
}

export function rebootFailed(name: string): NodeFailure {
  return { code: CODE.rebootFailed, message: `Node ${name} did not come back from the reboot (injected fault); it is Abnormal.` };
}

/** A node the CLI was waiting for left the pool before its operation ended. */
export function nodeGone(name: string): NodeFailure {
  return { code: CODE.notFound, message: `Node ${name} no longer exists.` };
}

/** A node the CLI saw created ended in `phase` instead of Available. */
export function nodeNotCreated(name: string, phase: string): NodeFailure {
  return { code: CODE.notFound, message: `Node ${name} is ${phase}.` };
}
