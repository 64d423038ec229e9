import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';

export const LOCKABLE_ACTIONS = ['delete'] as const;
export const FAULT_KINDS = ['driverUpgrade', 'reboot'] as const;

/** Node lists of the lifecycle batch calls. Names are checked one by one in the service (a loop beats a per-item pattern). */
function nodeNames(maxNodes: number, what: string) {
  return Type.Array(Type.String(), { minItems: 1, maxItems: maxNodes, description: `Names of the nodes to ${what}: 1 to ${maxNodes}, no duplicates.` });
}

export const MAX_DRAIN_NODES = 10;

export function batchDeleteBodySchema(maxNodes: number) {
  return Type.Object({ deleteNodeNames: nodeNames(maxNodes, 'delete') }, { additionalProperties: false });
}
export type BatchDeleteBody = Static<ReturnType<typeof batchDeleteBodySchema>>;

export function batchLockBodySchema(maxNodes: number) {
  return Type.Object(
    {
      nodeNames: nodeNames(maxNodes, 'lock or unlock'),
      actions: Type.Array(StringEnum(LOCKABLE_ACTIONS), { minItems: 1, uniqueItems: true, description: 'The actions to lock or unlock; only "delete".' }),
    },
    { additionalProperties: false },
  );
}
export type BatchLockBody = Static<ReturnType<typeof batchLockBodySchema>>;

export const BatchLockResponseSchema = Type.Object({
  nodes: Type.Array(Type.Object({ name: Type.String(), status: StringEnum(['success', 'failed'] as const) })),
});

export function batchNodeNamesBodySchema(maxNodes: number, what: string) {
  return Type.Object({ nodeNames: nodeNames(maxNodes, what) }, { additionalProperties: false });
}
export type BatchNodeNamesBody = Static<ReturnType<typeof batchNodeNamesBodySchema>>;

export const BatchRebootResponseSchema = Type.Object({ nodeNames: Type.Array(Type.String(), { description: 'The nodes that are rebooting.' }) });
export const EmptyObjectSchema = Type.Object({});
/** BatchDeletePoolNodes answers 200 with no body. */
export const EmptyBodySchema = Type.Unsafe<undefined>({ type: 'null', description: 'Empty body.' });

export const WorkloadBodySchema = Type.Object(
  { runningJobs: Type.Integer({ minimum: 0, maximum: 100_000, description: 'How many jobs the simulated node runs.' }) },
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
