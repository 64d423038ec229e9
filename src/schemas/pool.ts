import { Type, type Static } from '@sinclair/typebox';
import { DRIVER_UPDATE_STRATEGIES } from './node.js';
import { METADATA_KEY_RULE, StringMap, StringEnum } from './common.js';

export const POOL_SCOPES = ['Train', 'Infer', 'Notebook'] as const;
const POOL_PHASES = ['Creating', 'Running', 'Abnormal', 'Deleting', 'Error'] as const;
export type PoolPhase = (typeof POOL_PHASES)[number];

export const LABEL_POOL_DISPLAY_NAME = 'os.modelarts/name';
export const LABEL_NODE_PREFIX = 'os.modelarts/node.prefix';
export const LABEL_WORKSPACE = 'os.modelarts/workspace.id';

const FLAVOR_PATTERN = '^[a-z0-9][a-z0-9._-]{0,127}$';

const PoolDriverSchema = Type.Object(
  {
    gpuVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    npuVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    updateStrategy: Type.Optional(StringEnum(DRIVER_UPDATE_STRATEGIES)),
  },
  { additionalProperties: false },
);

export const PoolResourceSchema = Type.Object(
  {
    flavor: Type.String({ pattern: FLAVOR_PATTERN, description: 'Resource flavor id, e.g. modelarts.vm.gpu.t4u8.' }),
    count: Type.Integer({ minimum: 1, description: 'Number of nodes of this flavor.' }),
    maxCount: Type.Optional(Type.Integer({ minimum: 1, description: 'Must equal count for physical pools.' })),
    nodePool: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,48}[a-z0-9]$' })),
    azs: Type.Optional(
      Type.Array(Type.Object({ az: Type.String({ minLength: 1, maxLength: 64 }), count: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }), {
        maxItems: 8,
      }),
    ),
  },
  { additionalProperties: false },
);
export type PoolResource = Static<typeof PoolResourceSchema>;

export const CreatePoolBodySchema = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('Pool'),
    metadata: Type.Object(
      {
        labels: Type.Object(
          {
            [LABEL_POOL_DISPLAY_NAME]: Type.String({
              pattern: '^[a-z][a-z0-9-]{3,24}$',
              description: 'Display name: 4-25 lowercase letters, digits or -, starting with a letter. The pool id is <name>-<project_id>.',
            }),
            [LABEL_NODE_PREFIX]: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$', description: 'Prefix of node names (default os-node-created).' })),
            [LABEL_WORKSPACE]: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: Type.String({ maxLength: 256 }), description: `Pool labels. ${METADATA_KEY_RULE}` },
        ),
        annotations: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 1024 }), { description: `Pool annotations. ${METADATA_KEY_RULE}` })),
      },
      { additionalProperties: false },
    ),
    spec: Type.Object(
      {
        type: Type.Literal('Dedicate'),
        scope: Type.Array(StringEnum(POOL_SCOPES), { minItems: 1, maxItems: 3, uniqueItems: true }),
        network: Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        resources: Type.Array(PoolResourceSchema, { minItems: 1, maxItems: 16 }),
        driver: Type.Optional(PoolDriverSchema),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type CreatePoolBody = Static<typeof CreatePoolBodySchema>;
export type PoolSpec = CreatePoolBody['spec'];

export const PatchPoolBodySchema = Type.Object(
  {
    metadata: Type.Optional(
      Type.Object(
        {
          labels: Type.Optional(
            Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 256 }), Type.Null()]), { description: `Labels to set, or to remove with null. ${METADATA_KEY_RULE}` }),
          ),
          annotations: Type.Optional(
            Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 1024 }), Type.Null()]), { description: `Annotations to set, or to remove with null. ${METADATA_KEY_RULE}` }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    spec: Type.Optional(
      Type.Object(
        {
          scope: Type.Optional(CreatePoolBodySchema.properties.spec.properties.scope),
          resources: Type.Optional(CreatePoolBodySchema.properties.spec.properties.resources),
          driver: Type.Optional(PoolDriverSchema),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PatchPoolBody = Static<typeof PatchPoolBodySchema>;

export const ListPoolsQuerySchema = Type.Object(
  {
    labelSelector: Type.Optional(Type.String({ maxLength: 1024, description: 'Comma-separated k=v, k!=v, k or !k terms.', examples: ['os.modelarts/name=demo'] })),
    status: Type.Optional(StringEnum(['created', 'creating', 'failed'] as const)),
    workspaceId: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ListPoolsQuery = Static<typeof ListPoolsQuerySchema>;

const POOL_DRIVER_STATES = ['Creating', 'Upgrading', 'Running', 'Abnormal'] as const;
export type PoolDriverState = (typeof POOL_DRIVER_STATES)[number];
const PoolDriverStatus = Type.Object({ version: Type.String(), state: StringEnum(POOL_DRIVER_STATES) });

const FlavorCount = Type.Array(Type.Object({ flavor: Type.String(), count: Type.Integer() }));

export const PoolSchema = Type.Object({
  apiVersion: Type.Literal('v2'),
  kind: Type.Literal('Pool'),
  metadata: Type.Object({
    name: Type.String(),
    creationTimestamp: Type.String(),
    deletionTimestamp: Type.Optional(Type.String()),
    labels: StringMap,
    annotations: StringMap,
  }),
  spec: Type.Object({
    type: Type.String(),
    scope: Type.Array(Type.String()),
    network: Type.Object({ name: Type.String() }),
    resources: Type.Array(PoolResourceSchema),
    driver: Type.Optional(PoolDriverSchema),
  }),
  status: Type.Object({
    phase: Type.String(),
    root: Type.String(),
    resources: Type.Object({
      creating: Type.Optional(FlavorCount),
      available: Type.Optional(FlavorCount),
      abnormal: Type.Optional(FlavorCount),
      deleting: Type.Optional(FlavorCount),
    }),
    scope: Type.Array(Type.Object({ scopeType: Type.String(), state: Type.String() })),
    driver: Type.Optional(
      Type.Object({
        gpu: Type.Optional(PoolDriverStatus),
        npu: Type.Optional(PoolDriverStatus),
      }),
    ),
  }),
});
export type Pool = Static<typeof PoolSchema>;

export const PoolListSchema = Type.Object({
  apiVersion: Type.Literal('v2'),
  kind: Type.Literal('PoolList'),
  metadata: Type.Object({}),
  items: Type.Array(PoolSchema),
});
