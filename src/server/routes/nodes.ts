import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { batchUpdateBodySchema, BatchUpdateResponseSchema } from '../../schemas/batch-update.js';
import { NodeParams, PoolParams } from '../../schemas/common.js';
import { EXAMPLE_NODE_NAME, EXAMPLE_NODE_NAMES } from '../../schemas/example-ids.js';
import { exampleBatchUpdates, exampleNode } from '../../schemas/examples.js';
import { ListNodesQuerySchema, NodeListSchema, NodeSchema } from '../../schemas/node.js';
import type { NodeService } from '../../service/nodes.js';
import type { PoolService } from '../../service/pools.js';
import { errors } from '../../errors/catalogue.js';
import { denied, errorResponses, OPERATION_ID_HEADER, withExamples } from '../openapi.js';
import { callerOf } from './caller.js';

const TAG = 'Nodes';

export function nodeRoutes(pools: PoolService, nodes: NodeService, maxBatchNodes: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v2/:project_id/pools/:pool_name/nodes',
      {
        config: { operation: 'ListPoolNodes', action: 'modelarts:pool:get' },
        schema: {
          operationId: 'ListPoolNodes',
          tags: [TAG],
          summary: 'List the nodes of a pool',
          description:
            'Pages by node name: `limit` 1–500 (0 or absent: 500). While more pages remain, `metadata.continue` is the token for the next page and ' +
            '`metadata.remainingItemCount` how many nodes follow.',
          params: PoolParams,
          querystring: ListNodesQuerySchema,
          response: {
            200: withExamples(NodeListSchema, [{ apiVersion: 'v2', kind: 'NodeList', metadata: { continue: 'eyJhIjoib3Mtbm9kZS1jcmVhdGVkLTNtbGVrIn0', remainingItemCount: 7 }, items: [exampleNode] }], {
              description: 'One page of nodes.',
            }),
            ...errorResponses({ 400: [errors.badRequest('the continue token is not valid')], 403: denied('modelarts:pool:get'), 404: [errors.poolNotFound()] }),
          },
        },
      },
      async (request) => {
        const pool = await pools.require(request.params.project_id, request.params.pool_name);
        const page = await nodes.list(pool, request.query, callerOf(request));
        return {
          apiVersion: 'v2' as const,
          kind: 'NodeList' as const,
          metadata: page.continueToken ? { continue: page.continueToken, remainingItemCount: page.remainingItemCount } : {},
          items: page.items,
        };
      },
    );

    app.get(
      '/v2/:project_id/pools/:pool_name/nodes/:node_name',
      {
        config: { operation: 'ShowPoolNode', action: 'modelarts:pool:get' },
        schema: {
          operationId: 'ShowPoolNode',
          tags: [TAG],
          summary: 'Show a node',
          description: 'One node: labels, annotations (tags, locks, drain), phase, resources, taints and driver.',
          params: NodeParams,
          response: {
            200: withExamples(NodeSchema, [exampleNode], { description: 'The node.' }),
            ...errorResponses({
              400: [errors.badRequest('params.node_name must match pattern "^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$"')],
              403: denied('modelarts:pool:get'),
              404: [errors.poolNotFound(), errors.notFound('Node', EXAMPLE_NODE_NAME)],
            }),
          },
        },
      },
      async (request) => {
        const pool = await pools.require(request.params.project_id, request.params.pool_name);
        return nodes.show(pool, request.params.node_name, callerOf(request));
      },
    );

    app.post(
      '/v2/:project_id/pools/:pool_name/nodes/batch-update',
      {
        config: { operation: 'BatchUpdatePoolNodes', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'BatchUpdatePoolNodes',
          tags: [TAG],
          summary: 'Update nodes in batch',
          description:
            'Updates each named node independently: `openHaRedundant` / `closeHaRedundant` (HA label and taint, effect NoSchedule or NoExecute), ' +
            '`createTags` / `deleteTags`, and optionally a `driver` upgrade. Whole-request problems answer 400/404 with nothing written; ' +
            'per-node failures land in failNodeNames, with their reasons in the operation record named by the X-Operation-Id header.',
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
        const result = await nodes.batchUpdate(pool, request.body, callerOf(request), request.id);
        reply.header('X-Operation-Id', result.operationId);
        return { successNodeNames: result.successNodeNames, failNodeNames: result.failNodeNames };
      },
    );
  };
}
