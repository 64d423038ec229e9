import { Type, type Static } from '@sinclair/typebox';
import { NODE_NAME_PATTERN, POOL_NAME_PATTERN, ProjectParams, StringEnum } from './common.js';
import { EXAMPLE_NODE_NAME, EXAMPLE_OPERATION_ID, EXAMPLE_POOL_NAME } from './example-ids.js';
import { DEFAULT_OPERATION_PAGE, MAX_OPERATION_PAGE, OPERATION_KINDS } from './operation-kinds.js';

export const OperationParams = Type.Object({
  project_id: ProjectParams.properties.project_id,
  operation_id: Type.String({ pattern: '^[0-9a-f-]{36}$', maxLength: 36, description: 'The X-Operation-Id of a batch call.', examples: [EXAMPLE_OPERATION_ID] }),
});

const OperationFields = {
  id: Type.String(),
  operation: Type.String({ description: 'The batch operation, e.g. BatchUpdatePoolNodes.' }),
  action: Type.Union([Type.String(), Type.Null()]),
  projectId: Type.String(),
  poolName: Type.String(),
  principal: Type.String({ description: 'user@account that made the call.' }),
  requestId: Type.String(),
  creationTimestamp: Type.String(),
  successCount: Type.Integer(),
  failCount: Type.Integer(),
};

export const OperationSchema = Type.Object({
  ...OperationFields,
  nodes: Type.Array(
    Type.Object({
      name: Type.String(),
      status: Type.String({ description: 'success or failed' }),
      errorCode: Type.Optional(Type.String()),
      errorMsg: Type.Optional(Type.String()),
      completion: Type.Optional(
        Type.Object(
          {
            status: Type.String({ description: 'succeeded or failed' }),
            errorCode: Type.Optional(Type.String()),
            errorMsg: Type.Optional(Type.String()),
            completionTimestamp: Type.String(),
          },
          { description: 'How the asynchronous work this call started on the node (driver upgrade, reboot) ended; absent while it runs.' },
        ),
      ),
    }),
    { description: 'One entry per requested node, in request order.' },
  ),
});

export const ListOperationsQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: `Page size 1-${MAX_OPERATION_PAGE}; 0 or absent means ${DEFAULT_OPERATION_PAGE}.`, examples: ['20'] })),
    continue: Type.Optional(Type.String({ maxLength: 512, description: "Opaque token from the previous page's metadata.continue." })),
    pool: Type.Optional(Type.String({ pattern: POOL_NAME_PATTERN, maxLength: 63, description: 'Only the records of this pool (its id, metadata.name).', examples: [EXAMPLE_POOL_NAME] })),
    kind: Type.Optional(StringEnum(OPERATION_KINDS, { description: 'Only the records of this operation.' })),
    node: Type.Optional(
      Type.String({
        pattern: NODE_NAME_PATTERN,
        maxLength: 63,
        description: 'Only the records that name this node (needs `pool`: node names are unique within a pool).',
        examples: [EXAMPLE_NODE_NAME],
      }),
    ),
  },
  { additionalProperties: false },
);
export type ListOperationsQuery = Static<typeof ListOperationsQuerySchema>;

export const OperationSummarySchema = Type.Object({
  ...OperationFields,
  completion: Type.Union(
    [
      Type.Object({
        succeeded: Type.Integer({ description: 'Nodes whose change is done: at once for tags, HA and locks; for driver upgrades and reboots when the work ended well.' }),
        failed: Type.Integer({ description: 'Nodes the call refused, and nodes whose driver upgrade or reboot failed.' }),
        pending: Type.Integer({ description: 'Nodes whose driver upgrade or reboot (started by this call) still runs.' }),
      }),
      Type.Null(),
    ],
    {
      description:
        'Where every node of the call stands (the three add up to successCount + failCount). Null for drains and deletions, whose records do not track ' +
        'when a node’s work ends: a drained node reads `Drained` in its `os.modelarts.node/drain` annotation, a deleted one is gone.',
    },
  ),
});
export type OperationSummary = Static<typeof OperationSummarySchema>;

export const OperationListSchema = Type.Object({
  kind: Type.Literal('OperationList'),
  metadata: Type.Object({
    continue: Type.Optional(Type.String({ description: 'Present while older records may remain: the token for the next page.' })),
  }),
  items: Type.Array(OperationSummarySchema, { description: 'Newest first.' }),
});
