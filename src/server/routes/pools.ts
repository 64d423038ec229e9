import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PoolParams, ProjectParams } from '../../schemas/common.js';
import { examplePool } from '../../schemas/examples.js';
import { CreatePoolBodySchema, ListPoolsQuerySchema, PatchPoolBodySchema, PoolListSchema, PoolSchema, type CreatePoolBody, type PatchPoolBody } from '../../schemas/pool.js';
import type { PoolService } from '../../service/pools.js';
import { errors } from '../../errors/catalogue.js';
import { denied, errorResponses, OPERATION_ID_HEADER, withExamples } from '../openapi.js';
import { callerOf } from './caller.js';

const TAG = 'Pools';
const poolNotFound = { 404: [errors.poolNotFound()] };

const createExample: CreatePoolBody = {
  apiVersion: 'v2',
  kind: 'Pool',
  metadata: { labels: { 'os.modelarts/name': 'train-a', 'os.modelarts/node.prefix': 'gpu' }, annotations: { 'os.modelarts/description': 'Training pool' } },
  spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'network-default' }, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 2 }] },
};
const patchExamples: PatchPoolBody[] = [
  { spec: { resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 10 }] } },
  { metadata: { labels: { team: 'vision' }, annotations: { 'os.modelarts/description': null } } },
  { spec: { driver: { gpuVersion: '550.54.15', updateStrategy: 'idle' } } },
];
const creatingPool = { ...examplePool, metadata: { ...examplePool.metadata, name: `train-a-${examplePool.metadata.labels['os.modelarts/tenant.project.id']}` }, status: { ...examplePool.status, phase: 'Creating' } };

export function poolRoutes(pools: PoolService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v2/:project_id/pools',
      {
        config: { operation: 'ListPools', action: 'modelarts:pool:list' },
        schema: {
          operationId: 'ListPools',
          tags: [TAG],
          summary: 'List pools',
          description: 'The project’s pools, optionally filtered by label selector (`k=v`, `k!=v`, `k`, `!k`; comma means and), creation status or workspace.',
          params: ProjectParams,
          querystring: ListPoolsQuerySchema,
          response: {
            200: withExamples(PoolListSchema, [{ apiVersion: 'v2', kind: 'PoolList', metadata: {}, items: [examplePool] }], { description: 'The pools.' }),
            ...errorResponses({ 400: [errors.badRequest('querystring.status must be one of "created", "creating", "failed"')], 403: denied('modelarts:pool:list') }),
          },
        },
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
        schema: {
          operationId: 'CreatePool',
          tags: [TAG],
          summary: 'Create a pool',
          description:
            'Creates a pool with the given flavors and counts. Its id is `<os.modelarts/name>-<project_id>`; it is `Creating` until its nodes are ' +
            'created (`POOLKEEPER_SIM_NODE_CREATE_SECONDS`), then `Running`.',
          params: ProjectParams,
          body: withExamples(CreatePoolBodySchema, [createExample]),
          response: {
            200: withExamples(PoolSchema, [creatingPool], { description: 'The new pool.' }),
            ...errorResponses({
              400: [errors.badRequest('metadata.labels.os.modelarts/name must match pattern "^[a-z][a-z0-9-]{3,24}$"')],
              403: denied('modelarts:pool:create'),
              409: [errors.poolExists()],
            }),
          },
        },
      },
      async (request) => pools.create(request.params.project_id, request.body, callerOf(request)),
    );

    app.get(
      '/v2/:project_id/pools/:pool_name',
      {
        config: { operation: 'ShowPool', action: 'modelarts:pool:get' },
        schema: {
          operationId: 'ShowPool',
          tags: [TAG],
          summary: 'Show a pool',
          description: 'One pool with its spec and status: phase, node counts by flavor and phase, driver state.',
          params: PoolParams,
          response: {
            200: withExamples(PoolSchema, [examplePool], { description: 'The pool.' }),
            ...errorResponses({ 400: [errors.badRequest('params.pool_name must match pattern "^[a-z][a-z0-9-]{34,61}[a-z0-9]$"')], 403: denied('modelarts:pool:get'), ...poolNotFound }),
          },
        },
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
          summary: 'Update a pool',
          description:
            'JSON merge patch (application/merge-patch+json; application/json is accepted too): `null` removes a label or annotation. ' +
            'Changing spec.resources scales the pool; spec.driver schedules driver upgrades of its GPU or NPU nodes (then the answer carries X-Operation-Id).',
          params: PoolParams,
          body: withExamples(PatchPoolBodySchema, patchExamples),
          response: {
            200: withExamples(PoolSchema, [examplePool], { description: 'The patched pool.', headers: OPERATION_ID_HEADER }),
            ...errorResponses({ 400: [errors.badRequest('spec.resources[0].count must be >= 1')], 403: denied('modelarts:pool:update'), ...poolNotFound }),
          },
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
        schema: {
          operationId: 'DeletePool',
          tags: [TAG],
          summary: 'Delete a pool',
          description: 'The pool and its nodes go `Deleting` and disappear after `POOLKEEPER_SIM_NODE_DELETE_SECONDS`.',
          params: PoolParams,
          response: {
            200: withExamples(PoolSchema, [{ ...examplePool, metadata: { ...examplePool.metadata, deletionTimestamp: '2026-12-03T15:00:00Z' }, status: { ...examplePool.status, phase: 'Deleting' } }], {
              description: 'The pool, now Deleting.',
            }),
            ...errorResponses({ 400: [errors.badRequest('params.pool_name must match pattern "^[a-z][a-z0-9-]{34,61}[a-z0-9]$"')], 403: denied('modelarts:pool:delete'), ...poolNotFound }),
          },
        },
      },
      async (request) => pools.delete(request.params.project_id, request.params.pool_name, callerOf(request)),
    );
  };
}

