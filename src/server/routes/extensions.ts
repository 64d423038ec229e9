import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, NodeParams } from '../../schemas/common.js';
import { NodeSchema, SetNodePhaseBodySchema } from '../../schemas/node.js';
import { OperationParams, OperationSchema } from '../../schemas/operation.js';
import type { NodeService } from '../../service/nodes.js';
import type { PoolService } from '../../service/pools.js';
import { callerOf } from './caller.js';

const TAG = 'poolkeeper extensions';

/** poolkeeper's own endpoints, outside the ModelArts namespace. */
export function extensionRoutes(pools: PoolService, nodes: NodeService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/_poolkeeper/v1/:project_id/operations/:operation_id',
      {
        config: { operation: 'ShowOperation', action: 'modelarts:pool:get' },
        schema: {
          operationId: 'ShowOperation',
          tags: [TAG],
          description: 'The record of one batch call: who, what, when, and each node’s result with its failure reason.',
          params: OperationParams,
          response: { 200: OperationSchema, ...errorResponses },
        },
      },
      async (request) => nodes.operation(request.params.project_id, request.params.operation_id),
    );

    app.put(
      '/_poolkeeper/v1/:project_id/pools/:pool_name/nodes/:node_name/phase',
      {
        config: { operation: 'SetSimulatedNodePhase', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'SetSimulatedNodePhase',
          tags: [TAG],
          description: 'Simulation control: sets a simulated node’s phase to exercise failure paths.',
          params: NodeParams,
          body: SetNodePhaseBodySchema,
          response: { 200: NodeSchema, ...errorResponses },
        },
      },
      async (request) => {
        const pool = await pools.require(request.params.project_id, request.params.pool_name);
        return nodes.setPhase(pool, request.params.node_name, request.body.phase, callerOf(request));
      },
    );
  };
}
