import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NODE_NAME_PATTERN, NodeParams, PoolParams } from '../../schemas/common.js';
import { EXAMPLE_NODE_NAME } from '../../schemas/example-ids.js';
import { exampleNode } from '../../schemas/examples.js';
import { ListNodesQuerySchema, NodeListSchema, NodeSchema } from '../../schemas/node.js';
import type { NodeService } from '../../service/nodes.js';
import type { PoolService } from '../../service/pools.js';
import { errors } from '../../errors/catalogue.js';
import { denied, errorResponses, withExamples } from '../openapi.js';
import { callerOf } from './caller.js';

const TAG = 'Nodes';

/** ListPoolNodes and ShowPoolNode. */
export function nodeRoutes(pools: PoolService, nodes: NodeService): FastifyPluginAsyncTypebox {
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
        const pool = { projectId: request.params.project_id, name: request.params.pool_name };
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
              400: [errors.badRequest(`params.node_name must match pattern "${NODE_NAME_PATTERN}"`)],
              403: denied('modelarts:pool:get'),
              404: [errors.poolNotFound(), errors.notFound('Node', EXAMPLE_NODE_NAME)],
            }),
          },
        },
      },
      async (request) => {
        return nodes.show({ projectId: request.params.project_id, name: request.params.pool_name }, request.params.node_name, callerOf(request));
      },
    );
  };
}
