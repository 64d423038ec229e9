import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';
import { EXAMPLE_ACCESS_KEY } from './example-ids.js';

export const ACCOUNT_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';
export const USER_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_.-]{0,63}$';
export const PROJECT_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,63}$';
export const POLICY_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_.-]{0,127}$';

const Password = Type.String({ minLength: 8, maxLength: 128, description: '8-128 characters.' });

export const PolicyDocumentSchema = Type.Object(
  {
    Version: Type.Literal('1.1'),
    Statement: Type.Array(
      Type.Object(
        {
          Effect: StringEnum(['Allow', 'Deny'] as const),
          Action: Type.Array(Type.String({ pattern: '^[A-Za-z0-9*:_.-]{1,128}$' }), { minItems: 1, maxItems: 100 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);

export const CreateAccountBodySchema = Type.Object(
  {
    name: Type.String({ pattern: ACCOUNT_NAME_PATTERN }),
    admin: Type.Object({ name: Type.String({ pattern: USER_NAME_PATTERN }), password: Type.Optional(Password) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export const AccountSchema = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Type.String() });

export const CreateProjectBodySchema = Type.Object({ name: Type.String({ pattern: PROJECT_NAME_PATTERN }) }, { additionalProperties: false });

export const CreateUserBodySchema = Type.Object(
  {
    name: Type.String({ pattern: USER_NAME_PATTERN }),
    password: Type.Optional(Password),
    accountAdmin: Type.Optional(Type.Boolean({ description: 'May manage the account’s projects, users, keys and policies.' })),
    projects: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100, description: 'Project ids or names.' })),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBodySchema>;

export const SetPasswordBodySchema = Type.Object({ password: Password }, { additionalProperties: false });

export const CreateAccessKeyBodySchema = Type.Object(
  {
    temporary: Type.Optional(
      Type.Object(
        { durationSeconds: Type.Integer({ minimum: 900, maximum: 86_400, description: 'Lifetime of temporary credentials: 15 min to 24 h.' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const AttachPolicyBodySchema = Type.Object(
  { document: Type.Optional(PolicyDocumentSchema) },
  { additionalProperties: false, description: 'Omit the document to attach a built-in policy by its name.' },
);

export const UserParams = Type.Object({ user_name: Type.String({ pattern: USER_NAME_PATTERN, maxLength: 64, examples: ['viewer'] }) });
export const UserProjectParams = Type.Object({
  user_name: UserParams.properties.user_name,
  project: Type.String({ minLength: 1, maxLength: 64, description: 'Project id or name.', examples: ['local-1'] }),
});
export const UserPolicyParams = Type.Object({
  user_name: UserParams.properties.user_name,
  policy_name: Type.String({ pattern: POLICY_NAME_PATTERN, maxLength: 128, description: 'A built-in policy, or the name of a custom one.', examples: ['ModelArtsResourceManagementReadOnlyPolicy'] }),
});
export const AccessKeyParams = Type.Object({ access_key: Type.String({ pattern: '^[A-Za-z0-9]{1,128}$', maxLength: 128, examples: [EXAMPLE_ACCESS_KEY] }) });

export const ProjectSchema = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Type.String() });
export const UserSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  accountAdmin: Type.Boolean(),
  hasPassword: Type.Boolean(),
  projects: Type.Array(Type.String()),
  policies: Type.Array(Type.String()),
  createdAt: Type.String(),
});
export const AccessKeySummarySchema = Type.Object({ accessKey: Type.String(), createdAt: Type.String(), expiresAt: Type.Optional(Type.String()) });
export const NewAccessKeySchema = Type.Object({
  accessKey: Type.String(),
  secretKey: Type.String({ description: 'Shown once; only its sealed form is stored.' }),
  securityToken: Type.Optional(Type.String({ description: 'Temporary credentials only: send it as a signed X-Security-Token header.' })),
  expiresAt: Type.Optional(Type.String()),
});

/** `POST /v3/auth/tokens`, the IAM password method with a project scope. */
export const TokenRequestSchema = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.Literal('password'), { minItems: 1, maxItems: 1 }),
      password: Type.Object({
        user: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 128 }),
          domain: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }),
        }),
      }),
    }),
    scope: Type.Object({
      project: Type.Object({ id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }),
    }),
  }),
});
export type TokenRequest = Static<typeof TokenRequestSchema>;

const Named = Type.Object({ id: Type.String(), name: Type.String() });
export const TokenResponseSchema = Type.Object({
  token: Type.Object({
    methods: Type.Array(Type.String()),
    issued_at: Type.String(),
    expires_at: Type.String(),
    user: Type.Object({ id: Type.String(), name: Type.String(), domain: Named }),
    project: Type.Object({ id: Type.String(), name: Type.String(), domain: Named }),
    roles: Type.Array(Named),
    catalog: Type.Array(Type.Object({})),
  }),
});
