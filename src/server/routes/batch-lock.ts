import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { batchLockBodySchema, BatchLockResponseSchema } from '../../schemas/batch-lock.js';
import { PoolParams } from '../../schemas/common.js';
import type { NodeBatchService } from '../../service/node-batches.js';
import { errors } from '../../errors/catalogue.js';
import { errorResponses, OPERATION_ID_HEADER, withExamples } from '../openapi.js';
import { BAD_NAMES, DENIED_OR_NO_POOL, EXAMPLE_NAMES, LIFECYCLE_TAG, ORDER, RECORD } from './batch-docs.js';
import { callerOf } from './caller.js';

/** BatchLockPoolNodes and BatchUnlockPoolNodes. */
export function batchLockRoutes(batches: NodeBatchService, maxBatchNodes: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const [path, operation, unlock] of [
      ['batch-lock', 'BatchLockPoolNodes', false],
      ['batch-unlock', 'BatchUnlockPoolNodes', true],
    ] as const) {
      app.post(
        `/v2/:project_id/pools/:pool_name/nodes/${path}`,
        {
          config: { operation, action: 'modelarts:pool:update' },
          schema: {
            operationId: operation,
            tags: [LIFECYCLE_TAG],
            summary: unlock ? 'Unlock nodes' : 'Lock nodes',
            description: `${unlock ? 'Unlocks' : 'Locks'} the actions (only "delete") on each node independently. ${RECORD} ${ORDER}`,
            params: PoolParams,
            body: withExamples(batchLockBodySchema(maxBatchNodes), [{ nodeNames: EXAMPLE_NAMES, actions: ['delete'] }]),
            response: {
              200: withExamples(BatchLockResponseSchema, [{ nodes: EXAMPLE_NAMES.map((name) => ({ name, status: 'success' })) }], {
                description: 'Each node’s outcome, in request order.',
                headers: OPERATION_ID_HEADER,
              }),
              ...errorResponses({ 400: [errors.badRequest('actions[0] must be one of "delete"'), BAD_NAMES('nodeNames')], ...DENIED_OR_NO_POOL }),
            },
          },
        },
        async (request, reply) => {
          const pool = { projectId: request.params.project_id, name: request.params.pool_name };
          const outcome = await batches.lock(pool, request.body, callerOf(request), request.id, unlock);
          reply.header('X-Operation-Id', outcome.operationId);
          return { nodes: outcome.decisions.map((d) => ({ name: d.name, status: d.ok ? ('success' as const) : ('failed' as const) })) };
        },
      );
    }
  };
}
