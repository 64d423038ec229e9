import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NodeParams, ProjectParams } from '../../schemas/common.js';
import { EXAMPLE_NODE_NAME, EXAMPLE_NODE_NAMES, EXAMPLE_OPERATION_ID, EXAMPLE_POOL_NAME, EXAMPLE_PROJECT_ID, EXAMPLE_REQUEST_ID, EXAMPLE_TIME } from '../../schemas/example-ids.js';
import { exampleNode } from '../../schemas/examples.js';
import { NodeSchema, SetNodePhaseBodySchema } from '../../schemas/node.js';
import { OPERATION_KINDS } from '../../schemas/operation-kinds.js';
import { ListOperationsQuerySchema, OperationListSchema, OperationParams, OperationSchema, type OperationSummary } from '../../schemas/operation.js';
import type { NodeService } from '../../service/nodes.js';
import type { OperationService } from '../../service/operations.js';
import type { PoolService } from '../../service/pools.js';
import { errors, nodeLocked } from '../../errors/catalogue.js';
import { denied, errorResponses, EXTENSION, withExamples } from '../openapi.js';
import { callerOf } from './caller.js';

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

const operationSummaryExample: OperationSummary = {
  id: EXAMPLE_OPERATION_ID,
  operation: 'BatchUpdatePoolNodes',
  action: 'closeHaRedundant',
  projectId: EXAMPLE_PROJECT_ID,
  poolName: EXAMPLE_POOL_NAME,
  principal: 'admin@poolkeeper',
  requestId: EXAMPLE_REQUEST_ID,
  creationTimestamp: EXAMPLE_TIME,
  successCount: 8,
  failCount: 1,
  completion: { succeeded: 5, failed: 2, pending: 2 },
};

/** poolkeeper's own endpoints, outside the ModelArts namespace. */
export function extensionRoutes(pools: PoolService, nodes: NodeService, operations: OperationService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/_poolkeeper/v1/:project_id/operations',
      {
        config: { operation: 'ListOperations', action: 'modelarts:pool:get' },
        schema: {
          operationId: 'ListOperations',
          tags: ['Operations'],
          ...EXTENSION,
          summary: 'List the project’s operation records',
          description:
            'The project’s batch-call records, newest first, each with where its nodes stand (`completion`), so a list can show progress without ' +
            'reading every record. Pages: `limit` 1–500 (0 or absent: 50); while older records may remain, `metadata.continue` is the token for the next ' +
            'page. Filters: `pool` (a pool id), `kind` (the operation), `node` (records that name the node, with `pool`). `kind` and `node` are applied ' +
            'to at most 500 records per call (newest first), so such a page may hold fewer records than asked, even none, and still carry a `continue`.',
          params: ProjectParams,
          querystring: ListOperationsQuerySchema,
          response: {
            200: withExamples(
              OperationListSchema,
              [
                { kind: 'OperationList', metadata: { continue: 'eyJiIjoiMDFhMjNjM2MtYWYyZS03NTg5LWE0MWQtYTJjMzIxMjQwNWY1IiwicCI6bnVsbCwiayI6bnVsbCwibiI6bnVsbH0' }, items: [operationSummaryExample] },
                {
                  kind: 'OperationList',
                  metadata: {},
                  items: [{ ...operationSummaryExample, operation: 'BatchDrainPoolNodes', action: null, successCount: 2, failCount: 0, completion: null }],
                },
              ],
              { description: 'One page of operation records, newest first.' },
            ),
            ...errorResponses({
              400: [errors.badRequest(`querystring.kind must be one of ${OPERATION_KINDS.map((k) => JSON.stringify(k)).join(', ')}`), errors.badRequest('node needs pool as well: node names are unique only within a pool')],
              403: denied('modelarts:pool:get'),
            }),
          },
        },
      },
      async (request) => {
        const page = await operations.list(request.params.project_id, request.query);
        return { kind: 'OperationList' as const, metadata: page.continueToken ? { continue: page.continueToken } : {}, items: page.items };
      },
    );

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

    app.put(
      '/_poolkeeper/v1/:project_id/pools/:pool_name/nodes/:node_name/phase',
      {
        config: { operation: 'SetSimulatedNodePhase', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'SetSimulatedNodePhase',
          tags: ['Simulation'],
          ...EXTENSION,
          summary: 'Set a simulated node’s phase',
          description: 'Simulation control: sets a simulated node’s phase (Abnormal, Checking, Available) to exercise failure paths.',
          params: NodeParams,
          body: withExamples(SetNodePhaseBodySchema, [{ phase: 'Abnormal' }]),
          response: {
            200: withExamples(NodeSchema, [{ ...exampleNode, status: { ...exampleNode.status, phase: 'Abnormal' } }], { description: 'The node.' }),
            ...errorResponses({
              400: [errors.badRequest('phase must be one of "Abnormal", "Checking", "Available"')],
              403: denied('modelarts:pool:update'),
              404: [errors.poolNotFound(), errors.notFound('Node', EXAMPLE_NODE_NAME)],
            }),
          },
        },
      },
      async (request) => {
        const pool = await pools.require(request.params.project_id, request.params.pool_name);
        return nodes.setPhase(pool, request.params.node_name, request.body.phase, callerOf(request));
      },
    );
  };
}
