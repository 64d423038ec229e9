import type { TSchema } from '@sinclair/typebox';
import type { BatchCall } from '../client/api.js';
import { checkBatchUpdateRequest } from '../domain/batch-update-request.js';
import { batchUpdateBodySchema } from '../schemas/batch-update.js';
import { batchDeleteBodySchema, batchLockBodySchema, batchNodeNamesBodySchema } from '../schemas/node-batch.js';
import { CreatePoolBodySchema, PatchPoolBodySchema } from '../schemas/pool.js';
import { compileInputValidator, type InputValidator } from '../schemas/validator.js';
import { describeValidationError } from '../server/errors.js';
import { usageError } from './exit-codes.js';

/**
 * Request bodies checked before they are sent, with the schemas, validator and rules the service uses, so a
 * request the service would refuse is a usage error (exit 2) naming the field, and nothing is sent. Loaded only by
 * the commands that send such bodies.
 */
const validators = new Map<string, InputValidator>();

function check(key: string, schema: () => TSchema, body: unknown): void {
  let validate = validators.get(key);
  if (!validate) {
    validate = compileInputValidator(schema());
    validators.set(key, validate);
  }
  const issues = validate(body);
  if (issues) throw usageError(`the request would be refused: ${describeValidationError(issues, 'body')}`);
}

export function checkBatchCall(call: BatchCall, limit: number): void {
  const schemas: Record<BatchCall['path'], () => TSchema> = {
    'batch-update': () => batchUpdateBodySchema(limit),
    'batch-lock': () => batchLockBodySchema(limit),
    'batch-unlock': () => batchLockBodySchema(limit),
    'batch-reboot': () => batchNodeNamesBodySchema(limit, 'reboot'),
    'batch-drain': () => batchNodeNamesBodySchema(limit, 'drain'),
    'batch-delete': () => batchDeleteBodySchema(limit),
  };
  check(`${call.path}:${limit}`, schemas[call.path], call.body);
  if (call.path === 'batch-update') {
    const problem = checkBatchUpdateRequest(call.body);
    if (problem) throw usageError(`the request would be refused: ${problem}`);
  }
}

export function checkCreatePoolBody(body: unknown): void {
  check('CreatePool', () => CreatePoolBodySchema, body);
}

export function checkPatchPoolBody(body: unknown): void {
  check('PatchPool', () => PatchPoolBodySchema, body);
}
