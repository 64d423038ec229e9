import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';
import { nodeNameList } from './node-names.js';

/** The actions a node can be locked against. */
export const LOCKABLE_ACTIONS = ['delete'] as const;

/** BatchLockPoolNodes and BatchUnlockPoolNodes. */
export function batchLockBodySchema(maxNodes: number) {
  return Type.Object(
    {
      nodeNames: nodeNameList(maxNodes, 'lock or unlock'),
      actions: Type.Array(StringEnum(LOCKABLE_ACTIONS), { minItems: 1, uniqueItems: true, description: 'The actions to lock or unlock; only "delete".' }),
    },
    { additionalProperties: false },
  );
}
export type BatchLockBody = Static<ReturnType<typeof batchLockBodySchema>>;

export const BatchLockResponseSchema = Type.Object({
  nodes: Type.Array(Type.Object({ name: Type.String(), status: StringEnum(['success', 'failed'] as const) })),
});
