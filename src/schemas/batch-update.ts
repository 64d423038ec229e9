import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';
import { DRIVER_UPDATE_STRATEGIES, TAINT_EFFECTS } from './node.js';

const BATCH_UPDATE_ACTIONS = ['openHaRedundant', 'closeHaRedundant', 'createTags', 'deleteTags'] as const;

const NodeTagSchema = Type.Object(
  {
    key: Type.String({ description: 'Tag key: 1-128 characters (letters of any language, digits, space, _ . : = + - @), no edge spaces, not starting with _sys_.' }),
    value: Type.String({ description: 'Tag value: 0-255 characters, the key characters plus /, no edge spaces. For deleteTags, an empty value matches any value.' }),
  },
  { additionalProperties: false},
);

const NodeDriverRequestSchema = Type.Object(
  {
    version: Type.String({ minLength: 1, maxLength: 64, description: 'Driver version to upgrade the nodes to.' }),
    updateStrategy: Type.Optional(
      StringEnum(DRIVER_UPDATE_STRATEGIES, { description: 'force: upgrade now, running work may break; idle (default): isolate the node, upgrade once it is idle.' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Shape of the BatchUpdatePoolNodes body. The per-name rules (length, duplicates) and the cross-field
 * rules live in domain/batch-update-request.ts: a plain loop over 10,000 names beats a per-item pattern.
 */
export function batchUpdateBodySchema(maxNodes: number) {
  return Type.Object(
    {
      nodeNames: Type.Array(Type.String(), { minItems: 1, maxItems: maxNodes, description: `Names of the nodes to update: 1 to ${maxNodes}, no duplicates.` }),
      action: StringEnum(BATCH_UPDATE_ACTIONS, { description: 'What to do to every node.' }),
      haRedundantEffect: Type.Optional(StringEnum(TAINT_EFFECTS, { description: 'Effect of the HA taint; default NoSchedule.' })),
      haRedundantEnable: Type.Optional(Type.Boolean({ description: 'Accepted for compatibility; must agree with the action.' })),
      driver: Type.Optional(NodeDriverRequestSchema),
      tags: Type.Optional(Type.Array(NodeTagSchema, { minItems: 1, maxItems: 20, description: 'Tags for createTags / deleteTags: 1 to 20, unique keys.' })),
    },
    { additionalProperties: false },
  );
}

export type BatchUpdateBody = Static<ReturnType<typeof batchUpdateBodySchema>>;

export const BatchUpdateResponseSchema = Type.Object(
  {
    successNodeNames: Type.Array(Type.String()),
    failNodeNames: Type.Array(Type.String()),
  },
);
