import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EXAMPLE_NODE_NAMES, EXAMPLE_OPERATION_ID, EXAMPLE_POOL_NAME, EXAMPLE_PROJECT_ID, EXAMPLE_REQUEST_ID, EXAMPLE_TIME } from '../../schemas/example-ids.js';
import { OperationParams, OperationSchema } from '../../schemas/operation.js';
import type { NodeService } from '../../service/nodes.js';
import { errors, nodeLocked } from '../../errors/catalogue.js';
import { denied, errorResponses, EXTENSION, withExamples } from '../openapi.js';

const lockedNode = nodeLocked(EXAMPLE_NODE_NAMES[1], ['delete']);
const operationExample = {
  id: EXAMPLE_OPERATION_ID,
  operation: 'BatchUpdatePoolNodes',
  action: 'openHaRedundant',
  projectId: EXAMPLE_PROJECT_ID,
  poolName: EXAMPLE_POOL_NAME,
  principal: 'admin@poolkeeper',
  requestId: EXAMPLE_REQUEST_ID,
  creationTimestamp: EXAMPLE_TIME,
  successCount: 1,
  failCount: 1,
  nodes: [
    { name: EXAMPLE_NODE_NAMES[0], status: 'success' },
    { name: EXAMPLE_NODE_NAMES[1], status: 'failed', errorCode: lockedNode.code, errorMsg: lockedNode.message },
  ],
};

/** ShowOperation: a batch call's record, poolkeeper's own endpoint outside the ModelArts namespace. */
export function operationRoutes(nodes: NodeService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/_poolkeeper/v1/:project_id/operations/:operation_id',
      {
        config: { operation: 'ShowOperation', action: 'modelarts:pool:get' },
        schema: {
          operationId: 'ShowOperation',
          tags: ['Operations'],
          ...EXTENSION,
          summary: 'Show a batch call’s record',
          description:
            'The record of one batch call (the X-Operation-Id of its answer): who, what, when, and each node’s result with its failure code and reason; ' +
            'for driver upgrades and reboots also how the node’s asynchronous work ended (`completion`).',
          params: OperationParams,
          response: {
            200: withExamples(OperationSchema, [operationExample], { description: 'The operation record.' }),
            ...errorResponses({
              400: [errors.badRequest('params.operation_id must match pattern "^[0-9a-f-]{36}$"')],
              403: denied('modelarts:pool:get'),
              404: [errors.notFound('Operation', EXAMPLE_OPERATION_ID)],
            }),
          },
        },
      },
      async (request) => nodes.operation(request.params.project_id, request.params.operation_id),
    );
  };
}
