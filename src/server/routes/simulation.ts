import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NodeParams, ProjectParams } from '../../schemas/common.js';
import { EXAMPLE_NODE_NAME, EXAMPLE_POOL_NAME } from '../../schemas/example-ids.js';
import { exampleFaultRule, exampleNode } from '../../schemas/examples.js';
import { FaultRuleBodySchema, FaultRuleListSchema, FaultRuleSchema, WorkloadBodySchema } from '../../schemas/node-batch.js';
import { NodeSchema } from '../../schemas/node.js';
import type { LifecycleService } from '../../service/lifecycle.js';
import type { PoolService } from '../../service/pools.js';
import { errors } from '../../errors/catalogue.js';
import { denied, errorResponses, EXTENSION, withExamples } from '../openapi.js';
import { callerOf } from './caller.js';

const TAG = 'Simulation';
const nodeNotFound = [errors.poolNotFound(), errors.notFound('Node', EXAMPLE_NODE_NAME)];

/** Simulation controls of the built-in node backend: simulated work and fault injection. */
export function simulationRoutes(pools: PoolService, lifecycle: LifecycleService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.put(
      '/_poolkeeper/v1/:project_id/pools/:pool_name/nodes/:node_name/workload',
      {
        config: { operation: 'SetSimulatedWorkload', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'SetSimulatedWorkload',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Set a simulated node’s running work',
          description: 'Simulation control: how many jobs a simulated node runs. Work cannot grow on a node that is not Available or carries a NoSchedule/NoExecute taint.',
          params: NodeParams,
          body: withExamples(WorkloadBodySchema, [{ runningJobs: 3 }, { runningJobs: 0 }]),
          response: {
            200: withExamples(NodeSchema, [exampleNode], { description: 'The node.' }),
            ...errorResponses({
              400: [errors.badRequest(`node ${EXAMPLE_NODE_NAME} has the taint os.modelarts.node/ha.redundant=true:NoExecute; its work cannot grow`)],
              403: denied('modelarts:pool:update'),
              404: nodeNotFound,
            }),
          },
        },
      },
      async (request) => {
        const pool = await pools.require(request.params.project_id, request.params.pool_name);
        return lifecycle.setWorkload(pool, request.params.node_name, request.body.runningJobs, callerOf(request));
      },
    );

    app.post(
      '/_poolkeeper/v1/:project_id/faults',
      {
        config: { operation: 'CreateFaultRule', action: 'modelarts:pool:update' },
        schema: {
          operationId: 'CreateFaultRule',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Inject a fault',
          description: 'Fault injection: the next `times` matching driver upgrades or reboots fail (decided when they are requested, oldest rule first).',
          params: ProjectParams,
          body: withExamples(FaultRuleBodySchema, [{ match: { pool: EXAMPLE_POOL_NAME, nodes: [EXAMPLE_NODE_NAME] }, fail: 'driverUpgrade', times: 1 }]),
          response: {
            200: withExamples(FaultRuleSchema, [exampleFaultRule], { description: 'The rule.' }),
            ...errorResponses({ 400: [errors.badRequest('fail must be one of "driverUpgrade", "reboot"')], 403: denied('modelarts:pool:update') }),
          },
        },
      },
      async (request) => lifecycle.createFault(request.params.project_id, request.body),
    );

    app.get(
      '/_poolkeeper/v1/:project_id/faults',
      {
        config: { operation: 'ListFaultRules', action: 'modelarts:pool:get' },
        schema: {
          operationId: 'ListFaultRules',
          tags: [TAG],
          ...EXTENSION,
          summary: 'List injected faults',
          description: 'The fault rules of the project that still have uses left.',
          params: ProjectParams,
          response: {
            200: withExamples(FaultRuleListSchema, [{ items: [exampleFaultRule] }], { description: 'The rules.' }),
            ...errorResponses({ 400: [errors.badRequest('params.project_id must match pattern "^[A-Za-z0-9-]{1,64}$"')], 403: denied('modelarts:pool:get') }),
          },
        },
      },
      async (request) => ({ items: await lifecycle.listFaults(request.params.project_id) }),
    );
  };
}
