import { describe, expect, it } from 'vitest';
import { errors } from '../../src/errors/catalogue.js';
import { httpStatus } from '../../src/server/errors.js';

describe('the HTTP status of each error category', () => {
  it('is the one ModelArts answers with', () => {
    const statuses = [
      errors.badRequest(),
      errors.malformedRequest('x'),
      errors.unauthenticated('x'),
      errors.tokenExpired(),
      errors.policyDenied('x'),
      errors.poolNotFound(),
      errors.apiNotFound(),
      errors.methodNotAllowed(),
      errors.requestTimeout(1),
      errors.conflict('x'),
      errors.bodyTooLarge(),
      errors.uriTooLarge('x'),
      errors.unsupportedContentType(),
      errors.headersTooLarge(1),
      errors.internal(),
    ].map(httpStatus);
    expect(statuses).toEqual([400, 400, 401, 401, 403, 404, 404, 405, 408, 409, 413, 414, 415, 431, 500]);
  });
});
