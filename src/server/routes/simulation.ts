import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, NodeParams, ProjectParams } from '../../schemas/common.js';
import { FaultRuleBodySchema, FaultRuleListSchema, FaultRuleSchema, WorkloadBodySchema } from '../../schemas/node-batch.js';
import { NodeSchema } from '../../schemas/node.js';
import type { LifecycleService } from '../../service/lifecycle.js';
import type { PoolService } from '../../service/pools.js';
import { callerOf } from './caller.js';

const TAG = 'poolkeeper extensions';

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
          description: 'Simulation control: how many jobs a simulated node runs. Work cannot grow on a node that is not Available or carries a NoSchedule/NoExecute taint.',
          params: NodeParams,
          body: WorkloadBodySchema,
          response: { 200: NodeSchema, ...errorResponses },
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
          description: 'Fault injection: the next `times` matching driver upgrades or reboots fail (decided when they are requested, oldest rule first).',
          params: ProjectParams,
          body: FaultRuleBodySchema,
          response: { 200: FaultRuleSchema, ...errorResponses },
        },
      },
      async (request) => lifecycle.createFault(request.params.project_id, request.body),
    );

    app.get(
      '/_poolkeeper/v1/:project_id/faults',
      {
        config: { operation: 'ListFaultRules', action: 'modelarts:pool:get' },
        schema: { operationId: 'ListFaultRules', tags: [TAG], description: 'The fault rules with uses left.', params: ProjectParams, response: { 200: FaultRuleListSchema, ...errorResponses } },
      },
      async (request) => ({ items: await lifecycle.listFaults(request.params.project_id) }),
    );
  };
}
