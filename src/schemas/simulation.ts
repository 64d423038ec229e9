import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';
import { EXAMPLE_NODE_NAME, EXAMPLE_POOL_NAME, EXAMPLE_TIME } from './example-ids.js';

/** The simulated backend's controls: the bodies and answers of its routes (src/simulation/routes.ts). */

/** The operations an injected fault can make fail. */
export const FAULT_KINDS = ['driverUpgrade', 'reboot'] as const;

export const WorkloadBodySchema = Type.Object(
  { runningJobs: Type.Integer({ minimum: 0, maximum: 100_000, description: 'How many jobs the simulated node runs.' }) },
  { additionalProperties: false },
);

export const SetNodePhaseBodySchema = Type.Object(
  { phase: StringEnum(['Abnormal', 'Checking', 'Available'] as const) },
  { additionalProperties: false },
);

export const FaultRuleBodySchema = Type.Object(
  {
    match: Type.Object(
      {
        pool: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'Pool id; absent: every pool of the project.' })),
        nodes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 63 }), { minItems: 1, maxItems: 10_000, description: 'Node names; absent: every node.' })),
      },
      { additionalProperties: false },
    ),
    fail: StringEnum(FAULT_KINDS, { description: 'Which operation fails.' }),
    times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'How many matching operations fail (default 1).' })),
  },
  { additionalProperties: false },
);
export type FaultRuleBody = Static<typeof FaultRuleBodySchema>;

export const FaultRuleSchema = Type.Object({
  id: Type.Integer(),
  match: Type.Object({ pool: Type.Optional(Type.String()), nodes: Type.Optional(Type.Array(Type.String())) }),
  fail: Type.String(),
  times: Type.Integer(),
  remaining: Type.Integer({ description: 'Matching operations still to fail.' }),
  creationTimestamp: Type.String(),
});
export type FaultRule = Static<typeof FaultRuleSchema>;

export const FaultRuleListSchema = Type.Object({ items: Type.Array(FaultRuleSchema) });

export const exampleFaultRule: FaultRule = {
  id: 1,
  match: { pool: EXAMPLE_POOL_NAME, nodes: [EXAMPLE_NODE_NAME] },
  fail: 'driverUpgrade',
  times: 1,
  remaining: 1,
  creationTimestamp: EXAMPLE_TIME,
};
