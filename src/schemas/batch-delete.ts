import { Type, type Static } from '@sinclair/typebox';
import { nodeNameList } from './node-names.js';

/** BatchDeletePoolNodes. */
export function batchDeleteBodySchema(maxNodes: number) {
  return Type.Object({ deleteNodeNames: nodeNameList(maxNodes, 'delete') }, { additionalProperties: false });
}
export type BatchDeleteBody = Static<ReturnType<typeof batchDeleteBodySchema>>;

/** BatchDeletePoolNodes answers 200 with no body. */
export const EmptyBodySchema = Type.Unsafe<undefined>({ type: 'null', description: 'Empty body.' });
