import { Type, type Static } from '@sinclair/typebox';
import { METADATA_KEY_RULE, NODE_NAME_MAX_LENGTH, NODE_NAME_PATTERN, StringEnum } from './common.js';
import { TAINT_EFFECTS } from './node.js';
import { ACCOUNT_NAME_PATTERN, CreateUserBodySchema, POLICY_NAME_PATTERN, PROJECT_NAME_PATTERN, PolicyDocumentSchema, USER_NAME_PATTERN } from './iam.js';
import { CreatePoolBodySchema, PoolResourceSchema, POOL_SCOPES } from './pool.js';

/** The phases a seeded node may start in (Creating becomes Available after POOLKEEPER_SIM_NODE_CREATE_SECONDS). */
const SEED_NODE_PHASES = ['Available', 'Abnormal', 'Checking', 'Creating'] as const;

const Labels = (description: string) => Type.Record(Type.String(), Type.String({ maxLength: 256 }), { description: `${description} ${METADATA_KEY_RULE}` });

const SeedTaintSchema = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 253 }),
    value: Type.Optional(Type.String({ maxLength: 63, description: 'Default: empty.' })),
    effect: StringEnum(TAINT_EFFECTS),
  },
  { additionalProperties: false },
);

const SeedNodeSchema = Type.Object(
  {
    name: Type.String({ pattern: NODE_NAME_PATTERN, maxLength: NODE_NAME_MAX_LENGTH, description: 'The node name, unique in its pool.' }),
    flavor: Type.Optional(PoolResourceSchema.properties.flavor),
    phase: Type.Optional(StringEnum(SEED_NODE_PHASES, { description: 'Default Available.' })),
    driverVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'GPU/NPU flavors: default the simulated default version.' })),
    labels: Type.Optional(Labels('Node labels.')),
    tags: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Resource tags, key: value (the batch-update tag rules apply).' })),
    taints: Type.Optional(Type.Array(SeedTaintSchema, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

const SeedPoolSchema = Type.Object(
  {
    name: CreatePoolBodySchema.properties.metadata.properties.labels.properties['os.modelarts/name'],
    flavor: Type.Optional(Type.String({ ...PoolResourceSchema.properties.flavor, description: 'The flavor of nodes that name none.' })),
    scope: Type.Optional(Type.Array(StringEnum(POOL_SCOPES), { minItems: 1, maxItems: 3, uniqueItems: true, description: 'Default [Train].' })),
    labels: Type.Optional(Labels('Pool labels besides os.modelarts/name.')),
    nodes: Type.Array(SeedNodeSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

const SeedProjectSchema = Type.Object(
  {
    name: Type.String({ pattern: PROJECT_NAME_PATTERN }),
    id: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$', description: '32 lowercase hex; default random. Ignored for a project that exists.' })),
    pools: Type.Optional(Type.Array(SeedPoolSchema)),
  },
  { additionalProperties: false },
);

const SeedPolicySchema = Type.Union([
  Type.String({ pattern: POLICY_NAME_PATTERN, description: 'A built-in policy by name.' }),
  Type.Object({ name: Type.String({ pattern: POLICY_NAME_PATTERN }), document: PolicyDocumentSchema }, { additionalProperties: false }),
]);

const SeedAccessKeySchema = Type.Object(
  {
    accessKey: Type.String({ pattern: '^[A-Za-z0-9]{1,128}$' }),
    secretKey: Type.String({ pattern: '^[\\x21-\\x7e]{1,128}$', description: '1-128 printable ASCII characters, no space.' }),
  },
  { additionalProperties: false },
);

const SeedUserSchema = Type.Object(
  {
    name: Type.String({ pattern: USER_NAME_PATTERN }),
    password: Type.Optional(CreateUserBodySchema.properties.password),
    accountAdmin: Type.Optional(Type.Boolean()),
    projects: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { description: 'Project names or ids the user is a member of.' })),
    policies: Type.Optional(Type.Array(SeedPolicySchema)),
    accessKeys: Type.Optional(Type.Array(SeedAccessKeySchema)),
  },
  { additionalProperties: false },
);

const SeedAccountSchema = Type.Object(
  {
    name: Type.String({ pattern: ACCOUNT_NAME_PATTERN, description: 'An account; the operator account created on first start (poolkeeper) is extended.' }),
    projects: Type.Optional(Type.Array(SeedProjectSchema)),
    users: Type.Optional(Type.Array(SeedUserSchema)),
  },
  { additionalProperties: false },
);

/** A seed file: what an empty store holds after the first start besides (or inside) the operator account. */
export const SeedSchema = Type.Object({ accounts: Type.Array(SeedAccountSchema, { minItems: 1 }) }, { additionalProperties: false });
export type Seed = Static<typeof SeedSchema>;
export type SeedPool = Static<typeof SeedPoolSchema>;
