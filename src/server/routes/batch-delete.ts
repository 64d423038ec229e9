import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { batchDeleteBodySchema, EmptyBodySchema } from '../../schemas/batch-delete.js';
import { PoolParams } from '../../schemas/common.js';
import { EXAMPLE_NODE_NAME } from '../../schemas/example-ids.js';
import type { NodeBatchService } from '../../service/node-batches.js';
import { errors } from '../../errors/catalogue.js';
import { errorResponses, OPERATION_ID_HEADER, withExamples } from '../openapi.js';
import { BAD_NAMES, DENIED_OR_NO_POOL, LIFECYCLE_TAG, ORDER } from './batch-docs.js';
import { callerOf } from './caller.js';

/** BatchDeletePoolNodes. */
export function batchDeleteRoutes(batches: NodeBatchService, maxBatchNodes: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v2/:project_id/pools/:pool_name/nodes/batch-delete',
      {
        config: { operation: 'BatchDeletePoolNodes', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'BatchDeletePoolNodes',
          tags: [LIFECYCLE_TAG],
          summary: 'Delete nodes',
          description:
            'Deletes the nodes (Deleting, then gone). All or nothing: unknown or delete-locked nodes, or emptying the pool, answer 400 and change nothing. ' +
            `The answer has no body; the operation record is named by X-Operation-Id. ${ORDER}`,
          params: PoolParams,
          body: withExamples(batchDeleteBodySchema(maxBatchNodes), [{ deleteNodeNames: [EXAMPLE_NODE_NAME] }]),
          response: {
            200: { ...EmptyBodySchema, description: 'The nodes are being deleted (empty body).', headers: OPERATION_ID_HEADER },
            ...errorResponses({ 400: [errors.badRequest(`the node ${EXAMPLE_NODE_NAME} is locked against delete`), BAD_NAMES('deleteNodeNames')], ...DENIED_OR_NO_POOL }),
          },
        },
      },
      async (request, reply) => {
        const pool = { projectId: request.params.project_id, name: request.params.pool_name };
        const { operationId } = await batches.delete(pool, request.body.deleteNodeNames, callerOf(request), request.id);
        reply.header('X-Operation-Id', operationId);
        return reply.code(200).send(undefined);
      },
    );
  };
}
