import { describe, expect, it } from 'vitest';
import {
  ApiError,
  driverUpgradeBlocks,
  driverUpgradeFailed,
  driverUpgradeInProgress,
  errors,
  nodeBeingDeleted,
  nodeGone,
  nodeLocked,
  nodeNotAvailable,
  nodeNotCreated,
  nodeNotFound,
  nodeNotInPhase,
  rebootFailed,
  tagLimitExceeded,
  type ErrorCategory,
} from '../../src/errors/catalogue.js';

// The codes and messages are the API's contract: they are written out here, literally, once more.
describe('the error catalogue', () => {
  const cases: Array<[ApiError, ErrorCategory, string, string]> = [
    [errors.badRequest(), 'invalid', 'ModelArts.50004000', 'Bad request.'],
    [errors.badRequest('nodeNames is required'), 'invalid', 'ModelArts.50004000', 'Bad request. nodeNames is required'],
    [errors.unauthenticated('the signature does not match'), 'unauthenticated', 'APIGW.0301', 'Incorrect IAM authentication information: the signature does not match'],
    [errors.tokenMissing(), 'unauthenticated', 'ModelArts.0201', 'Token does not exist.'],
    [errors.tokenExpired(), 'unauthenticated', 'ModelArts.0202', 'The token has expired.'],
    [errors.tokenInvalid(), 'unauthenticated', 'ModelArts.0203', 'Invalid token.'],
    [errors.wrongPassword(), 'unauthenticated', 'IAM.0101', 'The username or password is wrong.'],
    [errors.notAccountAdmin(), 'forbidden', 'ModelArts.0108', 'Only an account administrator may perform this operation.'],
    [errors.notOperator(), 'forbidden', 'ModelArts.0108', 'Only an administrator of the operator account may manage accounts.'],
    [errors.projectMismatch('p1'), 'forbidden', 'ModelArts.0210', 'The project ID p1 in the URL does not match the credential.'],
    [errors.policyDenied('modelarts:pool:get'), 'forbidden', 'ModelArts.0112', "Policy doesn't allow modelarts:pool:get to be performed."],
    [errors.poolNotFound(), 'not-found', 'ModelArts.50015001', 'pool not found'],
    [errors.notFound('User', 'alice'), 'not-found', 'ModelArts.50005101', 'User alice not found.'],
    [errors.apiNotFound(), 'not-found', 'APIGW.0101', 'The API does not exist or has not been published in the environment.'],
    [errors.methodNotAllowed(), 'method-not-allowed', 'APIGW.0101', 'The API does not exist or has not been published in the environment.'],
    [errors.poolExists(), 'conflict', 'ModelArts.50015000', 'Pool already exists.'],
    [errors.alreadyExists('user', 'alice'), 'conflict', 'ModelArts.50004091', 'The user alice already exists.'],
    [errors.conflict('the pool is being deleted'), 'conflict', 'ModelArts.50004090', 'the pool is being deleted'],
    [errors.bodyTooLarge(), 'body-too-large', 'APIGW.0201', 'Request entity too large'],
    [errors.unsupportedContentType(), 'unsupported-media-type', 'ModelArts.50004100', 'Content type not supported'],
    [errors.unsupportedContentType('text/plain'), 'unsupported-media-type', 'ModelArts.50004100', 'Content type not supported: text/plain'],
    [errors.malformedRequest('the path is malformed'), 'invalid', 'APIGW.0201', 'Bad request: the path is malformed'],
    [errors.requestTimeout(30), 'timeout', 'APIGW.0201', 'Request timeout: the request did not arrive within 30 s'],
    [errors.uriTooLarge('a path segment is too long'), 'uri-too-large', 'APIGW.0201', 'Request URI too large: a path segment is too long'],
    [errors.headersTooLarge(16384), 'headers-too-large', 'APIGW.0201', 'Request headers too large: the request line and headers exceed 16384 bytes'],
    [errors.internal(), 'internal', 'ModelArts.50005000', 'internal error'],
  ];

  it('gives every error its category, code and message', () => {
    for (const [error, category, code, message] of cases) {
      expect(error).toBeInstanceOf(ApiError);
      expect({ category: error.category, code: error.code, message: error.message }).toEqual({ category, code, message });
    }
  });

  it('marks exactly the API gateway refusals (APIGW.*), whose answers carry the request id', () => {
    const gateway = cases.filter(([error]) => error.gateway).map(([error]) => error.code);
    expect(gateway).toEqual(['APIGW.0301', 'APIGW.0101', 'APIGW.0101', 'APIGW.0201', 'APIGW.0201', 'APIGW.0201', 'APIGW.0201', 'APIGW.0201']);
    expect(cases.length - gateway.length).toBe(18);
  });
});

describe('per-node failures', () => {
  it('have the documented codes and messages', () => {
    expect(nodeNotFound('n1')).toEqual({ code: 'ModelArts.50005101', message: 'Node n1 not found.' });
    expect(nodeNotAvailable('n1', 'Creating')).toEqual({ code: 'ModelArts.50004002', message: 'Node n1 is Creating; only Available nodes can be updated.' });
    expect(nodeNotInPhase('n1', 'Deleting', 'drained', 'Available, Abnormal or Checking')).toEqual({
      code: 'ModelArts.50004002',
      message: 'Node n1 is Deleting; only Available, Abnormal or Checking nodes can be drained.',
    });
    expect(nodeLocked('n1', ['delete', 'scale'])).toEqual({
      code: 'ModelArts.50004003',
      message: 'Node n1 is locked (locked actions: delete, scale); unlock it before updating.',
    });
    expect(tagLimitExceeded('n1', 21, 20)).toEqual({ code: 'ModelArts.50004004', message: 'Node n1 would have 21 tags; at most 20 are allowed.' });
    expect(driverUpgradeInProgress('n1', 'Updating')).toEqual({
      code: 'ModelArts.50004005',
      message: 'Node n1 already has a driver upgrade in progress (driver phase Updating); wait until it finishes.',
    });
    expect(driverUpgradeBlocks('n1', 'Pending', 'rebooted')).toEqual({
      code: 'ModelArts.50004005',
      message: 'Node n1 has a driver upgrade in progress (driver phase Pending); it cannot be rebooted until the upgrade ends.',
    });
    expect(nodeBeingDeleted('n1')).toEqual({ code: 'ModelArts.50004006', message: 'Node n1 is being deleted.' });
  });

  it('injected faults report their own codes', () => {
    expect(driverUpgradeFailed('n1', '550')).toEqual({ code: 'ModelArts.50005201', message: 'Driver upgrade of node n1 to version 550 failed (injected fault).' });
    expect(rebootFailed('n1')).toEqual({ code: 'ModelArts.50005202', message: 'Node n1 did not come back from the reboot (injected fault); it is Abnormal.' });
  });

  it('the CLI reports a node that left or did not come up with the not-found code', () => {
    expect(nodeGone('n1')).toEqual({ code: 'ModelArts.50005101', message: 'Node n1 no longer exists.' });
    expect(nodeNotCreated('n1', 'Abnormal')).toEqual({ code: 'ModelArts.50005101', message: 'Node n1 is Abnormal.' });
  });
});
