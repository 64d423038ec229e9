import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PoolParams } from '../../schemas/common.js';
import { EXAMPLE_NODE_NAME, EXAMPLE_NODE_NAMES } from '../../schemas/example-ids.js';
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
import { errors } from '../../errors/catalogue.js';
import { denied, errorResponses, OPERATION_ID_HEADER, withExamples } from '../openapi.js';
import { callerOf } from './caller.js';

const TAG = 'Node lifecycle';
const names = [...EXAMPLE_NODE_NAMES];
const notFound = { 403: denied('modelarts:pool:update'), 404: [errors.poolNotFound()] };
const badNames = errors.badRequest('nodeNames[1]: "Node_2" is not a valid node name');
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
          summary: 'Delete nodes',
          description:
            'Deletes the nodes (Deleting, then gone). All or nothing: unknown or delete-locked nodes, or emptying the pool, answer 400 and change nothing. ' +
            'The answer has no body; the operation record is named by X-Operation-Id.',
          params: PoolParams,
          body: withExamples(batchDeleteBodySchema(maxBatchNodes), [{ deleteNodeNames: [EXAMPLE_NODE_NAME] }]),
          response: {
            200: { ...EmptyBodySchema, description: 'The nodes are being deleted (empty body).', headers: OPERATION_ID_HEADER },
            ...errorResponses({ 400: [errors.badRequest(`the node ${EXAMPLE_NODE_NAME} is locked against delete`), badNames], ...notFound }),
          },
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
            summary: unlock ? 'Unlock nodes' : 'Lock nodes',
            description: `${unlock ? 'Unlocks' : 'Locks'} the actions (only "delete") on each node independently. ${RECORD}`,
            params: PoolParams,
            body: withExamples(batchLockBodySchema(maxBatchNodes), [{ nodeNames: names, actions: ['delete'] }]),
            response: {
              200: withExamples(BatchLockResponseSchema, [{ nodes: names.map((name) => ({ name, status: 'success' })) }], {
                description: 'Each node’s outcome, in request order.',
                headers: OPERATION_ID_HEADER,
              }),
              ...errorResponses({ 400: [errors.badRequest('actions[0] must be one of "delete"'), badNames], ...notFound }),
            },
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
          summary: 'Reboot nodes',
          description: `Reboots each Available node (Checking, then Available again); the answer lists the nodes that reboot. ${RECORD}`,
          params: PoolParams,
          body: withExamples(batchNodeNamesBodySchema(maxBatchNodes, 'reboot'), [{ nodeNames: names }]),
          response: {
            200: withExamples(BatchRebootResponseSchema, [{ nodeNames: names }], { description: 'The nodes that reboot.', headers: OPERATION_ID_HEADER }),
            ...errorResponses({ 400: [badNames], ...notFound }),
          },
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
          summary: 'Drain nodes',
          description: `Drains up to ${MAX_DRAIN_NODES} nodes: no new work lands (NoSchedule taint) and running work drains to zero. ${RECORD}`,
          params: PoolParams,
          body: withExamples(batchNodeNamesBodySchema(MAX_DRAIN_NODES, 'drain'), [{ nodeNames: names }]),
          response: {
            200: withExamples(EmptyObjectSchema, [{}], { description: 'The drain started.', headers: OPERATION_ID_HEADER }),
            ...errorResponses({ 400: [errors.badRequest(`nodeNames must NOT have more than ${MAX_DRAIN_NODES} items`)], ...notFound }),
          },
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
