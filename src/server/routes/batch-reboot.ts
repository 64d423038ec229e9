import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { batchRebootBodySchema, BatchRebootResponseSchema } from '../../schemas/batch-reboot.js';
import { PoolParams } from '../../schemas/common.js';
import type { NodeBatchService } from '../../service/node-batches.js';
import { errorResponses, OPERATION_ID_HEADER, withExamples } from '../openapi.js';
import { BAD_NAMES, DENIED_OR_NO_POOL, EXAMPLE_NAMES, LIFECYCLE_TAG, ORDER, RECORD } from './batch-docs.js';
import { callerOf } from './caller.js';

/** BatchRebootPoolNodes. */
export function batchRebootRoutes(batches: NodeBatchService, maxBatchNodes: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v2/:project_id/pools/:pool_name/nodes/batch-reboot',
      {
        config: { operation: 'BatchRebootPoolNodes', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'BatchRebootPoolNodes',
          tags: [LIFECYCLE_TAG],
          summary: 'Reboot nodes',
          description: `Reboots each Available node (Checking, then Available again); the answer lists the nodes that reboot. ${RECORD} ${ORDER}`,
          params: PoolParams,
          body: withExamples(batchRebootBodySchema(maxBatchNodes), [{ nodeNames: EXAMPLE_NAMES }]),
          response: {
            200: withExamples(BatchRebootResponseSchema, [{ nodeNames: EXAMPLE_NAMES }], { description: 'The nodes that reboot.', headers: OPERATION_ID_HEADER }),
            ...errorResponses({ 400: [BAD_NAMES('nodeNames')], ...DENIED_OR_NO_POOL }),
          },
        },
      },
      async (request, reply) => {
        const pool = { projectId: request.params.project_id, name: request.params.pool_name };
        const outcome = await batches.reboot(pool, request.body.nodeNames, callerOf(request), request.id);
        reply.header('X-Operation-Id', outcome.operationId);
        return { nodeNames: outcome.decisions.flatMap((d) => (d.ok ? [d.name] : [])) };
      },
    );
  };
}
