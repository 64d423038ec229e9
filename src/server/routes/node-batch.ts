import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, PoolParams } from '../../schemas/common.js';
import {
  batchDeleteBodySchema,
  batchLockBodySchema,
  BatchLockResponseSchema,
  batchNodeNamesBodySchema,
  BatchRebootResponseSchema,
  EmptyBodySchema,
  EmptyObjectSchema,
  MAX_DRAIN_NODES,
} from '../../schemas/node-batch.js';
import type { LifecycleService } from '../../service/lifecycle.js';
import type { PoolService } from '../../service/pools.js';
import { callerOf } from './caller.js';

const TAG = 'Nodes';
const RECORD = 'Per-node results and reasons are in the operation record named by the X-Operation-Id header.';

/** BatchDelete/Lock/Unlock/Reboot/DrainPoolNodes. */
export function nodeBatchRoutes(pools: PoolService, lifecycle: LifecycleService, maxBatchNodes: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v2/:project_id/pools/:pool_name/nodes/batch-delete',
      {
        config: { operation: 'BatchDeletePoolNodes', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'BatchDeletePoolNodes',
          tags: [TAG],
          description: 'Deletes the nodes (Deleting, then gone). All or nothing: unknown or delete-locked nodes, or emptying the pool, answer 400 and change nothing.',
          params: PoolParams,
          body: batchDeleteBodySchema(maxBatchNodes),
          response: { 200: EmptyBodySchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const pool = await pools.require(request.params.project_id, request.params.pool_name);
        const { operationId } = await lifecycle.delete(pool, request.body.deleteNodeNames, callerOf(request), request.id);
        reply.header('X-Operation-Id', operationId);
        return reply.code(200).send(undefined);
      },
    );

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
            tags: [TAG],
            description: `${unlock ? 'Unlocks' : 'Locks'} the actions (only "delete") on each node independently. ${RECORD}`,
            params: PoolParams,
            body: batchLockBodySchema(maxBatchNodes),
            response: { 200: BatchLockResponseSchema, ...errorResponses },
          },
        },
        async (request, reply) => {
          const pool = await pools.require(request.params.project_id, request.params.pool_name);
          const outcome = await lifecycle.lock(pool, request.body, callerOf(request), request.id, unlock);
          reply.header('X-Operation-Id', outcome.operationId);
          return { nodes: outcome.decisions.map((d) => ({ name: d.name, status: d.ok ? ('success' as const) : ('failed' as const) })) };
        },
      );
    }

    app.post(
      '/v2/:project_id/pools/:pool_name/nodes/batch-reboot',
      {
        config: { operation: 'BatchRebootPoolNodes', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'BatchRebootPoolNodes',
          tags: [TAG],
          description: `Reboots each Available node (Checking, then Available again); the answer lists the nodes that reboot. ${RECORD}`,
          params: PoolParams,
          body: batchNodeNamesBodySchema(maxBatchNodes, 'reboot'),
          response: { 200: BatchRebootResponseSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const pool = await pools.require(request.params.project_id, request.params.pool_name);
        const outcome = await lifecycle.reboot(pool, request.body.nodeNames, callerOf(request), request.id);
        reply.header('X-Operation-Id', outcome.operationId);
        return { nodeNames: outcome.decisions.flatMap((d) => (d.ok ? [d.name] : [])) };
      },
    );

    app.post(
      '/v2/:project_id/pools/:pool_name/nodes/batch-drain',
      {
        config: { operation: 'BatchDrainPoolNodes', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'BatchDrainPoolNodes',
          tags: [TAG],
          description: `Drains up to ${MAX_DRAIN_NODES} nodes: no new work lands (NoSchedule taint) and running work drains to zero. ${RECORD}`,
          params: PoolParams,
          body: batchNodeNamesBodySchema(MAX_DRAIN_NODES, 'drain'),
          response: { 200: EmptyObjectSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const pool = await pools.require(request.params.project_id, request.params.pool_name);
        const outcome = await lifecycle.drain(pool, request.body.nodeNames, callerOf(request), request.id);
        reply.header('X-Operation-Id', outcome.operationId);
        return {};
      },
    );
  };
}
