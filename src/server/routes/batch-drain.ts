import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { batchDrainBodySchema, EmptyObjectSchema, MAX_DRAIN_NODES } from '../../schemas/batch-drain.js';
import { PoolParams } from '../../schemas/common.js';
import type { NodeBatchService } from '../../service/node-batches.js';
import { errors } from '../../errors/catalogue.js';
import { errorResponses, OPERATION_ID_HEADER, withExamples } from '../openapi.js';
import { DENIED_OR_NO_POOL, EXAMPLE_NAMES, LIFECYCLE_TAG, ORDER, RECORD } from './batch-docs.js';
import { callerOf } from './caller.js';

/** BatchDrainPoolNodes. */
export function batchDrainRoutes(batches: NodeBatchService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v2/:project_id/pools/:pool_name/nodes/batch-drain',
      {
        config: { operation: 'BatchDrainPoolNodes', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'BatchDrainPoolNodes',
          tags: [LIFECYCLE_TAG],
          summary: 'Drain nodes',
          description: `Drains up to ${MAX_DRAIN_NODES} nodes: no new work lands (NoSchedule taint) and running work drains to zero. ${RECORD} ${ORDER}`,
          params: PoolParams,
          body: withExamples(batchDrainBodySchema(), [{ nodeNames: EXAMPLE_NAMES }]),
          response: {
            200: withExamples(EmptyObjectSchema, [{}], { description: 'The drain started.', headers: OPERATION_ID_HEADER }),
            ...errorResponses({ 400: [errors.badRequest(`nodeNames must NOT have more than ${MAX_DRAIN_NODES} items`)], ...DENIED_OR_NO_POOL }),
          },
        },
      },
      async (request, reply) => {
        const pool = { projectId: request.params.project_id, name: request.params.pool_name };
        const outcome = await batches.drain(pool, request.body.nodeNames, callerOf(request), request.id);
        reply.header('X-Operation-Id', outcome.operationId);
        return {};
      },
    );
  };
}
