import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { batchUpdateBodySchema, BatchUpdateResponseSchema } from '../../schemas/batch-update.js';
import { PoolParams } from '../../schemas/common.js';
import { EXAMPLE_NODE_NAME, EXAMPLE_NODE_NAMES } from '../../schemas/example-ids.js';
import { exampleBatchUpdates } from '../../schemas/examples.js';
import type { NodeBatchService } from '../../service/node-batches.js';
import { errors } from '../../errors/catalogue.js';
import { denied, errorResponses, OPERATION_ID_HEADER, withExamples } from '../openapi.js';
import { ORDER } from './batch-docs.js';
import { callerOf } from './caller.js';

/** BatchUpdatePoolNodes. */
export function batchUpdateRoutes(batches: NodeBatchService, maxBatchNodes: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v2/:project_id/pools/:pool_name/nodes/batch-update',
      {
        config: { operation: 'BatchUpdatePoolNodes', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'BatchUpdatePoolNodes',
          tags: ['Nodes'],
          summary: 'Update nodes in batch',
          description:
            'Updates each named node independently: `openHaRedundant` / `closeHaRedundant` (HA label and taint, effect NoSchedule or NoExecute), ' +
            '`createTags` / `deleteTags`, and optionally a `driver` upgrade. Per-node failures land in failNodeNames, with their reasons in the ' +
            `operation record named by the X-Operation-Id header. ${ORDER}`,
          params: PoolParams,
          body: withExamples(batchUpdateBodySchema(maxBatchNodes), exampleBatchUpdates),
          response: {
            200: withExamples(
              BatchUpdateResponseSchema,
              [
                { successNodeNames: [...EXAMPLE_NODE_NAMES], failNodeNames: [] },
                { successNodeNames: [EXAMPLE_NODE_NAME], failNodeNames: ['os-node-created-gone1'] },
              ],
              { description: 'Which nodes were updated and which failed, in request order.', headers: OPERATION_ID_HEADER },
            ),
            ...errorResponses({
              400: [errors.badRequest('action must be one of "openHaRedundant", "closeHaRedundant", "createTags", "deleteTags"'), errors.badRequest('nodeNames is required')],
              403: denied('modelarts:pool:update'),
              404: [errors.poolNotFound()],
            }),
          },
        },
      },
      async (request, reply) => {
        const pool = { projectId: request.params.project_id, name: request.params.pool_name };
        const { decisions, operationId } = await batches.update(pool, request.body, callerOf(request), request.id);
        reply.header('X-Operation-Id', operationId);
        const successNodeNames: string[] = [];
        const failNodeNames: string[] = [];
        for (const d of decisions) (d.ok ? successNodeNames : failNodeNames).push(d.name);
        return { successNodeNames, failNodeNames };
      },
    );
  };
}
