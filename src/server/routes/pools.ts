import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, PoolParams, ProjectParams } from '../../schemas/common.js';
import { CreatePoolBodySchema, ListPoolsQuerySchema, PatchPoolBodySchema, PoolListSchema, PoolSchema } from '../../schemas/pool.js';
import type { PoolService } from '../../service/pools.js';
import { callerOf } from './caller.js';

const TAG = 'Pools';

export function poolRoutes(pools: PoolService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v2/:project_id/pools',
      {
        config: { operation: 'ListPools', action: 'modelarts:pool:list' },
        schema: { operationId: 'ListPools', tags: [TAG], params: ProjectParams, querystring: ListPoolsQuerySchema, response: { 200: PoolListSchema, ...errorResponses } },
      },
      async (request) => ({
        apiVersion: 'v2' as const,
        kind: 'PoolList' as const,
        metadata: {},
        items: await pools.list(request.params.project_id, request.query, callerOf(request)),
      }),
    );

    app.post(
      '/v2/:project_id/pools',
      {
        config: { operation: 'CreatePool', action: 'modelarts:pool:create' },
        schema: { operationId: 'CreatePool', tags: [TAG], params: ProjectParams, body: CreatePoolBodySchema, response: { 200: PoolSchema, ...errorResponses } },
      },
      async (request) => pools.create(request.params.project_id, request.body, callerOf(request)),
    );

    app.get(
      '/v2/:project_id/pools/:pool_name',
      {
        config: { operation: 'ShowPool', action: 'modelarts:pool:get' },
        schema: { operationId: 'ShowPool', tags: [TAG], params: PoolParams, response: { 200: PoolSchema, ...errorResponses } },
      },
      async (request) => pools.render(await pools.require(request.params.project_id, request.params.pool_name), callerOf(request)),
    );

    app.patch(
      '/v2/:project_id/pools/:pool_name',
      {
        config: { operation: 'PatchPool', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'PatchPool',
          tags: [TAG],
          description: 'JSON merge patch (application/merge-patch+json; application/json is accepted too). Changing spec.resources scales the pool.',
          params: PoolParams,
          body: PatchPoolBodySchema,
          response: { 200: PoolSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { pool, operationId } = await pools.patch(request.params.project_id, request.params.pool_name, request.body, callerOf(request), request.id);
        if (operationId !== null) reply.header('X-Operation-Id', operationId);
        return pool;
      },
    );

    app.delete(
      '/v2/:project_id/pools/:pool_name',
      {
        config: { operation: 'DeletePool', action: 'modelarts:pool:delete' },
        schema: { operationId: 'DeletePool', tags: [TAG], params: PoolParams, response: { 200: PoolSchema, ...errorResponses } },
      },
      async (request) => pools.delete(request.params.project_id, request.params.pool_name, callerOf(request)),
    );
  };
}
