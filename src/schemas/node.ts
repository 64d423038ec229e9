import { Type, type Static } from '@sinclair/typebox';
import { StringMap, StringEnum } from './common.js';

export const NODE_PHASES = ['Available', 'Creating', 'Deleting', 'Abnormal', 'Checking'] as const;
export const TAINT_EFFECTS = ['NoSchedule', 'NoExecute'] as const;
export const DRIVER_UPDATE_STRATEGIES = ['force', 'idle'] as const;

const ResourceQuantities = Type.Record(Type.String(), Type.String(), { description: 'Kubernetes quantity strings, e.g. {"cpu": "3920m", "memory": "6270Mi"}.' });

export const NodeSchema = Type.Object({
  apiVersion: Type.Literal('v2'),
  kind: Type.Literal('Node'),
  metadata: Type.Object({
    name: Type.String(),
    creationTimestamp: Type.String(),
    labels: StringMap,
    annotations: StringMap,
  }),
  spec: Type.Object({
    flavor: Type.String(),
    extendParams: Type.Optional(Type.Object({ nodePoolName: Type.Optional(Type.String()) })),
  }),
  status: Type.Object({
    phase: StringEnum(NODE_PHASES),
    az: Type.String(),
    privateIp: Type.String(),
    resources: ResourceQuantities,
    availableResources: ResourceQuantities,
    driver: Type.Optional(Type.Object({ version: Type.String(), phase: Type.String() })),
    taints: Type.Array(
      Type.Object({ key: Type.String(), value: Type.String(), effect: StringEnum(TAINT_EFFECTS), timeAdded: Type.String() }),
    ),
  }),
});
export type Node = Static<typeof NodeSchema>;

export const NodeListSchema = Type.Object({
  apiVersion: Type.Literal('v2'),
  kind: Type.Literal('NodeList'),
  metadata: Type.Object({ continue: Type.Optional(Type.String()), remainingItemCount: Type.Optional(Type.Integer()) }),
  items: Type.Array(NodeSchema),
});

export const ListNodesQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'Page size 1-500; 0 or absent means 500.', examples: ['2'] })),
    continue: Type.Optional(Type.String({ maxLength: 512, description: "Opaque token from the previous page's metadata.continue." })),
  },
  { additionalProperties: false },
);
export type ListNodesQuery = Static<typeof ListNodesQuerySchema>;

export const SetNodePhaseBodySchema = Type.Object(
  { phase: StringEnum(['Abnormal', 'Checking', 'Available'] as const) },
  { additionalProperties: false },
);
