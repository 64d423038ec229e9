import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EXAMPLE_ACCESS_KEY, EXAMPLE_TIME } from '../../schemas/example-ids.js';
import { exampleAccount, exampleProject, exampleUser } from '../../schemas/examples.js';
import {
  AccessKeyParams,
  AccountSchema,
  CreateAccountBodySchema,
  AccessKeySummarySchema,
  AttachPolicyBodySchema,
  CreateAccessKeyBodySchema,
  CreateProjectBodySchema,
  CreateUserBodySchema,
  NewAccessKeySchema,
  ProjectSchema,
  SetPasswordBodySchema,
  UserParams,
  UserPolicyParams,
  UserProjectParams,
  UserSchema,
} from '../../schemas/iam.js';
import { renderAccount, renderProject, renderUser, type IamService } from '../../service/iam.js';
import { errors, type ApiError } from '../../errors/catalogue.js';
import { errorResponses, EXTENSION, withExamples } from '../openapi.js';
import { callerOf } from './caller.js';

const TAG = 'Identity';
const BASE = '/_poolkeeper/v1/iam';
const ADMIN_ONLY = 'Account administrators only; they manage their own account, never another.';

const userNotFound = errors.notFound('User', exampleUser.name);
/** Error examples of an account-administration route. */
function adminErrors(cases: { 400?: ApiError[]; 404?: ApiError[]; 409?: ApiError[] } = {}, operator = false) {
  return errorResponses({ ...cases, 403: [operator ? errors.notOperator() : errors.notAccountAdmin()] });
}
const userResponse = (description: string) => withExamples(UserSchema, [exampleUser], { description });
const noContent = Type.Null({ description: 'Done (no body).' });

