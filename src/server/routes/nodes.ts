import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { batchUpdateBodySchema, BatchUpdateResponseSchema } from '../../schemas/batch-update.js';
import { errorResponses, NodeParams, PoolParams } from '../../schemas/common.js';
import { ListNodesQuerySchema, NodeListSchema, NodeSchema } from '../../schemas/node.js';
import type { NodeService } from '../../service/nodes.js';
import type { PoolService } from '../../service/pools.js';
import { callerOf } from './caller.js';

const TAG = 'Nodes';

export function nodeRoutes(pools: PoolService, nodes: NodeService, maxBatchNodes: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v2/:project_id/pools/:pool_name/nodes',
      {
        config: { operation: 'ListPoolNodes', action: 'modelarts:pool:get' },
        schema: { operationId: 'ListPoolNodes', tags: [TAG], params: PoolParams, querystring: ListNodesQuerySchema, response: { 200: NodeListSchema, ...errorResponses } },
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
        schema: { operationId: 'ShowPoolNode', tags: [TAG], params: NodeParams, response: { 200: NodeSchema, ...errorResponses } },
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
          description:
            'Updates each named node independently. Whole-request problems answer 400/404 with nothing written; per-node failures ' +
            'land in failNodeNames, with their reasons in the operation record named by the X-Operation-Id header.',
          params: PoolParams,
          body: batchUpdateBodySchema(maxBatchNodes),
          response: { 200: BatchUpdateResponseSchema, ...errorResponses },
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