/** Account administration over HTTP: an account administrator manages its own account, never another. */
export function iamRoutes(iam: IamService): FastifyPluginAsyncTypebox {
  const admin = (operation: string) => ({ operation, accountAdmin: true });
  return async (app) => {
    app.get(
      `${BASE}/accounts`,
      {
        config: { operation: 'ListAccounts', operator: true },
        schema: {
          operationId: 'ListAccounts',
          tags: [TAG],
          ...EXTENSION,
          summary: 'List accounts',
          description: 'Every account (IAM domain). Administrators of the operator account only.',
          response: {
            200: withExamples(Type.Object({ accounts: Type.Array(AccountSchema) }), [{ accounts: [exampleAccount] }], { description: 'The accounts.' }),
            ...adminErrors({}, true),
          },
        },
      },
      async () => ({ accounts: (await iam.listAccounts()).map(renderAccount) }),
    );

    app.post(
      `${BASE}/accounts`,
      {
        config: { operation: 'CreateAccount', operator: true },
        schema: {
          operationId: 'CreateAccount',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Create an account',
          description: 'Operator account administrators only: a new account (domain) with its first account administrator.',
          body: withExamples(CreateAccountBodySchema, [{ name: 'team-b', admin: { name: 'alice', password: 'alice-password' } }]),
          response: {
            201: withExamples(
              Type.Object({ account: AccountSchema, admin: UserSchema }),
              [{ account: { ...exampleAccount, name: 'team-b' }, admin: { ...exampleUser, name: 'alice', accountAdmin: true, projects: [], policies: [] } }],
              { description: 'The account and its administrator.' },
            ),
            ...adminErrors({ 400: [errors.badRequest('name must match pattern "^[A-Za-z][A-Za-z0-9_-]{0,63}$"')], 409: [errors.alreadyExists('account', 'team-b')] }, true),
          },
        },
      },
      async (request, reply) => reply.code(201).send(await iam.createAccountWithAdmin(request.body.name, request.body.admin)),
    );

    app.get(
      `${BASE}/projects`,
      {
        config: admin('ListProjects'),
        schema: {
          operationId: 'ListProjects',
          tags: [TAG],
          ...EXTENSION,
          summary: 'List projects',
          description: `The projects of the caller’s account. ${ADMIN_ONLY}`,
          response: { 200: withExamples(Type.Object({ projects: Type.Array(ProjectSchema) }), [{ projects: [exampleProject] }], { description: 'The projects.' }), ...adminErrors() },
        },
      },
      async (request) => ({ projects: (await iam.listProjects(callerOf(request).accountId)).map(renderProject) }),
    );

    app.post(
      `${BASE}/projects`,
      {
        config: admin('CreateProject'),
        schema: {
          operationId: 'CreateProject',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Create a project',
          description: `A new project (32-hex id) in the caller’s account. ${ADMIN_ONLY}`,
          body: withExamples(CreateProjectBodySchema, [{ name: 'local-2' }]),
          response: {
            201: withExamples(ProjectSchema, [{ ...exampleProject, name: 'local-2' }], { description: 'The project.' }),
            ...adminErrors({ 400: [errors.badRequest('name must match pattern "^[a-z][a-z0-9_-]{0,63}$"')], 409: [errors.alreadyExists('project', 'local-2')] }),
          },
        },
      },
      async (request, reply) => reply.code(201).send(renderProject(await iam.createProject(callerOf(request).accountId, request.body.name))),
    );

    app.get(
      `${BASE}/users`,
      {
        config: admin('ListUsers'),
        schema: {
          operationId: 'ListUsers',
          tags: [TAG],
          ...EXTENSION,
          summary: 'List users',
          description: `The users of the caller’s account with their projects and policies. ${ADMIN_ONLY}`,
          response: { 200: withExamples(Type.Object({ users: Type.Array(UserSchema) }), [{ users: [exampleUser] }], { description: 'The users.' }), ...adminErrors() },
        },
      },
      async (request) => ({ users: (await iam.listUsers(callerOf(request).accountId)).map(renderUser) }),
    );

    app.post(
      `${BASE}/users`,
      {
        config: admin('CreateUser'),
        schema: {
          operationId: 'CreateUser',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Create a user',
          description: `A new user, optionally with a password, account-administrator rights and project memberships (ids or names). ${ADMIN_ONLY}`,
          body: withExamples(CreateUserBodySchema, [{ name: 'viewer', password: 'viewer-password', projects: ['local-1'] }]),
          response: {
            201: withExamples(UserSchema, [{ ...exampleUser, policies: [] }], { description: 'The user.' }),
            ...adminErrors({ 400: [errors.badRequest('password must NOT have fewer than 8 characters')], 404: [errors.notFound('Project', 'local-9')], 409: [errors.alreadyExists('user', 'viewer')] }),
          },
        },
      },
      async (request, reply) => reply.code(201).send(renderUser(await iam.createUser(callerOf(request).accountId, request.body))),
    );

    app.put(
      `${BASE}/users/:user_name/password`,
      {
        config: admin('SetUserPassword'),
        schema: {
          operationId: 'SetUserPassword',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Set a user’s password',
          description: `The password that buys tokens (POST /v3/auth/tokens). ${ADMIN_ONLY}`,
          params: UserParams,
          body: withExamples(SetPasswordBodySchema, [{ password: 'viewer-password' }]),
          response: { 204: noContent, ...adminErrors({ 400: [errors.badRequest('password must NOT have fewer than 8 characters')], 404: [userNotFound] }) },
        },
      },
      async (request, reply) => {
        await iam.setPassword(callerOf(request).accountId, request.params.user_name, request.body.password);
        return reply.code(204).send(null);
      },
    );

    app.put(
      `${BASE}/users/:user_name/projects/:project`,
      {
        config: admin('AddUserToProject'),
        schema: {
          operationId: 'AddUserToProject',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Add a user to a project',
          description: `Makes the user a member of the project (id or name). ${ADMIN_ONLY}`,
          params: UserProjectParams,
          response: { 200: userResponse('The user.'), ...adminErrors({ 400: [errors.badRequest('params.user_name must match pattern "^[A-Za-z][A-Za-z0-9_.-]{0,63}$"')], 404: [userNotFound, errors.notFound('Project', 'local-9')] }) },
        },
      },
      async (request) => renderUser(await iam.setMembership(callerOf(request).accountId, request.params.user_name, request.params.project, true)),
    );

    app.delete(
      `${BASE}/users/:user_name/projects/:project`,
      {
        config: admin('RemoveUserFromProject'),
        schema: {
          operationId: 'RemoveUserFromProject',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Remove a user from a project',
          description: `Ends the user’s membership of the project (id or name); its tokens for that project stop working. ${ADMIN_ONLY}`,
          params: UserProjectParams,
          response: { 200: userResponse('The user.'), ...adminErrors({ 400: [errors.badRequest('params.user_name must match pattern "^[A-Za-z][A-Za-z0-9_.-]{0,63}$"')], 404: [userNotFound, errors.notFound('Project', 'local-9')] }) },
        },
      },
      async (request) => renderUser(await iam.setMembership(callerOf(request).accountId, request.params.user_name, request.params.project, false)),
    );

    app.get(
      `${BASE}/users/:user_name/access-keys`,
      {
        config: admin('ListAccessKeys'),
        schema: {
          operationId: 'ListAccessKeys',
          tags: [TAG],
          ...EXTENSION,
          summary: 'List a user’s access keys',
          description: `The user’s access keys (never their secret keys). ${ADMIN_ONLY}`,
          params: UserParams,
          response: {
            200: withExamples(Type.Object({ accessKeys: Type.Array(AccessKeySummarySchema) }), [{ accessKeys: [{ accessKey: EXAMPLE_ACCESS_KEY, createdAt: EXAMPLE_TIME }] }], { description: 'The access keys.' }),
            ...adminErrors({ 400: [errors.badRequest('params.user_name must match pattern "^[A-Za-z][A-Za-z0-9_.-]{0,63}$"')], 404: [userNotFound] }),
          },
        },
      },
      async (request) => ({ accessKeys: await iam.listAccessKeys(callerOf(request).accountId, request.params.user_name) }),
    );

    app.post(
      `${BASE}/users/:user_name/access-keys`,
      {
        config: admin('CreateAccessKey'),
        schema: {
          operationId: 'CreateAccessKey',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Create an access key',
          description: `A new AK/SK pair for the user, permanent or temporary (with a security token). The secret key is shown in this answer only. ${ADMIN_ONLY}`,
          params: UserParams,
          body: Type.Optional(withExamples(CreateAccessKeyBodySchema, [{}, { temporary: { durationSeconds: 900 } }])),
          response: {
            201: withExamples(NewAccessKeySchema, [{ accessKey: EXAMPLE_ACCESS_KEY, secretKey: '<shown once>' }], { description: 'The new key pair.' }),
            ...adminErrors({ 400: [errors.badRequest('temporary.durationSeconds must be >= 900')], 404: [userNotFound] }),
          },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await iam.createAccessKey(callerOf(request).accountId, request.params.user_name, request.body?.temporary?.durationSeconds)),
    );

    app.delete(
      `${BASE}/access-keys/:access_key`,
      {
        config: admin('DeleteAccessKey'),
        schema: {
          operationId: 'DeleteAccessKey',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Delete an access key',
          description: `The access key stops working at once on the replica that deletes it, and on every other replica as soon as the database tells it (PostgreSQL NOTIFY: milliseconds). ${ADMIN_ONLY}`,
          params: AccessKeyParams,
          response: { 204: noContent, ...adminErrors({ 400: [errors.badRequest('params.access_key must match pattern "^[A-Za-z0-9]{1,128}$"')], 404: [errors.notFound('Access key', EXAMPLE_ACCESS_KEY)] }) },
        },
      },
      async (request, reply) => {
        await iam.deleteAccessKey(callerOf(request).accountId, request.params.access_key);
        return reply.code(204).send(null);
      },
    );

    app.put(
      `${BASE}/users/:user_name/policies/:policy_name`,
      {
        config: admin('AttachPolicy'),
        schema: {
          operationId: 'AttachPolicy',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Attach a policy to a user',
          description: `A built-in policy by name (no body), or a custom IAM-style policy document under a name of your choice. ${ADMIN_ONLY}`,
          params: UserPolicyParams,
          body: Type.Optional(
            withExamples(AttachPolicyBodySchema, [{}, { document: { Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:get', 'modelarts:pool:list'] }] } }]),
          ),
          response: {
            200: userResponse('The user.'),
            ...adminErrors({ 400: [errors.badRequest('document is required: ReadOnlyNodes is not a built-in policy (ModelArtsResourceManagementAllPolicy, ModelArtsResourceManagementReadOnlyPolicy)')], 404: [userNotFound] }),
          },
        },
      },
      async (request) =>
        renderUser(await iam.attachPolicy(callerOf(request).accountId, request.params.user_name, request.params.policy_name, request.body?.document)),
    );

    app.delete(
      `${BASE}/users/:user_name/policies/:policy_name`,
      {
        config: admin('DetachPolicy'),
        schema: {
          operationId: 'DetachPolicy',
          tags: [TAG],
          ...EXTENSION,
          summary: 'Detach a policy from a user',
          description: `Removes the named policy from the user; rights change on every replica within 5 seconds. ${ADMIN_ONLY}`,
          params: UserPolicyParams,
          response: { 200: userResponse('The user.'), ...adminErrors({ 400: [errors.badRequest('params.policy_name must match pattern "^[A-Za-z][A-Za-z0-9_.-]{0,127}$"')], 404: [userNotFound, errors.notFound('Policy', 'ReadOnlyNodes')] }) },
        },
      },
      async (request) => renderUser(await iam.detachPolicy(callerOf(request).accountId, request.params.user_name, request.params.policy_name)),
    );
  };
}
